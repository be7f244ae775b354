using TipIntake.Core.Routing;
using TipIntake.Infrastructure.Attachments;
using TipIntake.Infrastructure.Backup;
using TipIntake.Infrastructure.FollowUp;
using TipIntake.Infrastructure.KeyVault;
using TipIntake.Infrastructure.Retention;
using TipIntake.Infrastructure.Staff;

namespace TipIntake.Infrastructure;

/// <summary>The one registration both hosts call: the Functions app's <c>Program</c> and the local host's.</summary>
public static class TipIntakeServiceCollectionExtensions
{
    public const string ReceiptPepperFileName = "receipt-pepper";

    /// <summary>The salt Development used before the pepper; read, if it is there, to verify old local receipts.</summary>
    public const string ReceiptSaltFileName = "receipt-salt";

    public static IServiceCollection AddTipIntake(
        this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        services.TryAddSingleton(TimeProvider.System);

        services.AddValidatedOptions<IntakeOptions, IntakeOptionsValidator>(IntakeOptions.SectionName);
        services.AddValidatedOptions<RoutingOptions, RoutingOptionsValidator>(RoutingOptions.SectionName);
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName);
        services.AddOptions<LocalDevelopmentKeyOptions>().BindConfiguration(LocalDevelopmentKeyOptions.SectionName);
        services.AddValidatedOptions<KeyVaultOptions, KeyVaultOptionsValidator>(KeyVaultOptions.SectionName)
            .Validate(
                keyVault => keyVault.IsConfigured || environment.IsDevelopment(),
                "Refusing to start: outside the Development environment the intake key must come from Key Vault. "
                + "Set KeyVault__VaultUri and KeyVault__KeyName; the local development key is never used outside Development.");

        // The Key Vault budget: 40 unwraps a second with Key Vault (its ~50 a second per vault, less what intake reads),
        // none with the local development key. Processing__UnwrapsPerSecond overrides either.
        services.PostConfigure<ProcessingOptions>(options =>
        {
            if (configuration[$"{ProcessingOptions.SectionName}:{nameof(ProcessingOptions.UnwrapsPerSecond)}"] is null)
            {
                options.UnwrapsPerSecond = new KeyVaultOptions { VaultUri = configuration.GetValue<Uri?>("KeyVault:VaultUri"), KeyName = configuration["KeyVault:KeyName"] }.IsConfigured ? 40 : 0;
            }
        });

        if (environment.IsDevelopment())
        {
            // A developer's first run needs no setup: the pepper is made once, like the development key (git-ignored,
            // readable by this user only).
            services.PostConfigure<IntakeOptions>(options =>
            {
                if (string.IsNullOrEmpty(options.ReceiptPepper))
                {
                    options.ReceiptPepper = LocalState.DevelopmentSecret(ReceiptPepperFileName);
                }

                var salt = Path.Combine(LocalState.DefaultFolder(), ReceiptSaltFileName);
                if (string.IsNullOrEmpty(options.ReceiptSalt) && File.Exists(salt))
                {
                    options.ReceiptSalt = Convert.ToBase64String(File.ReadAllBytes(salt));
                }
            });
        }

        services.AddStorageClients(configuration);
        services.AddSingleton<ITipInbox, QueueTipInbox>();
        services.AddSingleton<IClaimCheckStore, BlobClaimCheckStore>();
        services.AddSingleton<ITipStore, TableTipStore>();
        services.AddSingleton<IQuarantine, TableQuarantine>();
        services.AddHostedService<StorageInitializer>();

        services.TryAddSingleton<TokenCredential>(_ => AzureCredentials.Create());
        services.TryAddSingleton(provider => new KeyVaultKeysClientOptions
        {
            DisableChallengeResourceVerification = provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value.DisableChallengeResourceVerification,
        });
        services.TryAddSingleton(provider => new KeyVaultKeysClient(
            provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value.VaultUri
                ?? throw new InvalidOperationException("KeyVault:VaultUri is not set."),
            provider.GetRequiredService<TokenCredential>(),
            provider.GetRequiredService<KeyVaultKeysClientOptions>()));

        // Key Vault whenever it is configured; the development key only in Development without it.
        services.TryAddSingleton<IIntakeKey>(provider =>
            provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value.IsConfigured
                ? ActivatorUtilities.CreateInstance<KeyVaultIntakeKey>(provider)
                : environment.IsDevelopment()
                    ? ActivatorUtilities.CreateInstance<LocalDevelopmentKey>(provider)
                    : throw new InvalidOperationException("No intake key is configured for this environment."));
        services.AddHostedService<IntakeKeyVersionRefresher>();

        services.AddSingleton<ReceiptIssuer>();
        services.AddSingleton<TipRouter>();
        services.AddSingleton<Core.Logging.SubmissionRefusals>();
        services.AddSingleton<TipIntakeService>();
        services.AddSingleton<FormIntakeService>();
        services.AddFloodControl();
        services.AddFollowUp();
        services.AddAttachments();
        services.AddSingleton<TipProcessor>();
        services.AddStaffAuthentication(configuration, environment);
        services.AddTriage(configuration, environment);
        services.AddRetention();
        services.AddValidatedOptions<IntakeKeyCheckOptions, IntakeKeyCheckOptionsValidator>(IntakeKeyCheckOptions.SectionName);
        services.AddSingleton<IntakeKeyCheck>();
        services.AddTableBackup();
        return services;
    }
}
