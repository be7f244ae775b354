using TipIntake.Core.Jwe;

namespace TipIntake.Core.FollowUp;

/// <summary>P-256 public keys from JWK coordinates: the framework checks the point when it imports it.</summary>
public static class P256PublicKeys
{
    /// <summary>The coordinates' length in a JWK: 32 bytes, unpadded base64url.</summary>
    public const int CoordinateLength = 43;

    /// <summary>The key, or null when the coordinates are not 43 base64url characters each or not a point of the curve.</summary>
    public static ECDiffieHellman? Import(string? x, string? y) =>
        x is { Length: CoordinateLength } && y is { Length: CoordinateLength } && JoseBase64.TryDecode(x, out var qx) && JoseBase64.TryDecode(y, out var qy)
            ? Import(qx, qy)
            : null;

    /// <summary>The key, or null when (<paramref name="x"/>, <paramref name="y"/>) is not a point of P-256.</summary>
    public static ECDiffieHellman? Import(byte[] x, byte[] y)
    {
        try
        {
            return ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public static bool IsPoint(string? x, string? y)
    {
        using var key = Import(x, y);
        return key is not null;
    }
}
