using Google.Protobuf.WellKnownTypes;

namespace TipIntake.LocalHost.Worker;

/// <summary>
/// The worker process and its event stream, kept running the way the Functions host keeps it: started with the app's
/// settings in its environment, initialised (<c>WorkerInitRequest</c>), asked for its functions
/// (<c>FunctionsMetadataRequest</c>, indexed by the worker itself) and told to load each; restarted when it dies, at
/// most <see cref="MaxRestarts"/> times in <see cref="RestartWindow"/>, after which the local host stops rather than
/// serve without it; stopped with <c>WorkerTerminate</c>. While it is not ready, invocations fail at once with
/// <see cref="WorkerUnavailableException"/>: nothing waits for a worker that is not there.
/// </summary>
public sealed partial class FunctionsWorker : IAsyncDisposable
{
    public const int MaxRestarts = 3;
    public static readonly TimeSpan RestartWindow = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan TerminateGrace = TimeSpan.FromSeconds(10);

    private readonly FunctionsApp _app;
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly RpcServer _server;
    private readonly WorkerChannels _channels;
    private readonly WorkerLogs _logs;
    private readonly WorkerConsole _console;
    private readonly ILogger _logger;
    private readonly Queue<DateTimeOffset> _restarts = new();
    private readonly CancellationTokenSource _stopping = new();
    private Running? _running;
    private Action<string>? _giveUp;

    private FunctionsWorker(FunctionsApp app, IReadOnlyDictionary<string, string?> environment, RpcServer server, WorkerChannels channels, ILoggerFactory loggers)
    {
        _app = app;
        _environment = environment;
        _server = server;
        _channels = channels;
        _logs = new WorkerLogs(loggers);
        _console = new WorkerConsole(loggers);
        _logger = loggers.CreateLogger("Host.LocalHost.Worker");
    }

    /// <summary>The functions the worker indexed, in its order.</summary>
    public IReadOnlyList<WorkerFunction> Functions { get; private set; } = [];

    /// <summary>Where the worker's ASP.NET Core integration listens (its <c>HttpUri</c> capability).</summary>
    public Uri HttpUri => _running?.HttpUri ?? throw new WorkerUnavailableException();

    /// <summary>The process id of the running worker, or null while there is none.</summary>
    public int? ProcessId => _running?.Process.Id;

    public FunctionsApp App => _app;

