using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TipIntake.Core.Staff;
using TipIntake.Core.Triage;

namespace TipIntake.Infrastructure.Triage;

/// <summary>Registers the triage store, service and options (called by <see cref="TipIntakeServiceCollectionExtensions.AddTipIntake"/>).</summary>
public static class TriageServiceCollectionExtensions
{
    public static IServiceCollection AddTriage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TriageOptions>().BindConfiguration(TriageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ITriageStore, TableTriageStore>();
        services.AddSingleton<TriageService>();

        // Fail closed: should no authenticator be registered, every triage request is refused rather than failing to start.
        services.TryAddSingleton<IStaffAuthenticator, NoStaffAuthenticator>();
        return services;
    }

    private sealed class NoStaffAuthenticator : IStaffAuthenticator
    {
        public Task<StaffAuthentication> AuthenticateAsync(string? authorizationHeader, CancellationToken cancellationToken) =>
            Task.FromResult<StaffAuthentication>(new StaffAuthentication.Rejected("no-authenticator"));
    }
}
