using System.Security.Cryptography;
using TipIntake.Core.Attachments;

namespace TipIntake.Core.Tests.Attachments;

/// <summary>
/// A stored file decrypts to exactly what the reporter's browser encrypted, or names what is wrong with it: every way
/// of cutting, moving, swapping or altering chunks, another key, another upload, a digest or hash that does not match.
/// </summary>
public sealed class AttachmentDecryptorTests
{
    private const int ChunkBytes = ChunkLayout.SmallChunkBytes;
    private const int P = ChunkLayout.SmallPlaintextBytes;
    private const string Upload = "qvH4M4u8SCa1x0E0q9KzTg";

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(P - 1)]
    [InlineData(P)]
    [InlineData((3 * P) + 5)]
    public async Task A_file_decrypts_to_its_bytes_and_its_padding_is_left_out(int size)
    {
        var file = RandomNumberGenerator.GetBytes(size);
        var encrypted = AttachmentEncryptor.Encrypt(file, Upload, ChunkBytes, _key);

        var (fault, plaintext) = await DecryptAsync(Concat(encrypted.Chunks), Stored(encrypted));

        Assert.Equal(AttachmentIntegrityFault.None, fault);
        Assert.Equal(file, plaintext);
        Assert.Equal(ChunkLayout.ChunksFor(size, ChunkBytes), encrypted.Chunks.Count);
    }

    [Fact]
    public async Task Cut_lengthened_swapped_or_altered_ciphertext_is_named_and_never_passes()
    {
        var encrypted = AttachmentEncryptor.Encrypt(RandomNumberGenerator.GetBytes((2 * P) + 9), Upload, ChunkBytes, _key);
        var stored = Stored(encrypted);
        var whole = Concat(encrypted.Chunks);
        var swapped = Concat([encrypted.Chunks[1], encrypted.Chunks[0], encrypted.Chunks[2]]);
        var altered = whole.ToArray();
        altered[P + 100] ^= 0x40;

        Assert.Equal(AttachmentIntegrityFault.Length, (await DecryptAsync(whole[..^1], stored)).Fault);
        Assert.Equal(AttachmentIntegrityFault.Length, (await DecryptAsync([.. whole, 0], stored)).Fault);
        Assert.Equal(AttachmentIntegrityFault.Chunk, (await DecryptAsync(swapped, stored)).Fault);
        Assert.Equal(AttachmentIntegrityFault.Chunk, (await DecryptAsync(altered, stored)).Fault);

        // The first two chunks alone, presented as a file of two: the second was not encrypted as the last.
        Assert.Equal(AttachmentIntegrityFault.Chunk, (await DecryptAsync(Concat(encrypted.Chunks.Take(2)), stored with { Chunks = 2 })).Fault);
    }

    [Fact]
    public async Task Another_key_another_upload_or_another_digest_or_hash_is_refused()
    {
        var encrypted = AttachmentEncryptor.Encrypt(RandomNumberGenerator.GetBytes(P + 1), Upload, ChunkBytes, _key);
        var whole = Concat(encrypted.Chunks);
        var stored = Stored(encrypted);

        Assert.Equal(AttachmentIntegrityFault.Chunk, (await DecryptAsync(whole, stored, RandomNumberGenerator.GetBytes(32))).Fault);
        Assert.Equal(AttachmentIntegrityFault.Chunk, (await DecryptAsync(whole, stored with { Upload = "AAAAAAAAAAAAAAAAAAAAAA" })).Fault);
        Assert.Equal(AttachmentIntegrityFault.Digest, (await DecryptAsync(whole, stored with { Digest = SHA256.HashData(encrypted.Digest) })).Fault);
        Assert.Equal(AttachmentIntegrityFault.Sha256, (await DecryptAsync(whole, stored with { Sha256 = SHA256.HashData(encrypted.Sha256) })).Fault);
    }

    [Fact]
    public async Task A_size_that_is_not_the_files_is_found_in_the_padding()
    {
        var encrypted = AttachmentEncryptor.Encrypt(RandomNumberGenerator.GetBytes(1000), Upload, ChunkBytes, _key);
        var whole = Concat(encrypted.Chunks);

        Assert.Equal(AttachmentIntegrityFault.Padding, (await DecryptAsync(whole, Stored(encrypted) with { Size = 999 })).Fault);
        Assert.Equal(AttachmentIntegrityFault.Padding, (await DecryptAsync(whole, Stored(encrypted) with { Size = 1001 })).Fault);
    }

    private static StoredAttachment Stored(EncryptedFile file) =>
        new(Upload, file.Chunks.Count, ChunkBytes, file.Size, file.Digest, file.Sha256);

    private static byte[] Concat(IEnumerable<byte[]> chunks) => [.. chunks.SelectMany(c => c)];

    private async Task<(AttachmentIntegrityFault Fault, byte[] Plaintext)> DecryptAsync(byte[] ciphertext, StoredAttachment file, byte[]? key = null)
    {
        using var source = new MemoryStream(ciphertext);
        using var destination = new MemoryStream();
        var fault = await AttachmentDecryptor.DecryptAsync(source, destination, file, key ?? _key, CancellationToken.None);
        return (fault, destination.ToArray());
    }
}
