namespace TipIntake.Infrastructure.Keys;

/// <summary>Section <c>KeyVault</c>: where the intake key lives in Azure.</summary>
public sealed class KeyVaultOptions
{
    public const string SectionName = "KeyVault";

    public Uri? VaultUri { get; set; }

    public string? KeyName { get; set; }

    public bool IsConfigured => VaultUri is not null || !string.IsNullOrEmpty(KeyName);
}
