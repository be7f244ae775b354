using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using TipIntake.Core.Attachments.Scrubbing;

namespace TipIntake.Core.Tests.Attachments;

/// <summary>
/// The stream's own limits (its parity with the browser's scrubber is ScrubParityTests, in Functions.Tests): chunks far
/// larger than what it holds at once pass through or are skipped in pieces, with their CRCs still checked.
/// </summary>
public sealed class ImageScrubbingStreamTests
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task Image_data_larger_than_the_buffer_passes_through_byte_for_byte_and_a_large_text_chunk_is_dropped()
    {
        var idat = RandomNumberGenerator.GetBytes(3 * ScrubInput.Capacity + 17);
        var text = Encoding.ASCII.GetBytes("Author\0" + new string('x', 2 * ScrubInput.Capacity));
        byte[] clean = [.. Signature, .. Chunk("IHDR", new byte[13]), .. Chunk("IDAT", idat), .. Chunk("IEND", [])];
        byte[] dressed = [.. Signature, .. Chunk("IHDR", new byte[13]), .. Chunk("tEXt", text), .. Chunk("IDAT", idat), .. Chunk("IEND", [])];

        var (output, report) = await ScrubAsync(dressed);

        Assert.Equal(clean, output);
        Assert.Equal(["author", "text"], report.Removed);
    }

    [Fact]
    public async Task A_large_chunk_with_a_wrong_crc_is_refused_at_its_end()
    {
        var png = (byte[])[.. Signature, .. Chunk("IHDR", new byte[13]), .. Chunk("IDAT", new byte[2 * ScrubInput.Capacity]), .. Chunk("IEND", [])];
        png[8 + 25 + 8 + (2 * ScrubInput.Capacity)] ^= 1;

        var refusal = await Assert.ThrowsAsync<ImageScrubRefusedException>(() => ScrubAsync(png));

        Assert.Equal(("malformed", "png-crc-IDAT"), (refusal.Reason, refusal.Detail));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0, 0 })]
    [InlineData(new byte[] { 0xFF, 0xD8 })]
    public async Task What_is_neither_JPEG_nor_PNG_is_refused_as_unsupported(byte[] file)
    {
        var refusal = await Assert.ThrowsAsync<ImageScrubRefusedException>(() => ScrubAsync(file));

        Assert.Equal("unsupported-format", refusal.Reason);
    }

    private static async Task<(byte[] Output, ScrubReport Report)> ScrubAsync(byte[] file)
    {
        await using var stream = new ImageScrubbingStream(new MemoryStream(file));
        using var output = new MemoryStream();
        await stream.CopyToAsync(output);
        return (output.ToArray(), stream.Report);
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        byte[] body = [.. Encoding.ASCII.GetBytes(type), .. data];
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        body.CopyTo(chunk, 4);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.HashToUInt32(body));
        return chunk;
    }
}
