namespace TipIntake.Infrastructure.Staff;

/// <summary>Registers the staff authenticator (called by <see cref="TipIntakeServiceCollectionExtensions.AddTipIntake"/>).</summary>
public static class StaffAuthenticationServiceCollectionExtensions
{
    public static IServiceCollection AddStaffAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        services.AddOptions<StaffAuthOptions>().BindConfiguration(StaffAuthOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StaffAuthOptions>, StaffAuthOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new EntraIdMetadataClient());
        if (environment.IsDevelopment() && !string.IsNullOrWhiteSpace(configuration[DevelopmentTokenTrust.SettingName]))
        {
            // The local host's development sign-in: its public key, given to the worker. Development only; and even if
            // registered elsewhere, the validator ignores it outside Development.
            services.TryAddSingleton(provider => DevelopmentTokenTrust.FromJwk(
                configuration[DevelopmentTokenTrust.SettingName]!, provider.GetRequiredService<IOptions<StaffAuthOptions>>().Value));
        }

        services.TryAddSingletonServing<EntraIdTokenValidator>(typeof(IStaffAuthenticator));
        services.AddHostedService<StaffAuthenticationStartup>();
        return services;
    }
}
