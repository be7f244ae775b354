using TipIntake.Core.Jwe;

namespace TipIntake.Core.FollowUp;

/// <summary>
/// Messages to the reporter as compact JWEs (docs/follow-up.md, "Reading the organisation's messages"): ECDH-ES
/// direct key agreement on P-256 with A256GCM, the content key from the Concat KDF of RFC 7518 §4.6.2 (no apu/apv),
/// <c>kid</c> the RFC 7638 thumbprint of the reporter's key. The triage page makes the organisation's in WebCrypto;
/// the server makes the reporter's own copies of answers and opens messages on the no-script page with this class.
/// </summary>
public static class ReporterMessageJwe
{
    public const string ContentType = JweAlgorithms.MessageV1ContentType;
    public const string Algorithm = "ECDH-ES";

    // The Concat KDF's input after Z (RFC 7518 §4.6.2): AlgorithmID = len ‖ "A256GCM", empty PartyUInfo and
    // PartyVInfo, SuppPubInfo = the key length in bits; before Z, the round counter 1.
    private static readonly byte[] RoundCounter = [0, 0, 0, 1];
    private static readonly byte[] OtherInfo = [0, 0, 0, 7, .. "A256GCM"u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];

    /// <summary>Encrypts <paramref name="plaintext"/> to the reporter's public key (its JWK <c>x</c> and <c>y</c>).</summary>
    public static string Encrypt(ReadOnlySpan<byte> plaintext, string x, string y)
    {
        using var recipient = P256PublicKeys.Import(x, y) ?? throw new ArgumentException("Not a P-256 public key.", nameof(x));
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var epk = ephemeral.ExportParameters(includePrivateParameters: false).Q;
        var epkJson = $$"""{"kty":"EC","crv":"P-256","x":"{{JoseBase64.Encode(epk.X)}}","y":"{{JoseBase64.Encode(epk.Y)}}"}""";
        var header = JoseBase64.Encode(Encoding.ASCII.GetBytes(
            $$"""{"alg":"{{Algorithm}}","enc":"{{JweAlgorithms.ContentEncryption}}","kid":"{{SealedReporterKey.ThumbprintOf(x, y)}}","cty":"{{ContentType}}","epk":{{epkJson}}}"""));
        var contentKey = ephemeral.DeriveKeyFromHash(recipient.PublicKey, HashAlgorithmName.SHA256, RoundCounter, OtherInfo);
        try
        {
            var iv = RandomNumberGenerator.GetBytes(AesGcmSizes.IvLength);
            var ciphertext = new byte[plaintext.Length];
            var tag = new byte[AesGcmSizes.TagLength];
            using var aes = new AesGcm(contentKey, AesGcmSizes.TagLength);
            aes.Encrypt(iv, plaintext, ciphertext, tag, Encoding.ASCII.GetBytes(header));
            return $"{header}..{JoseBase64.Encode(iv)}.{JoseBase64.Encode(ciphertext)}.{JoseBase64.Encode(tag)}";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contentKey);
        }
    }

    /// <summary>The plaintext of a message to <paramref name="reporterKey"/>, or null when it is not one this key opens.</summary>
    public static byte[]? Decrypt(string compactJwe, ECDiffieHellman reporterKey)
    {
        ArgumentNullException.ThrowIfNull(compactJwe);
        ArgumentNullException.ThrowIfNull(reporterKey);
        if (Parse(compactJwe) is not { } message)
        {
            return null;
        }

        using (message.Epk)
        {
            var contentKey = reporterKey.DeriveKeyFromHash(message.Epk.PublicKey, HashAlgorithmName.SHA256, RoundCounter, OtherInfo);
            var plaintext = new byte[message.Ciphertext.Length];
            try
            {
                using var aes = new AesGcm(contentKey, AesGcmSizes.TagLength);
                aes.Decrypt(message.Iv, message.Ciphertext, message.Tag, plaintext, Encoding.ASCII.GetBytes(message.EncodedHeader));
                return plaintext;
            }
            catch (AuthenticationTagMismatchException)
            {
                return null;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(contentKey);
            }
        }
    }

    /// <summary>
    /// The <c>kid</c> of a message in exactly the shape the triage page writes (alg, enc, kid, cty and an <c>epk</c> on
    /// P-256, nothing else; no encrypted key; a 12-byte IV and a 16-byte tag), or null when it is not one. Nothing is decrypted.
    /// </summary>
    public static string? KidOfWellFormed(string compactJwe)
    {
        ArgumentNullException.ThrowIfNull(compactJwe);
        if (Parse(compactJwe) is not { } message)
        {
            return null;
        }

        using (message.Epk)
        {
            return message.HeaderMembers == 5 ? message.Kid : null;
        }
    }

    /// <summary>A message split, its header read (alg, enc, cty and the <c>epk</c>'s point checked); null when it is not a message.</summary>
    private static ParsedMessage? Parse(string compactJwe)
    {
        var parts = compactJwe.Split('.');
        if (parts.Length != 5 || parts[1].Length != 0
            || !JoseBase64.TryDecode(parts[0], out var header) || !JoseBase64.TryDecode(parts[2], out var iv)
            || !JoseBase64.TryDecode(parts[3], out var ciphertext) || !JoseBase64.TryDecode(parts[4], out var tag)
            || iv.Length != AesGcmSizes.IvLength || tag.Length != AesGcmSizes.TagLength)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(header);
            var root = document.RootElement;
            if (root.GetProperty("alg").GetString() != Algorithm
                || root.GetProperty("enc").GetString() != JweAlgorithms.ContentEncryption
                || root.GetProperty("cty").GetString() != ContentType
                || root.GetProperty("epk") is not { ValueKind: JsonValueKind.Object } epk
                || epk.GetProperty("kty").GetString() != "EC" || epk.GetProperty("crv").GetString() != "P-256"
                || P256PublicKeys.Import(epk.GetProperty("x").GetString(), epk.GetProperty("y").GetString()) is not { } ephemeral)
            {
                return null;
            }

            var kid = root.TryGetProperty("kid", out var kidMember) && kidMember.ValueKind == JsonValueKind.String ? kidMember.GetString() : null;
            return new ParsedMessage(parts[0], kid, root.EnumerateObject().Count(), ephemeral, iv, ciphertext, tag);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private sealed record ParsedMessage(string EncodedHeader, string? Kid, int HeaderMembers, ECDiffieHellman Epk, byte[] Iv, byte[] Ciphertext, byte[] Tag);
}