    /// <summary>Starts the worker and waits until every function is loaded; throws with the worker's last output if it cannot.</summary>
    public static async Task<FunctionsWorker> StartAsync(
        FunctionsApp app, IReadOnlyDictionary<string, string?> environment, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        var channels = new WorkerChannels();
        var server = await RpcServer.StartAsync(channels, loggers, cancellationToken).ConfigureAwait(false);
        var worker = new FunctionsWorker(app, environment, server, channels, loggers);
        try
        {
            var running = await worker.LaunchAsync(cancellationToken).ConfigureAwait(false);
            worker.Functions = running.Functions.Values.ToList();
            worker.Adopt(running);
            return worker;
        }
        catch
        {
            await worker.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>What to do when the worker cannot be kept running (the local host stops its application).</summary>
    public void OnGiveUp(Action<string> giveUp) => _giveUp = giveUp;

    /// <summary>Sends one invocation of <paramref name="functionName"/> and returns the worker's answer.</summary>
    internal async Task<InvocationResponse> InvokeAsync(
        string functionName, string invocationId, ParameterBinding input, IEnumerable<KeyValuePair<string, TypedData>> triggerMetadata, CancellationToken cancellationToken)
    {
        var running = _running ?? throw new WorkerUnavailableException("The Functions worker is restarting.");
        if (!running.Functions.TryGetValue(functionName, out var function))
        {
            throw new InvalidOperationException($"The worker has no function {functionName}.");
        }

        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.Id,
            InputData = { input },
            TraceContext = new RpcTraceContext { TraceParent = Activity.Current?.Id ?? NewTraceParent() },
        };
        foreach (var (name, value) in triggerMetadata)
        {
            request.TriggerMetadata[name] = value;
        }

        return await running.Channel.InvokeAsync(request, functionName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A W3C traceparent of random ids, as the Functions host sends when no activity is running.</summary>
    private static string NewTraceParent() => $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-00";

    /// <summary>Ends the running worker at once (SIGKILL), as a crash would; the host then restarts it.</summary>
    public void Kill() => _running?.Process.Kill();

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        var running = Interlocked.Exchange(ref _running, null);
        if (running is not null)
        {
            await TerminateAsync(running).ConfigureAwait(false);
        }

        await _server.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task TerminateAsync(Running running)
    {
        try
        {
            running.Channel.Post(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(TerminateGrace) } });
            var exitCode = await running.Process.Exited.WaitAsync(TerminateGrace).ConfigureAwait(false);
            Log.WorkerStopped(_logger, running.Process.Id, exitCode);
        }
        catch (Exception ex) when (ex is TimeoutException or WorkerUnavailableException)
        {
            // It did not stop in time (or its stream was already gone): it is killed below.
        }

        running.Channel.Close();
        await running.Process.DisposeAsync().ConfigureAwait(false);
    }

    private void Adopt(Running running)
    {
        _running = running;
        _ = WatchAsync(running);
    }

    private async Task WatchAsync(Running running)
    {
        var exitCode = await running.Process.Exited.ConfigureAwait(false);
        if (_stopping.IsCancellationRequested || Interlocked.CompareExchange(ref _running, null, running) != running)
        {
            return;
        }

        Log.WorkerExited(_logger, running.Process.Id, exitCode);
        running.Channel.Close();
        await running.Process.DisposeAsync().ConfigureAwait(false);
        while (!_stopping.IsCancellationRequested)
        {
            var now = DateTimeOffset.UtcNow;
            while (_restarts.Count > 0 && now - _restarts.Peek() > RestartWindow)
            {
                _restarts.Dequeue();
            }

            if (_restarts.Count >= MaxRestarts)
            {
                GiveUp($"it exited {MaxRestarts + 1} times within {RestartWindow}.");
                return;
            }

            _restarts.Enqueue(now);
            Log.WorkerRestarting(_logger, _restarts.Count, MaxRestarts, RestartWindow);
            try
            {
                var restarted = await LaunchAsync(_stopping.Token).ConfigureAwait(false);
                if (!restarted.Functions.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(Functions.Select(f => f.Name)))
                {
                    await TerminateAsync(restarted).ConfigureAwait(false);
                    GiveUp("the restarted worker has other functions than the one the local host started with; restart the local host.");
                    return;
                }

                if (_stopping.IsCancellationRequested)
                {
                    await TerminateAsync(restarted).ConfigureAwait(false);
                    return;
                }

                Adopt(restarted);
                return;
            }
            catch (Exception ex) when (ex is WorkerStartException or WorkerUnavailableException or TimeoutException)
            {
                Log.WorkerExited(_logger, -1, -1);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void GiveUp(string reason)
    {
        Log.WorkerGivenUp(_logger, reason);
        _giveUp?.Invoke(reason);
    }

    private async Task<Running> LaunchAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var channel = new WorkerChannel(Guid.NewGuid().ToString(), _logs);
        _channels.Expect(channel);
        var process = WorkerProcess.Start(_app, _server.Uri, channel.WorkerId, _environment, _console);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            var first = await Task.WhenAny(channel.Connected, process.Exited, Task.Delay(Timeout.Infinite, timeout.Token)).ConfigureAwait(false);
            if (first != channel.Connected)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new WorkerStartException(first == process.Exited
                    ? $"The Functions worker exited (code {await process.Exited.ConfigureAwait(false)}) before it connected."
                    : $"The Functions worker did not connect within {ConnectTimeout.TotalSeconds} s.", process.Tail);
            }

            var functions = await HandshakeAsync(channel, process, cancellationToken).ConfigureAwait(false);
            var running = new Running(process, channel, functions.HttpUri, functions.Functions);
            Log.WorkerReady(_logger, process.Id, clock.ElapsedMilliseconds, functions.Functions.Count);
            return running;
        }
        catch
        {
            _channels.Forget(channel);
            channel.Close();
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<(Uri? HttpUri, Dictionary<string, WorkerFunction> Functions)> HandshakeAsync(
        WorkerChannel channel, WorkerProcess process, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnswerTimeout);
        try
        {
            var init = (await channel.RequestAsync(
                new StreamingMessage
                {
                    WorkerInitRequest = new WorkerInitRequest
                    {
                        HostVersion = "4.0.0-tipintake-localhost",
                        WorkerDirectory = _app.Directory,
                        FunctionAppDirectory = _app.Directory,
                    },
                },
                timeout.Token).ConfigureAwait(false)).WorkerInitResponse;
            Expect(init.Result, "initialise", process);
            var httpUri = init.Capabilities.TryGetValue("HttpUri", out var uri) && Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed : null;

            var metadata = (await channel.RequestAsync(
                new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = _app.Directory } },
                timeout.Token).ConfigureAwait(false)).FunctionMetadataResponse;
            Expect(metadata.Result, "index its functions", process);
            if (metadata.UseDefaultMetadataIndexing)
            {
                throw new WorkerStartException("The worker asked the host to index the functions itself (functions.json); this host only takes worker-indexed metadata.", process.Tail);
            }

            var functions = metadata.FunctionMetadataResults.Select(result => new WorkerFunction(result)).ToDictionary(f => f.Name, StringComparer.Ordinal);
            var loads = await Task.WhenAll(functions.Values.Select(f => channel.LoadAsync(f.LoadRequest(), timeout.Token))).ConfigureAwait(false);
            foreach (var load in loads)
            {
                Expect(load.FunctionLoadResponse.Result, $"load function {load.FunctionLoadResponse.FunctionId}", process);
            }

            if (httpUri is null && functions.Values.Any(f => f.IsHttp))
            {
                throw new WorkerStartException("The worker has HTTP functions but no HttpUri capability: it must use the ASP.NET Core integration (ConfigureFunctionsWebApplication).", process.Tail);
            }

            return (httpUri, functions);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WorkerStartException($"The Functions worker did not answer within {AnswerTimeout.TotalSeconds} s.", process.Tail);
        }
        catch (WorkerUnavailableException ex)
        {
            throw new WorkerStartException("The Functions worker's stream ended during its start: " + ex.Message, process.Tail);
        }
    }

