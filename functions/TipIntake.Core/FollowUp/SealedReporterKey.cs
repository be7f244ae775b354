using TipIntake.Core.Jwe;

namespace TipIntake.Core.FollowUp;

/// <summary>
/// The reporter's P-256 private key as follow-up stores it (docs/follow-up.md, "Keys"): the canonical JWK
/// <c>{"crv","d","kty","x","y"}</c> sealed with AES-256-GCM under the sealing key W that only the reporter's code
/// gives. Opening it is the one moment a code proves itself; a wrong W, or a decoy, opens nothing.
/// </summary>
public static class SealedReporterKey
{
    /// <summary>The canonical JWK of a P-256 private key: three 43-character members and the fixed ones.</summary>
    public const int CanonicalJwkLength = 176;

    /// <summary>iv ‖ ciphertext ‖ tag: 204 bytes, 272 characters of base64url.</summary>
    public const int Length = AesGcmSizes.IvLength + CanonicalJwkLength + AesGcmSizes.TagLength;

    private const int CoordinateLength = 32;
    private static readonly byte[] AssociatedData = "tipintake/follow-up/sealed-key/v1"u8.ToArray();

    /// <summary>Seals <paramref name="key"/> under <paramref name="sealingKey"/> (32 bytes) with a fresh IV.</summary>
    public static byte[] Seal(ECDiffieHellman key, ReadOnlySpan<byte> sealingKey)
    {
        Span<byte> iv = stackalloc byte[AesGcmSizes.IvLength];
        RandomNumberGenerator.Fill(iv);
        return Seal(key, sealingKey, iv);
    }

    /// <summary>
    /// Seals <paramref name="key"/> under <paramref name="sealingKey"/> with the given IV. Only for a key that is itself
    /// a function of the same secret as the sealing key and the IV (the no-script path's, <see cref="FormEnrolments"/>):
    /// the same key, IV and plaintext then always go together, so an IV is never used for two different plaintexts.
    /// </summary>
    public static byte[] Seal(ECDiffieHellman key, ReadOnlySpan<byte> sealingKey, ReadOnlySpan<byte> iv)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (iv.Length != AesGcmSizes.IvLength)
        {
            throw new ArgumentException($"The IV is {AesGcmSizes.IvLength} bytes.", nameof(iv));
        }

        var parameters = key.ExportParameters(includePrivateParameters: true);
        var jwk = Encoding.ASCII.GetBytes(
            $$"""{"crv":"P-256","d":"{{JoseBase64.Encode(parameters.D)}}","kty":"EC","x":"{{JoseBase64.Encode(parameters.Q.X)}}","y":"{{JoseBase64.Encode(parameters.Q.Y)}}"}""");
        try
        {
            var sealedKey = new byte[Length];
            iv.CopyTo(sealedKey);
            using var aes = new AesGcm(sealingKey, AesGcmSizes.TagLength);
            aes.Encrypt(sealedKey.AsSpan(0, AesGcmSizes.IvLength), jwk, sealedKey.AsSpan(AesGcmSizes.IvLength, jwk.Length), sealedKey.AsSpan(AesGcmSizes.IvLength + jwk.Length), AssociatedData);
            return sealedKey;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(jwk);
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    /// <summary>The reporter's key, or null when <paramref name="sealingKey"/> does not open <paramref name="sealedKey"/>.</summary>
    public static ECDiffieHellman? Open(ReadOnlySpan<byte> sealedKey, ReadOnlySpan<byte> sealingKey)
    {
        if (sealedKey.Length != Length)
        {
            return null;
        }

        var jwk = new byte[CanonicalJwkLength];
        try
        {
            using var aes = new AesGcm(sealingKey, AesGcmSizes.TagLength);
            aes.Decrypt(sealedKey[..AesGcmSizes.IvLength], sealedKey.Slice(AesGcmSizes.IvLength, CanonicalJwkLength), sealedKey[(AesGcmSizes.IvLength + CanonicalJwkLength)..], jwk, AssociatedData);
            return Import(jwk);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(jwk);
        }
    }

    /// <summary>The RFC 7638 thumbprint of a P-256 public key: the <c>kid</c> of every message to it.</summary>
    public static string ThumbprintOf(string x, string y) => new ReporterPublicKey(x, y).Thumbprint;

    private static ECDiffieHellman? Import(byte[] jwk)
    {
        using var document = JsonDocument.Parse(jwk);
        var root = document.RootElement;
        if (root.GetProperty("kty").GetString() != "EC" || root.GetProperty("crv").GetString() != "P-256"
            || !Coordinate(root, "d", out var d) || !Coordinate(root, "x", out var x) || !Coordinate(root, "y", out var y))
        {
            return null;
        }

        try
        {
            // ImportParameters checks that the point is on the curve and belongs to d.
            return ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d, Q = new ECPoint { X = x, Y = y } });
        }
        catch (CryptographicException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    private static bool Coordinate(JsonElement jwk, string name, out byte[] value)
    {
        value = [];
        return jwk.TryGetProperty(name, out var member) && member.GetString() is { Length: 43 } text
            && JoseBase64.TryDecode(text, out value) && value.Length == CoordinateLength;
    }
}

/// <summary>The reporter's public key as stored (the JWK the processor wrote from a validated member).</summary>
public static class ReporterPublicKeyJwk
{
    /// <summary>The key's coordinates, or null when the stored text is not such a JWK.</summary>
    public static ReporterPublicKey? Parse(string? jwk)
    {
        if (jwk is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(jwk);
            return document.RootElement.TryGetProperty("x", out var x) && document.RootElement.TryGetProperty("y", out var y)
                && x.GetString() is { Length: 43 } xText && y.GetString() is { Length: 43 } yText
                ? new ReporterPublicKey(xText, yText)
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
