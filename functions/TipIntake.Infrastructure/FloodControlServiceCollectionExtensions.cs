using TipIntake.Infrastructure.FloodControl;

namespace TipIntake.Infrastructure;

/// <summary>
/// Flood control (docs/flood-control.md): options validated at start-up, one <see cref="FloodGate"/>, the state shared
/// across instances in table <c>FloodControl</c>, the coordinator that keeps the floor current, and the processor's
/// shared Key Vault budget.
/// </summary>
public static class FloodControlServiceCollectionExtensions
{
    public static IServiceCollection AddFloodControl(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<FloodControlOptions, FloodControlOptionsValidator>(FloodControlOptions.SectionName);
        services.AddValidatedOptions<ProcessingOptions, ProcessingOptionsValidator>(ProcessingOptions.SectionName);
        services.TryAddSingletonServing<TableFloodStore>(typeof(IFloodLedger), typeof(ISharedBucketStore));
        services.TryAddSingleton<FloodState>();
        services.TryAddSingleton<FloodGate>();
        services.TryAddSingleton<FloodCoordinator>();
        services.AddHostedService<FloodCoordinatorService>();
        services.TryAddSingleton<IUnwrapBudget, SharedUnwrapBudget>();
        return services;
    }
}
