using System.Buffers.Binary;

namespace TipIntake.Core.Attachments;

/// <summary>
/// What binds a tip to an upload (docs/attachments.md, "Complete"): <c>D = SHA-256("tipintake/upload/v1" ‖
/// uint32be(chunks) ‖ uint32be(chunkBytes) ‖ d0 ‖ … ‖ d(chunks−1))</c> over the SHA-256 of every ciphertext chunk, so
/// that a tip naming <c>D</c> names every stored byte and nothing can be swapped in after it was sent.
/// </summary>
public static class UploadDigest
{
    public const string Domain = "tipintake/upload/v1";
    public const int DigestBytes = 32;

    public static byte[] Compute(int chunks, int chunkBytes, IReadOnlyList<byte[]> chunkDigests)
    {
        ArgumentNullException.ThrowIfNull(chunkDigests);
        if (chunkDigests.Count != chunks || chunkDigests.Any(d => d.Length != DigestBytes))
        {
            throw new ArgumentException("One 32-byte digest per chunk.", nameof(chunkDigests));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.ASCII.GetBytes(Domain));
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(number, (uint)chunks);
        hash.AppendData(number);
        BinaryPrimitives.WriteUInt32BigEndian(number, (uint)chunkBytes);
        hash.AppendData(number);
        foreach (var digest in chunkDigests)
        {
            hash.AppendData(digest);
        }

        return hash.GetHashAndReset();
    }

    /// <summary>
    /// The Azure block id of chunk <paramref name="index"/>: <c>base64(uint32be(index) ‖ the digest's first 16 bytes)</c>,
    /// so that a resent identical chunk lands on the same block and a different one on another.
    /// </summary>
    public static string BlockIdOf(int index, ReadOnlySpan<byte> chunkDigest)
    {
        Span<byte> id = stackalloc byte[20];
        BinaryPrimitives.WriteUInt32BigEndian(id, (uint)index);
        chunkDigest[..16].CopyTo(id[4..]);
        return Convert.ToBase64String(id);
    }
}