    private static void Expect(StatusResult? result, string what, WorkerProcess process)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new WorkerStartException($"The Functions worker could not {what}: {result?.Exception?.Message ?? result?.Result ?? "no answer"}", process.Tail);
        }
    }

    private sealed record Running(WorkerProcess Process, WorkerChannel Channel, Uri? HttpUri, Dictionary<string, WorkerFunction> Functions)
    {
        public Uri HttpUri { get; } = HttpUri ?? new Uri("http://127.0.0.1:1/");
    }

    private static partial class Log
    {
        [LoggerMessage(9002, LogLevel.Information, "Functions worker {ProcessId} ready in {ElapsedMs} ms: {FunctionCount} functions loaded")]
        public static partial void WorkerReady(ILogger logger, int processId, long elapsedMs, int functionCount);

        [LoggerMessage(9003, LogLevel.Error, "Functions worker {ProcessId} exited unexpectedly (exit code {ExitCode})")]
        public static partial void WorkerExited(ILogger logger, int processId, int exitCode);

        [LoggerMessage(9004, LogLevel.Warning, "Restarting the Functions worker (restart {Restart} of at most {MaxRestarts} within {Window})")]
        public static partial void WorkerRestarting(ILogger logger, int restart, int maxRestarts, TimeSpan window);

        [LoggerMessage(9005, LogLevel.Critical, "The Functions worker cannot be kept running; stopping the local host: {Reason}")]
        public static partial void WorkerGivenUp(ILogger logger, string reason);

        [LoggerMessage(9006, LogLevel.Information, "Functions worker {ProcessId} stopped (exit code {ExitCode})")]
        public static partial void WorkerStopped(ILogger logger, int processId, int exitCode);
    }
}

/// <summary>The worker could not be started; the message says why and <see cref="WorkerOutput"/> holds its last output.</summary>
public sealed class WorkerStartException : Exception
{
    public WorkerStartException()
    {
    }

    public WorkerStartException(string message)
        : base(message)
    {
    }

    public WorkerStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WorkerStartException(string message, string workerOutput)
        : base(message + (string.IsNullOrWhiteSpace(workerOutput) ? "" : Environment.NewLine + "Its last output:" + Environment.NewLine + workerOutput)) =>
        WorkerOutput = workerOutput;

    public string WorkerOutput { get; } = "";
}
