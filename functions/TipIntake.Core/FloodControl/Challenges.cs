using System.Buffers.Binary;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.FloodControl;

/// <summary>
/// A challenge as served by <c>GET /api/challenge</c>: <see cref="Difficulty"/> is the floor when it was issued (the
/// least effort accepted), <see cref="SuggestedEffort"/> what is processed ahead of the current backlog.
/// </summary>
public sealed record IssuedChallenge(string Challenge, int Difficulty, int SuggestedEffort, DateTimeOffset ExpiresAt);

/// <summary>
/// A stamp that verified: its challenge's nonce (for the single-use check), expiry and difficulty, and its
/// <see cref="Work"/> — the effort it achieved, which may exceed what was asked.
/// </summary>
public readonly record struct VerifiedStamp(UInt128 Nonce, DateTimeOffset ExpiresAt, int Difficulty, int Work);

/// <summary>
/// Issues and checks self-contained challenges and form tickets, statelessly: each is 42 bytes, base64url without
/// padding — a version (1 byte: 1 for a stamp challenge, 2 for a no-script form's ticket), a random nonce (16), the
/// expiry in Unix seconds (8, big-endian), the difficulty (1; 0 in a ticket), and the first 16 bytes of HMAC-SHA-256
/// under the service's key over the 26 bytes before it. The version is under the MAC, so a ticket never passes as a
/// challenge nor the other way round. A stamp is <c>challenge ":" counter</c> (1 to 16 decimal digits; leading zeros
/// allowed); its work is the number of leading zero bits of SHA-256 over the stamp's ASCII bytes. Thread-safe.
/// </summary>
public sealed class ChallengeCodec
{
    public const int MaxCounterDigits = 16;
    private const byte StampVersion = 1;
    private const byte TicketVersion = 2;
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

    public IssuedChallenge Issue(int difficulty, int suggestedEffort, DateTimeOffset expiresAt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(difficulty);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(difficulty, 255);
        return new IssuedChallenge(
            Seal(StampVersion, difficulty, expiresAt), difficulty, Math.Max(difficulty, suggestedEffort), DateTimeOffset.FromUnixTimeSeconds(expiresAt.ToUnixTimeSeconds()));
    }

    /// <summary>A ticket for one no-script form page: good for one accepted report until <paramref name="expiresAt"/>.</summary>
    public string IssueTicket(DateTimeOffset expiresAt) => Seal(TicketVersion, 0, expiresAt);

    /// <summary>Checks a form ticket: syntax, MAC, expiry. Single use is the caller's.</summary>
    public FloodRefusal? VerifyTicket(string? ticket, DateTimeOffset now, out UInt128 nonce, out DateTimeOffset expiresAt)
    {
        nonce = default;
        expiresAt = default;
        if (ticket is not { Length: EncodedChallengeLength } || !JoseBase64.TryDecode(ticket, out var decoded) || decoded.Length != ChallengeLength)
        {
            return FloodRefusal.TicketInvalid;
        }

        if (Open(decoded, TicketVersion) is not { } opened)
        {
            return FloodRefusal.TicketInvalid;
        }

        (nonce, expiresAt) = (opened.Nonce, opened.ExpiresAt);
        return now >= expiresAt ? FloodRefusal.TicketExpired : null;
    }

    private string Seal(byte version, int difficulty, DateTimeOffset expiresAt)
    {
        Span<byte> bytes = stackalloc byte[ChallengeLength];
        bytes[0] = version;
        RandomNumberGenerator.Fill(bytes.Slice(1, NonceLength));
        BinaryPrimitives.WriteInt64BigEndian(bytes.Slice(1 + NonceLength, 8), expiresAt.ToUnixTimeSeconds());
        bytes[SignedLength - 1] = (byte)difficulty;
        Mac(bytes[..SignedLength], bytes[SignedLength..]);
        return JoseBase64.Encode(bytes);
    }

    /// <summary>The nonce, expiry and difficulty of a sealed value of <paramref name="version"/> whose MAC verifies; else null.</summary>
    private (UInt128 Nonce, DateTimeOffset ExpiresAt, int Difficulty)? Open(ReadOnlySpan<byte> bytes, byte version)
    {
        Span<byte> expected = stackalloc byte[MacLength];
        Mac(bytes[..SignedLength], expected);
        if (bytes[0] != version || !CryptographicOperations.FixedTimeEquals(expected, bytes[SignedLength..]))
        {
            return null;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(
            Math.Clamp(BinaryPrimitives.ReadInt64BigEndian(bytes.Slice(1 + NonceLength, 8)), 0, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        return (BinaryPrimitives.ReadUInt128BigEndian(bytes.Slice(1, NonceLength)), expiresAt, bytes[SignedLength - 1]);
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

        if (Open(decoded, StampVersion) is not { } opened)
        {
            return FloodRefusal.StampInvalid;
        }

        if (now >= opened.ExpiresAt)
        {
            return FloodRefusal.StampExpired;
        }

        var work = Work(stamp);
        if (work < opened.Difficulty)
        {
            return FloodRefusal.StampInsufficient;
        }

        verified = new VerifiedStamp(opened.Nonce, opened.ExpiresAt, opened.Difficulty, work);
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
