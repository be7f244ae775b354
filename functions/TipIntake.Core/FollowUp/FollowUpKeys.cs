namespace TipIntake.Core.FollowUp;

/// <summary>
/// The reporter's side of the key schedule (docs/follow-up.md, "Keys: one code, split by a KDF"): <c>M</c> from the
/// code by PBKDF2, then the lookup token <c>L</c> (sent to the server) and the sealing key <c>W</c> (never sent) by
/// HKDF. The browser computes these; the server needs them only for the no-script path and for tests. Callers zero
/// what they pass in and get back.
/// </summary>
public static class FollowUpKeys
{
    public const int Iterations = 600_000;
    public const int KeyBytes = 32;

    /// <summary><c>L</c> as sent: 43 characters of unpadded base64url.</summary>
    public const int LookupLength = 43;

    private static readonly byte[] Salt = "tipintake/follow-up/v1"u8.ToArray();
    private static readonly byte[] LookupInfo = "tipintake/follow-up/lookup/v1"u8.ToArray();
    private static readonly byte[] SealInfo = "tipintake/follow-up/seal/v1"u8.ToArray();

    /// <summary><c>M</c> = PBKDF2-HMAC-SHA-256(V, "tipintake/follow-up/v1", 600,000 iterations, 32 bytes).</summary>
    public static void DeriveMaster(ReadOnlySpan<byte> value, Span<byte> master) =>
        Rfc2898DeriveBytes.Pbkdf2(value, Salt, master, Iterations, HashAlgorithmName.SHA256);

    /// <summary><c>L</c> = HKDF-SHA-256(M, no salt, "tipintake/follow-up/lookup/v1").</summary>
    public static void DeriveLookup(ReadOnlySpan<byte> master, Span<byte> lookup) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, master, lookup, [], LookupInfo);

    /// <summary><c>W</c> = HKDF-SHA-256(M, no salt, "tipintake/follow-up/seal/v1").</summary>
    public static void DeriveSealingKey(ReadOnlySpan<byte> master, Span<byte> sealingKey) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, master, sealingKey, [], SealInfo);
}
