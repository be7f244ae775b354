namespace TipIntake.Core.Intake;

/// <summary>A receipt as shown once to the reporter, and the keyed hash that is all the service keeps of it.</summary>
public sealed record Receipt(string Code, string Hash);

/// <summary>The tip id and receipt of one submission: the same for every resend of the same payload.</summary>
public sealed record SubmissionIdentity(string TipId, Receipt Receipt);

/// <summary>What a submission's digest was taken over: a browser-made JWE, the no-script form's plaintext, an answer's JWE, or the no-script answer's plaintext.</summary>
public enum SubmittedPayload
{
    Jwe = 1,
    Form = 2,
    AnswerJwe = 3,
    AnswerForm = 4,
}

/// <summary>
/// Issues tip ids and receipts. Both are derived, under the secret receipt pepper, from the client's
/// <see cref="SubmissionId"/> and a SHA-256 digest of what was submitted: a resend of the same payload with the same
/// id gets the same receipt and lands on the same <c>Tips</c> row, while a different payload under a reused id gets
/// new ones (a client bug cannot make a second report vanish into the first). The 128 bits of the submission id,
/// never stored, are what make both unguessable. A receipt is 100 bits, written as four groups of five Crockford
/// base32 characters (no I, L, O or U, so that they survive being copied by hand); only its hash keyed by the pepper
/// is stored, written <c>2.</c> + base64url so that it is told apart from the salted hashes of before
/// (docs/security.md, "Receipts").
/// </summary>
public sealed class ReceiptIssuer(IOptions<IntakeOptions> options)
{
    /// <summary>The prefix of hashes keyed by the pepper; a stored hash without it was salted (the first format).</summary>
    public const string PepperedPrefix = "2.";

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int Characters = 20;
    private const int DigestLength = 32;
    private static readonly byte[] TipIdLabel = "tipintake/tip-id/v1"u8.ToArray();
    private static readonly byte[] ReceiptLabel = "tipintake/receipt/v1"u8.ToArray();
    private static readonly byte[] ReceiptHashLabel = "tipintake/receipt-hash/v2"u8.ToArray();
    private static readonly byte[] ClaimCheckLabel = "tipintake/claim-check/v1"u8.ToArray();

    private readonly byte[] _pepper = options.Value.ReceiptPepperBytes();

    private readonly byte[]? _legacySalt = options.Value.ReceiptSaltBytes();

    /// <summary>The identity of <paramref name="payload"/> submitted under <paramref name="submission"/>.</summary>
    public SubmissionIdentity IdentityFor(SubmissionId submission, SubmittedPayload kind, ReadOnlySpan<byte> payload)
    {
        // kind ‖ submission id ‖ SHA-256(payload), each of fixed length, MACed under a label per derived value.
        Span<byte> input = stackalloc byte[1 + SubmissionId.ByteLength + DigestLength];
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        try
        {
            input[0] = (byte)kind;
            submission.WriteTo(input.Slice(1, SubmissionId.ByteLength));
            SHA256.HashData(payload, input[(1 + SubmissionId.ByteLength)..]);

            Derive(TipIdLabel, input, mac);
            var tipId = Convert.ToHexStringLower(mac[..16]);
            Derive(ReceiptLabel, input, mac);
            var code = Format(mac[..13]);
            return new SubmissionIdentity(tipId, new Receipt(code, HashOf(code)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
            CryptographicOperations.ZeroMemory(mac);
        }
    }

    /// <summary>The stored form of a receipt, keyed by the pepper; dashes, spaces and case do not matter.</summary>
    public string HashOf(string receiptCode)
    {
        var normalized = Normalize(receiptCode);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Derive(ReceiptHashLabel, normalized, mac);
        return PepperedPrefix + Jwe.JoseBase64.Encode(mac);
    }

    /// <summary>
    /// Whether <paramref name="receiptCode"/> is the receipt of <paramref name="storedHash"/>: keyed by the pepper, or —
    /// for a receipt issued before it — by the old salt, if <c>Intake:ReceiptSalt</c> is still configured.
    /// </summary>
    public bool Matches(string receiptCode, string storedHash)
    {
        ArgumentNullException.ThrowIfNull(storedHash);
        var candidate = storedHash.StartsWith(PepperedPrefix, StringComparison.Ordinal)
            ? HashOf(receiptCode)
            : _legacySalt is { } salt ? Jwe.JoseBase64.Encode(HMACSHA256.HashData(salt, Normalize(receiptCode))) : null;
        return candidate is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), Encoding.ASCII.GetBytes(storedHash));
    }

    /// <summary>
    /// The name of a tip's claim-checked JWE: 32 hex digits keyed by the pepper, never the tip id itself. A storage
    /// request names its blob in its URL, and requests are traced with their time; the JWE is written at arrival, so a
    /// blob named by the tip id would date the tip in any trace or storage log (issue 13, finding 4).
    /// </summary>
    public string ClaimCheckNameOf(string tipId)
    {
        ArgumentNullException.ThrowIfNull(tipId);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Derive(ClaimCheckLabel, Encoding.ASCII.GetBytes(tipId), mac);
        return Convert.ToHexStringLower(mac[..16]);
    }

    /// <summary>The names a tip's claim-checked JWE may have: <see cref="ClaimCheckNameOf"/>, or the tip id (written before it).</summary>
    public IEnumerable<string> ClaimCheckNamesOf(string tipId) => [ClaimCheckNameOf(tipId), tipId];

    private static byte[] Normalize(string receiptCode)
    {
        ArgumentNullException.ThrowIfNull(receiptCode);
        return Encoding.ASCII.GetBytes(receiptCode.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal)
            .ToUpperInvariant());
    }

    private void Derive(ReadOnlySpan<byte> label, ReadOnlySpan<byte> input, Span<byte> mac)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _pepper);
        hmac.AppendData(label);
        hmac.AppendData(input);
        hmac.GetHashAndReset(mac);
    }

    /// <summary>The low 100 bits of <paramref name="bits"/> (13 bytes) as 20 Crockford base32 characters in groups of five.</summary>
    private static string Format(ReadOnlySpan<byte> bits)
    {
        Span<char> code = stackalloc char[Characters + 3];
        var value = new System.Numerics.BigInteger(bits, isUnsigned: true);
        var written = 0;
        for (var i = 0; i < Characters; i++)
        {
            if (i > 0 && i % 5 == 0)
            {
                code[written++] = '-';
            }

            code[written++] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(code[..written]);
    }
}
