using TipIntake.Core.Keys;

namespace TipIntake.Core.Tests.Keys;

public class KeyIdentifierTests
{
    private const string Version = "0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("https://x.vault.azure.net/keys/name/" + Version, "x.vault.azure.net", "name")]
    [InlineData("https://tips-prod-kv.vault.azure.net/keys/intake-key/" + Version, "tips-prod-kv.vault.azure.net", "intake-key")]
    [InlineData("https://kv.vault.azure.net/keys/Intake2/" + Version, "kv.vault.azure.net", "Intake2")]
    public void Versioned_key_identifier_is_accepted(string keyId, string host, string name)
    {
        Assert.True(KeyIdentifier.TryParse(keyId, out var identifier));

        Assert.Equal(new KeyIdentifier(host, name, Version), identifier);
        Assert.Equal(keyId, identifier.ToString());
    }

    [Theory]
    [InlineData("http://x.vault.azure.net/keys/name/" + Version)]
    [InlineData("ftp://x.vault.azure.net/keys/name/" + Version)]
    [InlineData("https://x.vault.azure.net/keys/name")]
    [InlineData("https://x.vault.azure.net/keys/name/")]
    [InlineData("https://x.vault.azure.net/keys/name/0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("https://x.vault.azure.net/keys/name/0123456789abcdef0123456789abcde")]
    [InlineData("https://x.vault.azure.net/keys/name/0123456789abcdef0123456789abcdef0")]
    [InlineData("https://x.vault.azure.net/keys/name/0123456789abcdef0123456789abcdeg")]
    [InlineData("https://x.vault.azure.net/keys/name/" + Version + "/extra")]
    [InlineData("https://x.vault.azure.net/keys/name/" + Version + "/")]
    [InlineData("https://x.vault.azure.net/extra/keys/name/" + Version)]
    [InlineData("https://x.vault.azure.net/secrets/name/" + Version)]
    [InlineData("https://x.vault.azure.net/keys/na.me/" + Version)]
    [InlineData("https://x.vault.azure.net/keys/na%20me/" + Version)]
    [InlineData("https://x.vault.azure.net/keys//" + Version)]
    [InlineData("https://x.vault.azure.net/keys/name/" + Version + "?api-version=7.4")]
    [InlineData("https://x.vault.azure.net/keys/name/" + Version + "?")]
    [InlineData("https://x.vault.azure.net/keys/name/" + Version + "#frag")]
    [InlineData("https://x.vault.azure.net/keys/name/" + Version + "#")]
    [InlineData("https://x.vault.azure.net:8443/keys/name/" + Version)]
    [InlineData("https://x.vault.azure.net:443/keys/name/" + Version)]
    [InlineData("https://user@x.vault.azure.net/keys/name/" + Version)]
    [InlineData("https://user:pass@x.vault.azure.net/keys/name/" + Version)]
    [InlineData("https://x.vault.azure.net/keys/./name/" + Version)]
    [InlineData("https://x.vault.azure.net/keys/name/../other/" + Version)]
    [InlineData(" https://x.vault.azure.net/keys/name/" + Version)]
    [InlineData("https://x.vault.azure.net/keys/name/" + Version + " ")]
    [InlineData("/keys/name/" + Version)]
    [InlineData("intake")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_key_identifiers_are_refused(string? keyId)
    {
        Assert.False(KeyIdentifier.TryParse(keyId, out var identifier));
        Assert.Null(identifier);
    }

    [Fact]
    public void Key_identifier_longer_than_a_kid_may_be_is_refused()
    {
        var keyId = "https://x.vault.azure.net/keys/" + new string('n', 127) + "/" + Version;
        Assert.True(KeyIdentifier.TryParse(keyId, out _));

        var longHost = "https://" + new string('h', 63) + "." + new string('h', 63) + ".vault.azure.net/keys/" + new string('n', 127) + "/" + Version;
        Assert.True(longHost.Length > Core.Jwe.JweParser.MaxKeyIdLength);
        Assert.False(KeyIdentifier.TryParse(longHost, out _));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("intake-key-2", true)]
    [InlineData("", false)]
    [InlineData("intake_key", false)]
    [InlineData("intake key", false)]
    [InlineData("키", false)]
    public void Key_names_are_letters_digits_and_dashes(string name, bool valid)
    {
        Assert.Equal(valid, KeyIdentifier.IsKeyName(name));
    }

    [Fact]
    public void Key_name_is_at_most_127_characters()
    {
        Assert.True(KeyIdentifier.IsKeyName(new string('k', 127)));
        Assert.False(KeyIdentifier.IsKeyName(new string('k', 128)));
    }
}
