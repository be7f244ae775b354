using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.FollowUp;

/// <summary>A follow-up code in both of its forms, as the no-script receipt shows it (no script can switch them).</summary>
public sealed record FollowUpCodeForms(string Letters, string Digits)
{
    public static FollowUpCodeForms Of(ReadOnlySpan<byte> value) => new(FollowUpCode.FormatLetters(value), FollowUpCode.FormatDigits(value));

    /// <summary>Never the code: a record would print its members into whatever logs or throws it.</summary>
    public override string ToString() => nameof(FollowUpCodeForms);
}

/// <summary>
/// A no-script report's enrolment: the tip's <c>followUp</c> member as UTF-8 JSON, exactly as the script path writes
/// it, and the code to show once. <see cref="Dispose"/> wipes the member.
/// </summary>
public sealed class FormEnrolment(byte[] member, FollowUpCodeForms code) : IDisposable
{
    public ReadOnlyMemory<byte> Member => member;

    public FollowUpCodeForms Code { get; } = code;

    public void Dispose() => CryptographicOperations.ZeroMemory(member);
}

/// <summary>
/// Enrolment for follow-up made by the server, for a report sent without JavaScript (docs/follow-up.md, "Who makes
/// it, and the submission id"). Everything is a function of the page's submission id under the pepper: the code
/// <c>V</c> (the low 90 bits of <see cref="FollowUpSecrets.FormFollowUpSeedOf"/>), and — from the same seed by
/// HKDF-Expand — the reporter's P-256 private key and the sealed key's IV. A resent or double-posted page therefore
/// makes the very same <c>followUp</c> member, so the same plaintext, tip id and code: the stored enrolment always
/// opens with the code the reporter was shown. The KDF (600,000 iterations of PBKDF2) runs once per accepted report.
/// </summary>
public sealed class FormEnrolments(FollowUpSecrets secrets)
{
    private const int ScalarBytes = 32;

    /// <summary>The IV, then two candidates for the private scalar (one is in range but for a chance of 2^-32).</summary>
    private const int KeyMaterialBytes = AesGcmSizes.IvLength + (2 * ScalarBytes);

    private static readonly byte[] KeyInfo = "tipintake/form-follow-up/key/v1"u8.ToArray();

    /// <summary>The order n of P-256, big-endian: a private scalar is in [1, n − 1].</summary>
    private static readonly byte[] Order = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

    /// <summary>The enrolment of the page whose hidden submission id is <paramref name="submission"/>.</summary>
    public FormEnrolment Enrol(SubmissionId submission)
    {
        Span<byte> seed = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Span<byte> value = stackalloc byte[FollowUpCode.ValueBytes];
        Span<byte> master = stackalloc byte[FollowUpKeys.KeyBytes];
        Span<byte> lookup = stackalloc byte[FollowUpKeys.KeyBytes];
        Span<byte> sealingKey = stackalloc byte[FollowUpKeys.KeyBytes];
        Span<byte> keyMaterial = stackalloc byte[KeyMaterialBytes];
        var scalar = new byte[ScalarBytes];
        try
        {
            secrets.FormFollowUpSeedOf(submission, seed);
            ValueOf(seed, value);
            FollowUpKeys.DeriveMaster(value, master);
            FollowUpKeys.DeriveLookup(master, lookup);
            FollowUpKeys.DeriveSealingKey(master, sealingKey);
            HKDF.Expand(HashAlgorithmName.SHA256, seed, keyMaterial, KeyInfo);
            ScalarOf(keyMaterial[AesGcmSizes.IvLength..], scalar);

            // Given only d, the framework computes the public point.
            using var key = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = scalar });
            var point = key.ExportParameters(includePrivateParameters: false).Q;
            var sealedKey = SealedReporterKey.Seal(key, sealingKey, keyMaterial[..AesGcmSizes.IvLength]);
            var member = Encoding.ASCII.GetBytes(
                $$"""{"v":{{FollowUpReader.Version}},"lookup":"{{JoseBase64.Encode(lookup)}}","key":{"kty":"EC","crv":"P-256","x":"{{JoseBase64.Encode(point.X)}}","y":"{{JoseBase64.Encode(point.Y)}}"},"sealedKey":"{{JoseBase64.Encode(sealedKey)}}"}""");
            CryptographicOperations.ZeroMemory(sealedKey);
            return new FormEnrolment(member, FollowUpCodeForms.Of(value));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(value);
            CryptographicOperations.ZeroMemory(master);
            CryptographicOperations.ZeroMemory(lookup);
            CryptographicOperations.ZeroMemory(sealingKey);
            CryptographicOperations.ZeroMemory(keyMaterial);
            CryptographicOperations.ZeroMemory(scalar);
        }
    }

    /// <summary><c>V</c>: the seed's last 12 bytes with the top 6 bits cleared — its low 90 bits, big-endian.</summary>
    internal static void ValueOf(ReadOnlySpan<byte> seed, Span<byte> value)
    {
        seed[^FollowUpCode.ValueBytes..].CopyTo(value);
        value[0] &= 0x03;
    }

    /// <summary>
    /// The first candidate in [1, n − 1] (rejection sampling, as RFC 6979 and FIPS 186-5 A.2.2 do; no modular
    /// reduction, so no bias and no big-integer copy of the key left to the garbage collector).
    /// </summary>
    private static void ScalarOf(ReadOnlySpan<byte> candidates, Span<byte> scalar)
    {
        for (var offset = 0; offset + ScalarBytes <= candidates.Length; offset += ScalarBytes)
        {
            var candidate = candidates.Slice(offset, ScalarBytes);
            if (candidate.SequenceCompareTo(Order) < 0 && candidate.ContainsAnyExcept((byte)0))
            {
                candidate.CopyTo(scalar);
                return;
            }
        }

        throw new CryptographicException("No private scalar in range (a chance of 2^-64).");
    }
}
