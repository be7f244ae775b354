using Microsoft.IdentityModel.Tokens;

namespace TipIntake.Infrastructure.Staff;

/// <summary>
/// What the validator needs to accept development tokens: the public half of the <see cref="DevelopmentTokenIssuer"/>'s
/// key and the audience it issues for. The issuer lives in the local host, which hands the worker this public key (a
/// JWK) in <c>Triage:Auth:DevelopmentSigningKey</c>; <see cref="EntraIdTokenValidator"/> trusts it in the Development
/// environment only, whatever is configured. The private key never leaves the local host's memory. See docs/staff-auth.md.
/// </summary>
public sealed record DevelopmentTokenTrust(SecurityKey ValidationKey, string Audience)
{
    public const string SettingName = StaffAuthOptions.SectionName + ":DevelopmentSigningKey";

    /// <summary>The trust from a public JWK (kty RSA, kid, n, e) as <see cref="DevelopmentTokenIssuer.PublicJwk"/> writes it.</summary>
    public static DevelopmentTokenTrust FromJwk(string jwk, StaffAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        JsonWebKey key;
        try
        {
            key = new JsonWebKey(jwk);
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException)
        {
            throw new InvalidOperationException($"{SettingName} is not a JSON web key.", ex);
        }

        if (key.Kty != JsonWebAlgorithmsKeyTypes.RSA || key.HasPrivateKey || string.IsNullOrEmpty(key.N) || string.IsNullOrEmpty(key.E))
        {
            throw new InvalidOperationException($"{SettingName} must be the public half of an RSA key.");
        }

        return new DevelopmentTokenTrust(key, DevelopmentTokenIssuer.AudienceFor(options));
    }
}
