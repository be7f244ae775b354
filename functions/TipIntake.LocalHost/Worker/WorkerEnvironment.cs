using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;

namespace TipIntake.LocalHost.Worker;

/// <summary>
/// The worker's environment, as the Functions host makes it: the local host's own environment (inherited), the app
/// settings it was given — on its command line, in user secrets, or set by itself such as the Azurite connection
/// string — as environment variables (<c>Section:Key</c> → <c>Section__Key</c>), and the variables the Functions
/// runtime sets (<c>FUNCTIONS_WORKER_RUNTIME</c>, <c>FUNCTIONS_APPLICATION_DIRECTORY</c>, the environment name).
/// Settings that configure the local host's own web server are not passed on.
/// </summary>
internal static class WorkerEnvironment
{
    private static readonly HashSet<string> HostOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        "urls", "environment", "contentRoot", "applicationName", "http_ports", "https_ports", "Kestrel", "AllowedHosts", "hostBuilder",
    };

    /// <summary>Inherited variables that would point the worker's own web server at the local host's ports.</summary>
    private static readonly string[] Removed =
    [
        "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_HTTP_PORTS", "DOTNET_HTTPS_PORTS",
    ];

    public static Dictionary<string, string?> For(IConfiguration configuration, IHostEnvironment host, FunctionsApp app)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (configuration is IConfigurationRoot root)
        {
            foreach (var provider in root.Providers.Where(IsAppSettings))
            {
                foreach (var key in Keys(provider, null).Where(key => !HostOnly.Contains(key.Split(':')[0])))
                {
                    environment[key.Replace(":", "__", StringComparison.Ordinal)] = configuration[key];
                }
            }
        }

        foreach (var name in Removed)
        {
            environment[name] = null;
        }

        // The worker's own web server says where it listens and that it started: noise beside the local host's own lines.
        environment.TryAdd("Logging__LogLevel__Microsoft.Hosting.Lifetime", "Warning");
        environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        environment["FUNCTIONS_APPLICATION_DIRECTORY"] = app.Directory;
        environment["FUNCTIONS_WORKER_DIRECTORY"] = app.Directory;
        environment["AZURE_FUNCTIONS_ENVIRONMENT"] = host.EnvironmentName;
        environment["DOTNET_ENVIRONMENT"] = host.EnvironmentName;
        environment["ASPNETCORE_ENVIRONMENT"] = host.EnvironmentName;
        var hooks = Environment.GetEnvironmentVariable("DOTNET_STARTUP_HOOKS");
        environment["DOTNET_STARTUP_HOOKS"] = string.IsNullOrEmpty(hooks) ? ParentWatch.HookAssemblyPath : hooks + Path.PathSeparator + ParentWatch.HookAssemblyPath;
        return environment;
    }

    private static bool IsAppSettings(IConfigurationProvider provider) =>
        provider is CommandLineConfigurationProvider or MemoryConfigurationProvider
        || (provider is JsonConfigurationProvider json && string.Equals(Path.GetFileName(json.Source.Path), "secrets.json", StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> Keys(IConfigurationProvider provider, string? parent)
    {
        foreach (var child in provider.GetChildKeys([], parent).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var path = parent is null ? child : parent + ":" + child;
            if (provider.TryGet(path, out var value) && value is not null)
            {
                yield return path;
            }

            foreach (var descendant in Keys(provider, path))
            {
                yield return descendant;
            }
        }
    }
}
