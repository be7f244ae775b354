using System.Diagnostics;
using System.Globalization;

namespace TipIntake.Benchmarks.Load;

/// <summary>A server child process started by this harness, with its CPU time and memory read from /proc.</summary>
public sealed class ChildServer : IAsyncDisposable
{
    private readonly Process _process;

    private ChildServer(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    public static async Task<ChildServer> StartAsync(string mode, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildServer).Assembly.Location);
        }

        start.ArgumentList.Add(mode);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lastLines = new Queue<string>();
        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (lastLines)
            {
                lastLines.Enqueue(line);
                if (lastLines.Count > 40)
                {
                    lastLines.Dequeue();
                }
            }
        }

        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith(Servers.Ready, StringComparison.Ordinal) == true)
            {
                ready.TrySetResult(new Uri(e.Data[Servers.Ready.Length..].Trim()));
            }
            else
            {
                Keep(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(90)));
        if (first != ready.Task)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            string tail;
            lock (lastLines)
            {
                tail = string.Join(Environment.NewLine, lastLines);
            }

            throw new InvalidOperationException($"The {mode} server did not start:{Environment.NewLine}{tail}");
        }

        return new ChildServer(process, await ready.Task);
    }

    /// <summary>User + system CPU time so far (from /proc/&lt;pid&gt;/stat, in clock ticks of 10 ms).</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Resident set size now, in bytes (VmRSS).</summary>
    public long Rss() => ReadStatus("VmRSS:");

    /// <summary>Peak resident set size over the process's life, in bytes (VmHWM).</summary>
    public long PeakRss() => ReadStatus("VmHWM:");

    /// <summary>A size field of /proc/&lt;pid&gt;/status (e.g. <c>RssAnon:</c>), in bytes.</summary>
    public long Status(string field) => ReadStatus(field);

    private long ReadStatus(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var kb = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }
}
