using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TipIntake.Infrastructure.Staff;

/// <summary>Registers the staff authenticator (called by <see cref="TipIntakeServiceCollectionExtensions.AddTipIntake"/>).</summary>
public static class StaffAuthenticationServiceCollectionExtensions
{
    public static IServiceCollection AddStaffAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        services.AddOptions<StaffAuthOptions>().BindConfiguration(StaffAuthOptions.SectionName);
        return services;
    }
}
