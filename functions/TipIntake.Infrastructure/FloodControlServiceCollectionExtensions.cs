using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TipIntake.Core.FloodControl;

namespace TipIntake.Infrastructure;

/// <summary>Flood control (docs/flood-control.md): options validated at start-up and one <see cref="FloodGate"/>.</summary>
public static class FloodControlServiceCollectionExtensions
{
    public static IServiceCollection AddFloodControl(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<FloodControlOptions>().BindConfiguration(FloodControlOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<FloodGate>();
        return services;
    }
}
