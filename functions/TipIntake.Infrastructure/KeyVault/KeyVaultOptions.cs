using System.ComponentModel.DataAnnotations;

namespace TipIntake.Infrastructure.KeyVault;

/// <summary>Section <c>KeyVault</c>: where the intake key lives in Azure (Key Vault or Managed HSM).</summary>
public sealed class KeyVaultOptions : IValidatableObject
{
    public const string SectionName = "KeyVault";

    /// <summary>e.g. <c>https://kv-tipintake.vault.azure.net/</c> or <c>https://hsm-tipintake.managedhsm.azure.net/</c>.</summary>
    public Uri? VaultUri { get; set; }

    public string? KeyName { get; set; }

    /// <summary>How long the current public key is served from memory before Key Vault is asked again.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan PublicKeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>If Key Vault cannot be reached, a public key this old may still be served (it only encrypts).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan PublicKeyMaxStaleness { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Skip the check that the authentication challenge's resource is in the vault's domain.</summary>
    public bool DisableChallengeResourceVerification { get; set; }

    public bool IsConfigured => VaultUri is not null || !string.IsNullOrEmpty(KeyName);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            yield break;
        }

        if (VaultUri is not { IsAbsoluteUri: true } || VaultUri.Scheme != Uri.UriSchemeHttps || VaultUri.AbsolutePath != "/")
        {
            yield return new ValidationResult("KeyVault:VaultUri must be the vault's https URI, such as https://my-vault.vault.azure.net/.", [nameof(VaultUri)]);
        }

        if (KeyName is null || !Core.Keys.KeyIdentifier.IsKeyName(KeyName))
        {
            yield return new ValidationResult("KeyVault:KeyName must name the intake key (1-127 letters, digits and dashes).", [nameof(KeyName)]);
        }
    }
}

/// <summary>Checks <see cref="KeyVaultOptions"/> at start-up: generated at compile time from its annotations and its own checks.</summary>
[OptionsValidator]
public sealed partial class KeyVaultOptionsValidator : IValidateOptions<KeyVaultOptions>;
