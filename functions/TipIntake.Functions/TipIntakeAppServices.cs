using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TipIntake.Functions.Web;
using TipIntake.Infrastructure;

namespace TipIntake.Functions;

/// <summary>What the Functions app registers, called by its own <c>Program</c> and by the local host alike.</summary>
public static class TipIntakeAppServices
{
    public static IServiceCollection AddTipIntakeApp(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddTipIntake(configuration, environment);
        services.AddSingleton<Translations>();
        services.AddSingleton<Pages>();
        services.AddSingleton<WebAssets>();
        return services;
    }
}
