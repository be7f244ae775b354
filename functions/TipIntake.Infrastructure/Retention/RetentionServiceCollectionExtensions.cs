using TipIntake.Core.Retention;

namespace TipIntake.Infrastructure.Retention;

/// <summary>Registers retention: options (validated at start-up), the table store and the service.</summary>
public static class RetentionServiceCollectionExtensions
{
    public static IServiceCollection AddRetention(this IServiceCollection services)
    {
        services.AddValidatedOptions<RetentionOptions, RetentionOptionsValidator>(RetentionOptions.SectionName);
        services.AddSingleton<IRetentionStore, TableRetentionStore>();
        services.AddSingleton<RetentionService>();
        return services;
    }
}
