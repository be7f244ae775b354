using System.Runtime.InteropServices;

namespace TipIntake.LocalHost.Worker;

/// <summary>
/// One run of the worker: <c>dotnet TipIntake.Functions.dll</c> with the arguments and environment the Functions host
/// gives it, in the app's own folder. Its stdout and stderr are handed to <see cref="WorkerConsole"/> line by line;
/// its stdin is a pipe from this process that nothing writes to, so that the worker can exit when this process is gone
/// however it ends (see <see cref="ParentWatch"/>).
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _tail = new();

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    /// <summary>Completes with the exit code when the process has exited and its output has been read to the end.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>The last lines it wrote (stdout and stderr), for an error message when it fails to start.</summary>
    public string Tail => string.Join(Environment.NewLine, _tail);

    public static WorkerProcess Start(
        FunctionsApp app, Uri rpcUri, string workerId, IReadOnlyDictionary<string, string?> environment, WorkerConsole console)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = app.Directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The switches worker 2.x reads (Functions:Worker:HostEndpoint, WorkerId, RequestId, GrpcMaxMessageLength);
        // without the last it fails before connecting, as its default message size is 0.
        foreach (var argument in (string[])[app.AssemblyPath,
                     "--functions-uri", rpcUri.ToString(),
                     "--functions-worker-id", workerId,
                     "--functions-request-id", Guid.NewGuid().ToString(),
                     "--functions-grpc-max-message-length", int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        void OnLine(string? line, bool error)
        {
            if (line is null)
            {
                return;
            }

            worker._tail.Enqueue(line);
            while (worker._tail.Count > 40 && worker._tail.TryDequeue(out _))
            {
            }

            console.Write(line, error);
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, error: true);
        if (!process.Start())
        {
            throw new InvalidOperationException("Could not start the Functions worker process.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = worker.WaitForExitAsync();
        return worker;
    }

    private async Task WaitForExitAsync()
    {
        // Also waits until stdout and stderr have been read to their end.
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _exited.TrySetResult(_process.ExitCode);
    }

    /// <summary>Ends it at once (SIGKILL on Linux), as a crash would.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _process.Dispose();
    }

    /// <summary>
    /// The <c>dotnet</c> host that runs this process, so the worker runs on the same installation: the SDK's
    /// DOTNET_HOST_PATH, this process itself when it is <c>dotnet</c>, else the host beside the shared runtime.
    /// </summary>
    private static string DotnetHost()
    {
        var executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == executable)
        {
            return self;
        }

        // .../dotnet/shared/Microsoft.NETCore.App/<version>/ → .../dotnet/dotnet
        var beside = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", executable));
        return File.Exists(beside) ? beside : executable;
    }
}
