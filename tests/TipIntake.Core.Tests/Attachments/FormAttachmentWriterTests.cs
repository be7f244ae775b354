using System.Security.Cryptography;
using TipIntake.Core.Attachments;
using TipIntake.Core.Tests.Fakes;

namespace TipIntake.Core.Tests.Attachments;

/// <summary>The no-script path's files (docs/attachments.md, "The no-script path"): streamed, padded, encrypted and staged as the browser would.</summary>
public sealed class FormAttachmentWriterTests
{
    private const int P = ChunkLayout.SmallPlaintextBytes;

    private readonly MemoryUploadStore _store = new();
    private readonly FakeIntakeKey _key = new();

    public static TheoryData<int> Sizes => [0, 1, P - 1, P, P + 1, (3 * P) + 5, (7 * P) - 1, 7 * P];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task A_file_becomes_a_completed_upload_that_decrypts_to_it_with_the_key_only_the_intake_key_unwraps(int size)
    {
        var file = RandomNumberGenerator.GetBytes(size);

        var outcome = await WriteAsync(new MemoryStream(file), maxFileBytes: 16L * 1024 * 1024);

        var entry = Assert.IsType<FormAttachmentOutcome.Written>(outcome).Entry;
        Assert.True(UploadId.TryParse(entry.Upload, out var upload));
        Assert.Equal(ChunkLayout.ChunksFor(size, ChunkLayout.SmallChunkBytes), entry.Chunks);
        Assert.Equal(ChunkLayout.SmallChunkBytes, entry.ChunkBytes);
        Assert.Equal(size, entry.Size);
        Assert.Equal(SHA256.HashData(file), entry.Sha256);
        Assert.Equal(_key.KeyId, entry.KeyId);
        Assert.Equal(("text/plain", "document-1.txt", "unchecked"), (entry.Type, entry.Name, entry.Handling));

        var row = _store.Rows[entry.Upload];
        Assert.True(row.Complete);
        Assert.Equal(entry.Digest, row.Digest);
        var key = await _key.UnwrapAsync(entry.KeyId, System.Buffers.Text.Base64Url.DecodeFromChars(entry.WrappedKey), default);
        var plaintext = new MemoryStream();
        var stored = new StoredAttachment(entry.Upload, entry.Chunks, entry.ChunkBytes, entry.Size, entry.Digest, entry.Sha256);
        Assert.Equal(AttachmentIntegrityFault.None, await AttachmentDecryptor.DecryptAsync(new MemoryStream(_store.Committed(upload)!), plaintext, stored, key, default));
        Assert.Equal(file, plaintext.ToArray());
    }

    [Fact]
    public async Task A_stream_that_gives_a_few_bytes_at_a_time_makes_the_same_chunks_layout()
    {
        var file = RandomNumberGenerator.GetBytes((2 * P) + 17);

        var entry = Assert.IsType<FormAttachmentOutcome.Written>(await WriteAsync(new TricklingStream(file, 4093), 16L * 1024 * 1024)).Entry;

        Assert.Equal(3, entry.Chunks);
        Assert.Equal(SHA256.HashData(file), entry.Sha256);
    }

    [Fact]
    public async Task A_file_over_the_limit_is_refused_before_anything_names_it()
    {
        var outcome = await WriteAsync(new MemoryStream(new byte[P + 1]), maxFileBytes: P);

        Assert.IsType<FormAttachmentOutcome.TooLarge>(outcome);
        Assert.Empty(_store.Rows);
    }

    [Fact]
    public async Task Two_writes_of_one_file_are_two_uploads_under_two_keys()
    {
        var file = RandomNumberGenerator.GetBytes(1000);

        var first = ((FormAttachmentOutcome.Written)await WriteAsync(new MemoryStream(file), P)).Entry;
        var second = ((FormAttachmentOutcome.Written)await WriteAsync(new MemoryStream(file), P)).Entry;

        Assert.NotEqual(first.Upload, second.Upload);
        Assert.NotEqual(first.WrappedKey, second.WrappedKey);
        Assert.NotEqual(first.Digest, second.Digest);
        Assert.Equal(first.Sha256, second.Sha256);
    }

    private async Task<FormAttachmentOutcome> WriteAsync(Stream file, long maxFileBytes) =>
        await new FormAttachmentWriter(_store).WriteAsync(file, "text/plain", "document-1.txt", await _key.GetPublicKeyAsync(default), maxFileBytes, default);

    /// <summary>A request body as the network delivers it: a few bytes per read.</summary>
    private sealed class TricklingStream(byte[] bytes, int perRead) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, perRead)], cancellationToken);
    }
}
