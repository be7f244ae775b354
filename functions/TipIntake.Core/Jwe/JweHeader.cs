namespace TipIntake.Core.Jwe;

/// <summary>The protected header members this service accepts (docs/architecture.md, "Intake").</summary>
public sealed record JweHeader(string Algorithm, string Encryption, string KeyId, string ContentType);

public static class JweAlgorithms
{
    public const string KeyWrap = "RSA-OAEP-256";
    public const string ContentEncryption = "A256GCM";

    /// <summary>RFC 7515 §4.1.10 lets producers omit the "application/" prefix of <c>cty</c>; both forms mean the same.</summary>
    public const string TipV1ContentType = "application/vnd.tipintake.tip.v1+json";

    public static bool IsTipV1ContentType(string cty) =>
        string.Equals(cty, TipV1ContentType, StringComparison.OrdinalIgnoreCase)
        || string.Equals("application/" + cty, TipV1ContentType, StringComparison.OrdinalIgnoreCase);
}
