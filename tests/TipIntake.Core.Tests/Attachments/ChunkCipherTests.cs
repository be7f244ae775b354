using System.Security.Cryptography;
using TipIntake.Core.Attachments;

namespace TipIntake.Core.Tests.Attachments;

/// <summary>The chunk layout, the STREAM construction and <c>D</c> as docs/attachments.md ("Encryption", "Complete") states them.</summary>
public sealed class ChunkCipherTests
{
    private const int P = ChunkLayout.SmallPlaintextBytes;
    private const string Upload = "AAECAwQFBgcICQoLDA0ODw";

    [Theory]
    [InlineData(0L, 1)]
    [InlineData(P - 1L, 1)]
    [InlineData(P, 2)] // the marker needs a byte of its own
    [InlineData((4L * P) - 1, 4)]
    [InlineData(4L * P, 5)]
    [InlineData((6L * P) + 1, 8)]
    [InlineData((256L * P) - 1, 256)]
    public void A_file_is_padded_to_the_smallest_ladder_count_that_holds_it_and_its_marker(long size, int chunks)
    {
        Assert.Equal(chunks, ChunkLayout.ChunksFor(size, ChunkLayout.SmallChunkBytes));
        Assert.True(ChunkLayout.PaddedBytes(chunks, ChunkLayout.SmallChunkBytes) > size);
    }

    [Fact]
    public void Sizes_beyond_the_ladder_and_other_chunk_sizes_have_no_layout()
    {
        Assert.Null(ChunkLayout.ChunksFor(256L * P, ChunkLayout.SmallChunkBytes));
        Assert.Null(ChunkLayout.ChunksFor(10, 1_000_000));
        Assert.Null(ChunkLayout.ChunksFor(-1, ChunkLayout.LargeChunkBytes));
        Assert.Equal((262_160, 1_048_592), (ChunkLayout.SmallChunkBytes, ChunkLayout.LargeChunkBytes));
    }

    [Fact]
    public void The_nonce_is_seven_zero_bytes_the_big_endian_index_and_the_last_chunk_flag()
    {
        Span<byte> nonce = stackalloc byte[ChunkCipher.NonceBytes];

        ChunkCipher.NonceOf(0x01020304, last: true, nonce);
        Assert.Equal("00000000000000010203040" + "1", Convert.ToHexString(nonce));
        ChunkCipher.NonceOf(7, last: false, nonce);
        Assert.Equal("000000000000000000000700", Convert.ToHexString(nonce));
    }

    [Fact]
    public void A_chunk_opens_only_as_itself_in_its_upload_under_its_key()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var plaintext = RandomNumberGenerator.GetBytes(1000);
        var chunk = new byte[plaintext.Length + ChunkLayout.TagBytes];
        using (var cipher = new ChunkCipher(key, Upload))
        {
            cipher.Encrypt(3, last: false, plaintext, chunk);
        }

        var opened = new byte[plaintext.Length];
        using var same = new ChunkCipher(key, Upload);
        Assert.True(same.TryDecrypt(3, last: false, chunk, opened));
        Assert.Equal(plaintext, opened);

        Assert.False(same.TryDecrypt(2, last: false, chunk, opened)); // moved
        Assert.False(same.TryDecrypt(3, last: true, chunk, opened)); // a file cut after it
        using (var otherUpload = new ChunkCipher(key, "AAECAwQFBgcICQoLDA0OEA"))
        {
            Assert.False(otherUpload.TryDecrypt(3, last: false, chunk, opened));
        }

        using (var otherKey = new ChunkCipher(RandomNumberGenerator.GetBytes(32), Upload))
        {
            Assert.False(otherKey.TryDecrypt(3, last: false, chunk, opened));
        }

        chunk[10] ^= 1;
        Assert.False(same.TryDecrypt(3, last: false, chunk, opened));
    }

    [Fact]
    public void The_upload_digest_covers_the_domain_the_counts_and_every_chunk_digest_in_order()
    {
        var digests = Enumerable.Range(0, 3).Select(i => SHA256.HashData(new[] { (byte)i })).ToList();
        var expected = SHA256.HashData([.. "tipintake/upload/v1"u8, 0, 0, 0, 3, 0, 4, 0, 0x10, .. digests[0], .. digests[1], .. digests[2]]);

        Assert.Equal(expected, UploadDigest.Compute(3, ChunkLayout.SmallChunkBytes, digests));
        Assert.NotEqual(expected, UploadDigest.Compute(3, ChunkLayout.SmallChunkBytes, [digests[1], digests[0], digests[2]]));
        Assert.NotEqual(expected, UploadDigest.Compute(3, ChunkLayout.LargeChunkBytes, digests));
        Assert.Throws<ArgumentException>(() => UploadDigest.Compute(2, ChunkLayout.SmallChunkBytes, digests));
    }

    [Fact]
    public void A_block_id_is_the_index_and_half_the_chunk_digest_so_a_resent_chunk_lands_on_its_block()
    {
        var digest = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

        var id = UploadDigest.BlockIdOf(258, digest);

        Assert.Equal([0, 0, 1, 2, .. digest[..16]], Convert.FromBase64String(id));
        Assert.Equal(id, UploadDigest.BlockIdOf(258, digest));
        Assert.NotEqual(id, UploadDigest.BlockIdOf(258, SHA256.HashData(digest)));
    }
}
