namespace TipIntake.LocalHost.Hosting;

/// <summary>
/// The parts of the Functions app's host.json (the one in its build output, which the worker reads too) that the local
/// host honours, read the way the Functions host reads them: host.json first, then app settings named
/// <c>AzureFunctionsJobHost__…</c> override single values.
/// </summary>
public sealed class HostJsonSettings
{
    private readonly IConfiguration _settings;
    private readonly string _fileRoutePrefix;

    private HostJsonSettings(IConfiguration settings, string fileRoutePrefix)
    {
        _settings = settings;
        _fileRoutePrefix = fileRoutePrefix;
    }

    /// <summary>
    /// <c>extensions.http.routePrefix</c> as written in host.json (default <c>api</c>): the worker builds its routes from
    /// the file alone, so an override would only make the two disagree.
    /// </summary>
    public string RoutePrefix => _fileRoutePrefix;

    /// <summary><c>logging</c>, for the host's log filter: its <c>logLevel</c> applies to the worker's logs as in Azure.</summary>
    public IConfiguration Logging => _settings.GetSection("logging");

    public static HostJsonSettings Load(string path, IConfiguration appSettings)
    {
        ArgumentNullException.ThrowIfNull(appSettings);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"host.json was not found at {path}; the Functions app's build copies it from the repository root.", path);
        }

        var file = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
        var overrides = appSettings.GetSection("AzureFunctionsJobHost").AsEnumerable(makePathsRelative: true)
            .Where(pair => pair.Value is not null);
        var settings = new ConfigurationBuilder()
            .AddConfiguration(file)
            .AddInMemoryCollection(overrides)
            .Build();
        return new HostJsonSettings(settings, file["extensions:http:routePrefix"] ?? "api");
    }

    /// <summary>Applies <c>extensions.queues</c> (batchSize, newBatchThreshold, maxPollingInterval, visibilityTimeout, maxDequeueCount, messageEncoding).</summary>
    public void ApplyTo(QueuesOptions options) => _settings.GetSection("extensions:queues").Bind(options);
}
