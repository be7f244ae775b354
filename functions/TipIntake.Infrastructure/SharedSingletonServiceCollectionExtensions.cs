namespace TipIntake.Infrastructure;

/// <summary>How a store that serves several of the core's interfaces is registered: one instance behind all of them.</summary>
public static class SharedSingletonServiceCollectionExtensions
{
    /// <summary>
    /// Adds <typeparamref name="TImplementation"/> as a singleton (unless already there) and each of
    /// <paramref name="serviceTypes"/> as that same instance, each only where it is not registered yet.
    /// </summary>
    public static IServiceCollection TryAddSingletonServing<TImplementation>(this IServiceCollection services, params Type[] serviceTypes)
        where TImplementation : class
    {
        ArgumentNullException.ThrowIfNull(serviceTypes);
        services.TryAddSingleton<TImplementation>();
        foreach (var serviceType in serviceTypes)
        {
            if (!serviceType.IsAssignableFrom(typeof(TImplementation)))
            {
                throw new ArgumentException($"{typeof(TImplementation).Name} is not a {serviceType.Name}.", nameof(serviceTypes));
            }

            services.TryAdd(ServiceDescriptor.Singleton(serviceType, provider => provider.GetRequiredService<TImplementation>()));
        }

        return services;
    }
}
