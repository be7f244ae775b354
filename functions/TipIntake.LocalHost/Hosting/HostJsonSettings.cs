using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.Configuration;

namespace TipIntake.LocalHost.Hosting;

/// <summary>
/// The parts of the repository's host.json the local host honours, read the way the Functions host reads them:
/// host.json first, then app settings named <c>AzureFunctionsJobHost__…</c> override single values.
/// </summary>
public sealed class HostJsonSettings
{
    private readonly IConfiguration _settings;

    private HostJsonSettings(IConfiguration settings) => _settings = settings;

    public string RoutePrefix => _settings["extensions:http:routePrefix"] ?? "api";

    public static HostJsonSettings Load(string path, IConfiguration appSettings)
    {
        ArgumentNullException.ThrowIfNull(appSettings);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"host.json was not found at {path}; it is linked from the repository root into the build output.", path);
        }

        var overrides = appSettings.GetSection("AzureFunctionsJobHost").AsEnumerable(makePathsRelative: true)
            .Where(pair => pair.Value is not null);
        var settings = new ConfigurationBuilder()
            .AddJsonFile(path, optional: false, reloadOnChange: false)
            .AddInMemoryCollection(overrides)
            .Build();
        return new HostJsonSettings(settings);
    }

    /// <summary>Applies <c>extensions.queues</c> (batchSize, newBatchThreshold, maxPollingInterval, visibilityTimeout, maxDequeueCount, messageEncoding).</summary>
    public void ApplyTo(QueuesOptions options) => _settings.GetSection("extensions:queues").Bind(options);
}
