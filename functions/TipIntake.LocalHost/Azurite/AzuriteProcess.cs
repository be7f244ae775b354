using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace TipIntake.LocalHost.Azurite;

/// <summary>
/// Azurite (the npm package pinned in the repository's package.json) on ports the OS picks at start: it is told
/// port 0 and reports what it bound, so nothing races for a port and 10000–10002 are never assumed free.
/// Each instance gets its own accounts with random keys, so no well-known key is used anywhere. An instance that keeps
/// its data on disk can be stopped and started again on the same ports with the same keys (a storage outage, as
/// clients with the old connection strings see it).
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly IReadOnlyDictionary<string, string> _accountKeys;
    private bool _exited;

    private AzuriteProcess(Process process, IReadOnlyDictionary<string, string> accountKeys, string? location, Uri blob, Uri queue, Uri table)
    {
        _process = process;
        _accountKeys = accountKeys;
        Location = location;
        BlobEndpoint = blob;
        QueueEndpoint = queue;
        TableEndpoint = table;
    }

    /// <summary>The folder Azurite keeps its data in, or null when it keeps it in memory.</summary>
    public string? Location { get; }

    public Uri BlobEndpoint { get; }

    public Uri QueueEndpoint { get; }

    public Uri TableEndpoint { get; }

    public IReadOnlyCollection<string> Accounts => (IReadOnlyCollection<string>)_accountKeys.Keys;

    public bool HasExited => _exited || _process.HasExited;

    /// <summary>The Node.js process's id (the benchmarks read its CPU time, since it is often the bottleneck).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts Azurite with <paramref name="accounts"/>; keeps data in <paramref name="location"/>, or in memory when null.</summary>
    public static Task<AzuriteProcess> StartAsync(IReadOnlyList<string> accounts, string? location, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        var keys = accounts.ToDictionary(a => a, _ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)), StringComparer.Ordinal);
        return StartAsync(keys, location, (0, 0, 0), cancellationToken);
    }

    /// <summary>
    /// Starts Azurite again where a stopped <paramref name="previous"/> instance was: its ports, accounts, keys and
    /// on-disk data, so that connection strings made for it keep working. The only place a fixed port is used, and
    /// only ports the OS gave the first instance.
    /// </summary>
    public static Task<AzuriteProcess> StartAsync(AzuriteProcess previous, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(previous);
        if (previous.Location is null)
        {
            throw new InvalidOperationException("Only an Azurite that keeps its data on disk can be started again.");
        }

        if (!previous.HasExited)
        {
            throw new InvalidOperationException("Stop the previous Azurite before starting it again on its ports.");
        }

        return StartAsync(
            previous._accountKeys, previous.Location, (previous.BlobEndpoint.Port, previous.QueueEndpoint.Port, previous.TableEndpoint.Port), cancellationToken);
    }

    /// <summary>
    /// Preloaded into Node.js: files Azurite makes are this user's only (umask 077: tips in plaintext live in its
    /// table database), and Azurite exits when the process that started it is gone. Its stdin is a pipe from this
    /// process, which the OS closes when this process ends however it ends; without this, a test host killed by its
    /// runner (no ProcessExit, no Dispose) left its Azurite running — one orphan per test run. The stream is unref'd so
    /// that it never keeps Azurite alive after a graceful stop.
    /// </summary>
    private const string ExitWithParent =
        "data:text/javascript,process.umask(0o077);process.stdin.on('end',()=>process.exit(0));process.stdin.on('error',()=>process.exit(0));"
        + "process.stdin.resume();process.stdin.unref();";

    private static async Task<AzuriteProcess> StartAsync(
        IReadOnlyDictionary<string, string> keys, string? location, (int Blob, int Queue, int Table) ports, CancellationToken cancellationToken)
    {
        var script = await NodeTools.EnsureAzuriteAsync(cancellationToken).ConfigureAwait(false);
        var start = new ProcessStartInfo(NodeTools.Node)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = location ?? Path.GetTempPath(),
        };
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        foreach (var argument in (string[])["--import", ExitWithParent, script, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
                     "--blobHost", "127.0.0.1", "--blobPort", ports.Blob.ToString(invariant),
                     "--queueHost", "127.0.0.1", "--queuePort", ports.Queue.ToString(invariant),
                     "--tableHost", "127.0.0.1", "--tablePort", ports.Table.ToString(invariant)])
        {
            start.ArgumentList.Add(argument);
        }

        if (location is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            RestrictToOwner(location);
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(location);
        }

        start.Environment["AZURITE_ACCOUNTS"] = string.Join(';', keys.Select(pair => $"{pair.Key}:{pair.Value}"));
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Node.js for Azurite.");
        try
        {
            var endpoints = await ReadEndpointsAsync(process, cancellationToken).ConfigureAwait(false);
            return new AzuriteProcess(process, keys, location, endpoints["Blob"], endpoints["Queue"], endpoints["Table"]);
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stops Azurite the way an operator would (SIGTERM), so that it closes its servers and writes its on-disk
    /// database; kills it if it has not exited within <paramref name="timeout"/>, or where there is no SIGTERM (Windows).
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (HasExited)
        {
            await DisposeAsync().ConfigureAwait(false);
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            using var signal = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
            if (signal is not null)
            {
                await signal.WaitForExitAsync().ConfigureAwait(false);
            }

            using var wait = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Did not exit in time: killed below.
            }
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Makes <paramref name="location"/> and everything already in it readable by this user only (directories 0700,
    /// files 0600): Azurite's table database holds the processed tips in plaintext. Earlier runs left them 0644.
    /// </summary>
    internal static void RestrictToOwner(string location)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(location);
            return;
        }

        const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Directory.CreateDirectory(location, Folder);
        System.IO.File.SetUnixFileMode(location, Folder);
        foreach (var entry in new DirectoryInfo(location).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LinkTarget is null)
            {
                entry.UnixFileMode = entry is DirectoryInfo ? Folder : File;
            }
        }
    }

    /// <summary>A connection string for one of this instance's accounts, as <c>AzureWebJobsStorage</c> takes it.</summary>
    public string ConnectionString(string account) =>
        $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={_accountKeys[account]};"
        + $"BlobEndpoint={BlobEndpoint}{account};QueueEndpoint={QueueEndpoint}{account};TableEndpoint={TableEndpoint}{account};";

    public async ValueTask DisposeAsync()
    {
        if (_exited)
        {
            return;
        }

        Stop(_process);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _exited = true;
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    private static async Task<Dictionary<string, Uri>> ReadEndpointsAsync(Process process, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var endpoints = new Dictionary<string, Uri>(StringComparer.Ordinal);
        try
        {
            while (endpoints.Count < 3)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false)
                    ?? throw new InvalidOperationException(
                        $"Azurite exited before it was ready (exit code {(process.WaitForExit(5000) ? process.ExitCode : -1)}): {await stderr.ConfigureAwait(false)}");
                var match = ListeningLine().Match(line);
                if (match.Success)
                {
                    endpoints[match.Groups["service"].Value] = new Uri(match.Groups["url"].Value.TrimEnd('/') + "/");
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Azurite did not report its three endpoints within {StartTimeout.TotalSeconds} s.");
        }

        // Keep draining stdout so that Azurite never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        return endpoints;
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at (?<url>http://\S+)")]
    private static partial Regex ListeningLine();
}
