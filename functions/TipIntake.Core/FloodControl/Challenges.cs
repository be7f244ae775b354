using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.FloodControl;

/// <summary>A challenge as served by <c>GET /api/challenge</c>.</summary>
public sealed record IssuedChallenge(string Challenge, int Difficulty, DateTimeOffset ExpiresAt);

/// <summary>A stamp that verified: its challenge's nonce (for the single-use check), expiry and difficulty.</summary>
public readonly record struct VerifiedStamp(UInt128 Nonce, DateTimeOffset ExpiresAt, int Difficulty, int Work);

/// <summary>
/// Issues and checks self-contained challenges, statelessly: a challenge is 42 bytes, base64url without padding —
/// version (1 byte, 1), a random nonce (16), the expiry in Unix seconds (8, big-endian), the difficulty (1), and the
/// first 16 bytes of HMAC-SHA-256 under the service's key over the 26 bytes before it. A stamp is
/// <c>challenge ":" counter</c> (1 to 16 decimal digits); its work is the number of leading zero bits of SHA-256 over
/// the stamp's ASCII bytes. Thread-safe.
/// </summary>
public sealed class ChallengeCodec
{
    public const int MaxCounterDigits = 16;
    private const byte Version = 1;
    private const int NonceLength = 16;
    private const int SignedLength = 1 + NonceLength + 8 + 1;
    private const int MacLength = 16;
    private const int ChallengeLength = SignedLength + MacLength;

    /// <summary>Base64url of 42 bytes, unpadded.</summary>
    public const int EncodedChallengeLength = 56;

    private readonly byte[] _key;

    public ChallengeCodec(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("The challenge key must be at least 32 bytes.", nameof(key));
        }

        _key = (byte[])key.Clone();
    }

    public IssuedChallenge Issue(int difficulty, DateTimeOffset expiresAt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(difficulty);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(difficulty, 255);
        Span<byte> bytes = stackalloc byte[ChallengeLength];
        bytes[0] = Version;
        RandomNumberGenerator.Fill(bytes.Slice(1, NonceLength));
        BinaryPrimitives.WriteInt64BigEndian(bytes.Slice(1 + NonceLength, 8), expiresAt.ToUnixTimeSeconds());
        bytes[SignedLength - 1] = (byte)difficulty;
        Mac(bytes[..SignedLength], bytes[SignedLength..]);
        return new IssuedChallenge(JoseBase64.Encode(bytes), difficulty, DateTimeOffset.FromUnixTimeSeconds(expiresAt.ToUnixTimeSeconds()));
    }

    /// <summary>
    /// Checks a stamp without any state: syntax, MAC, expiry, and that its work meets the challenge's own difficulty.
    /// Single use and the current difficulty are the caller's (<see cref="FloodGate"/>).
    /// </summary>
    public FloodRefusal? Verify(string? stamp, DateTimeOffset now, out VerifiedStamp verified)
    {
        verified = default;
        if (stamp is null)
        {
            return FloodRefusal.StampRequired;
        }

        var separator = stamp.IndexOf(':', StringComparison.Ordinal);
        if (separator != EncodedChallengeLength || stamp.Length - separator - 1 is < 1 or > MaxCounterDigits
            || !stamp.AsSpan(separator + 1).ContainsOnlyDigits())
        {
            return FloodRefusal.StampMalformed;
        }

        if (!JoseBase64.TryDecode(stamp.AsSpan(0, separator), out var decoded) || decoded.Length != ChallengeLength)
        {
            return FloodRefusal.StampMalformed;
        }

        ReadOnlySpan<byte> bytes = decoded;

        Span<byte> expected = stackalloc byte[MacLength];
        Mac(bytes[..SignedLength], expected);
        if (bytes[0] != Version || !CryptographicOperations.FixedTimeEquals(expected, bytes[SignedLength..]))
        {
            return FloodRefusal.StampInvalid;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(
            Math.Clamp(BinaryPrimitives.ReadInt64BigEndian(bytes.Slice(1 + NonceLength, 8)), 0, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        if (now >= expiresAt)
        {
            return FloodRefusal.StampExpired;
        }

        var difficulty = bytes[SignedLength - 1];
        var work = Work(stamp);
        if (work < difficulty)
        {
            return FloodRefusal.StampInsufficient;
        }

        verified = new VerifiedStamp(BinaryPrimitives.ReadUInt128BigEndian(bytes.Slice(1, NonceLength)), expiresAt, difficulty, work);
        return null;
    }

    /// <summary>The number of leading zero bits of SHA-256 over the ASCII bytes of <paramref name="stamp"/>.</summary>
    public static int Work(string stamp)
    {
        ArgumentNullException.ThrowIfNull(stamp);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var ascii = Encoding.ASCII.GetBytes(stamp);
        SHA256.HashData(ascii, hash);
        return LeadingZeroBits(hash);
    }

    public static int LeadingZeroBits(ReadOnlySpan<byte> hash)
    {
        var bits = 0;
        foreach (var b in hash)
        {
            if (b == 0)
            {
                bits += 8;
                continue;
            }

            return bits + System.Numerics.BitOperations.LeadingZeroCount((uint)b) - 24;
        }

        return bits;
    }

    private void Mac(ReadOnlySpan<byte> signed, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, signed, full);
        full[..MacLength].CopyTo(mac);
    }
}

internal static class SpanDigits
{
    public static bool ContainsOnlyDigits(this ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('0', '9');
}
