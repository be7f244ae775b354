using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.FollowUp;

/// <summary>A thread a wrong lookup gets: a ref and a sealed key of the real lengths, and a tip key that never exists.</summary>
public sealed record DecoyThread(string Ref, string SealedKey, string TriageQueue, string TipId);

/// <summary>
/// What the server derives from the receipt pepper for follow-up (docs/follow-up.md): the lookup hash <c>H</c> that
/// storage keeps instead of <c>L</c>, a thread's <c>ref</c> (no way back to the tip id), and the decoy a wrong
/// <c>L</c> gets, the same every time for the same <c>H</c>. A label separates each use of the pepper.
/// </summary>
public sealed class FollowUpSecrets(IOptions<IntakeOptions> options)
{
    /// <summary>A thread ref: 16 bytes, 22 characters.</summary>
    public const int RefLength = 22;

    /// <summary>A sealed key: iv (12) ‖ AES-256-GCM of the 176-byte private JWK (176 + 16) = 204 bytes, 272 characters.</summary>
    public const int SealedKeyBytes = 204;

    public const int SealedKeyLength = 272;

    /// <summary>A decoy's tip key lives in a queue no tip is routed to, so its point read never finds a row.</summary>
    public const string DecoyQueue = "follow-up-decoy";

    private static readonly byte[] LookupHashLabel = "tipintake/follow-up/lookup-hash/v1"u8.ToArray();
    private static readonly byte[] ThreadRefLabel = "tipintake/follow-up/thread-ref/v1"u8.ToArray();
    private static readonly byte[] DecoyLabel = "tipintake/follow-up/decoy/v1"u8.ToArray();
    private static readonly byte[] FormFollowUpLabel = "tipintake/form-follow-up/v1"u8.ToArray();
    private static readonly byte[] FormSessionLabel = "tipintake/follow-up/form-session/v1"u8.ToArray();

    private readonly byte[] _pepper = options.Value.ReceiptPepperBytes();

    /// <summary><c>H</c> = HMAC-SHA-256(pepper, "tipintake/follow-up/lookup-hash/v1" ‖ L), 43 characters.</summary>
    public string LookupHashOf(ReadOnlySpan<byte> lookup)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Mac(LookupHashLabel, lookup, mac);
        return JoseBase64.Encode(mac);
    }

    /// <summary>The first 16 bytes of HMAC-SHA-256(pepper, "tipintake/follow-up/thread-ref/v1" ‖ tip id), 22 characters.</summary>
    public string ThreadRefOf(string tipId)
    {
        ArgumentNullException.ThrowIfNull(tipId);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Mac(ThreadRefLabel, Encoding.ASCII.GetBytes(tipId), mac);
        return JoseBase64.Encode(mac[..16]);
    }

    /// <summary>
    /// The decoy of <paramref name="lookupHash"/>: HKDF-Expand of HMAC-SHA-256(pepper, "tipintake/follow-up/decoy/v1" ‖ H)
    /// into a ref, a sealed key (random-looking bytes: AES-GCM output is indistinguishable from them) and a tip id.
    /// </summary>
    public DecoyThread DecoyOf(string lookupHash)
    {
        ArgumentNullException.ThrowIfNull(lookupHash);
        Span<byte> seed = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Span<byte> material = stackalloc byte[16 + SealedKeyBytes + 16];
        Mac(DecoyLabel, Encoding.ASCII.GetBytes(lookupHash), seed);
        HKDF.Expand(HashAlgorithmName.SHA256, seed, material, DecoyLabel);
        var decoy = new DecoyThread(
            JoseBase64.Encode(material[..16]),
            JoseBase64.Encode(material.Slice(16, SealedKeyBytes)),
            DecoyQueue,
            Convert.ToHexStringLower(material[(16 + SealedKeyBytes)..]));
        CryptographicOperations.ZeroMemory(seed);
        return decoy;
    }

    /// <summary>
    /// The no-script path's seed for a page's submission id: HMAC-SHA-256(pepper, "tipintake/form-follow-up/v1" ‖ its
    /// 16 bytes), 32 bytes, of which the low 90 bits are the code's <c>V</c> (<see cref="FormEnrolments"/>).
    /// </summary>
    public void FormFollowUpSeedOf(SubmissionId submission, Span<byte> seed)
    {
        Span<byte> id = stackalloc byte[SubmissionId.ByteLength];
        submission.WriteTo(id);
        Mac(FormFollowUpLabel, id, seed);
    }
    /// <summary>The no-script session key <c>k</c> = HMAC-SHA-256(pepper, "tipintake/follow-up/form-session/v1"), 32 bytes.</summary>
    public void FormSessionKey(Span<byte> key) => Mac(FormSessionLabel, [], key);

    private void Mac(ReadOnlySpan<byte> label, ReadOnlySpan<byte> input, Span<byte> mac)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _pepper);
        hmac.AppendData(label);
        hmac.AppendData(input);
        hmac.GetHashAndReset(mac);
    }
}
