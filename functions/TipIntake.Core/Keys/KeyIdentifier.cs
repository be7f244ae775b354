using System.Diagnostics.CodeAnalysis;

namespace TipIntake.Core.Keys;

/// <summary>A Key Vault key identifier with its version: <c>https://{vault-host}/keys/{name}/{version}</c>.</summary>
public sealed record KeyIdentifier(string VaultHost, string Name, string Version)
{
    public override string ToString() => $"https://{VaultHost}/keys/{Name}/{Version}";

    /// <summary>Parses a versioned key identifier; a versionless one, another scheme, a query or a fragment are refused.</summary>
    public static bool TryParse(string? keyId, [NotNullWhen(true)] out KeyIdentifier? identifier)
    {
        identifier = null;
        if (keyId is null || keyId.Length > Jwe.JweParser.MaxKeyIdLength
            || !Uri.TryCreate(keyId, UriKind.Absolute, out var uri)
            || uri.Scheme != Uri.UriSchemeHttps || !uri.IsDefaultPort || uri.UserInfo.Length > 0
            || uri.Query.Length > 0 || uri.Fragment.Length > 0
            || !string.Equals(uri.OriginalString, uri.GetLeftPart(UriPartial.Path), StringComparison.Ordinal))
        {
            return false;
        }

        var segments = uri.AbsolutePath.Split('/');
        if (segments is not ["", "keys", var name, var version] || !IsKeyName(name) || !IsVersion(version))
        {
            return false;
        }

        identifier = new KeyIdentifier(uri.Host, name, version);
        return true;
    }

    /// <summary>Key Vault names: 1–127 letters, digits and dashes.</summary>
    public static bool IsKeyName(string name) =>
        name.Length is >= 1 and <= 127 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>Key Vault versions are 32 lower-case hex digits.</summary>
    public static bool IsVersion(string version) =>
        version.Length == 32 && version.All(char.IsAsciiHexDigitLower);
}
