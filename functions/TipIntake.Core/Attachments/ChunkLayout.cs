namespace TipIntake.Core.Attachments;

/// <summary>
/// How a file is cut into encrypted chunks (docs/attachments.md, "Encryption"): chunks of 256 KiB or 1 MiB of
/// plaintext plus a 16-byte GCM tag, the file padded <c>F ‖ 0x80 ‖ 0x00…</c> to the smallest count of chunks on a
/// ladder that holds it, so that a stored or uploaded file's size says about four bits of its true size.
/// </summary>
public static class ChunkLayout
{
    public const int TagBytes = 16;
    public const int SmallPlaintextBytes = 256 * 1024;
    public const int LargePlaintextBytes = 1024 * 1024;

    /// <summary>A chunk of 256 KiB of plaintext as sent and stored: 262,160 bytes (for slow links).</summary>
    public const int SmallChunkBytes = SmallPlaintextBytes + TagBytes;

    /// <summary>A chunk of 1 MiB of plaintext as sent and stored: 1,048,592 bytes.</summary>
    public const int LargeChunkBytes = LargePlaintextBytes + TagBytes;

    /// <summary>The byte that ends a file's content; zeros follow it to the end of the last chunk.</summary>
    public const byte PaddingMarker = 0x80;

    /// <summary>The chunk counts a file may be padded to: at most 25 % overhead above 4 chunks.</summary>
    public static readonly IReadOnlyList<int> Ladder = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256];

    public static bool IsChunkBytes(int chunkBytes) => chunkBytes is SmallChunkBytes or LargeChunkBytes;

    public static int PlaintextBytesOf(int chunkBytes) => chunkBytes - TagBytes;

    /// <summary>
    /// The smallest ladder count of <paramref name="chunkBytes"/> chunks whose plaintext holds <paramref name="size"/>
    /// bytes and the padding marker; null when no count does.
    /// </summary>
    public static int? ChunksFor(long size, int chunkBytes)
    {
        if (size < 0 || !IsChunkBytes(chunkBytes))
        {
            return null;
        }

        var plaintext = (long)PlaintextBytesOf(chunkBytes);
        foreach (var count in Ladder)
        {
            if (count * plaintext > size)
            {
                return count;
            }
        }

        return null;
    }

    /// <summary>Plaintext bytes of <paramref name="chunks"/> chunks: what a file is padded to.</summary>
    public static long PaddedBytes(int chunks, int chunkBytes) => (long)chunks * PlaintextBytesOf(chunkBytes);
}
