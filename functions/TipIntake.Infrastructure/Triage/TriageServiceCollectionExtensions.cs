using TipIntake.Infrastructure.Triage.Index;

namespace TipIntake.Infrastructure.Triage;

/// <summary>Registers the triage store, index, services and options (called by <see cref="TipIntakeServiceCollectionExtensions.AddTipIntake"/>).</summary>
public static class TriageServiceCollectionExtensions
{
    public const string IndexKeyFileName = "triage-index-key";

    public static IServiceCollection AddTriage(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        services.AddValidatedOptions<TriageOptions, TriageOptionsValidator>(TriageOptions.SectionName);
        if (environment.IsDevelopment())
        {
            // A developer's first run needs no setup: the index key is made once, like the receipt salt.
            services.PostConfigure<TriageOptions>(options =>
            {
                if (string.IsNullOrEmpty(options.IndexKey))
                {
                    options.IndexKey = LocalState.DevelopmentSecret(IndexKeyFileName);
                }
            });
        }

        services.AddSingleton(provider => new IndexHasher(
            provider.GetRequiredService<IOptions<TriageOptions>>().Value.IndexKeyBytes()
                ?? throw new InvalidOperationException("Triage:IndexKey is not valid base64.")));
        services.AddSingleton(Gazetteer.Default);
        services.AddSingleton<IIndexSets, TableIndexSets>();
        services.AddSingleton<ITipLocator, TableTipLocator>();
        services.AddSingleton<ITipRelations, TableTipRelations>();
        services.AddSingleton<ITriageStore, TableTriageStore>();
        services.AddSingleton<TriageIndexer>();
        services.AddSingleton<PendingIndexCompletion>();
        services.AddSingleton<ContentIndexer>();
        services.AddSingleton<ContentIndexWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<ContentIndexWorker>());
        services.AddSingleton<TriageService>();
        services.AddSingleton<TipFlags>();
        services.AddSingleton<TriageLists>();
        services.AddSingleton<RelatedReports>();
        services.AddSingleton<TriageIndexRepair>();

        // Fail closed: should no authenticator be registered, every triage request is refused rather than failing to start.
        services.TryAddSingleton<IStaffAuthenticator, NoStaffAuthenticator>();
        return services;
    }

    private sealed class NoStaffAuthenticator : IStaffAuthenticator
    {
        public Task<StaffAuthentication> AuthenticateAsync(string? bearerToken, CancellationToken cancellationToken) =>
            Task.FromResult<StaffAuthentication>(new StaffAuthentication.Rejected(StaffRejectionReason.NoAuthenticator));
    }
}
