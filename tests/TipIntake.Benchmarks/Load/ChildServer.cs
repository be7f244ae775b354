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

    /// <param name="environment">Variables to set (or, with a null value, remove) for the child, beside those it inherits.</param>
    public static async Task<ChildServer> StartAsync(string mode, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
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

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
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

    /// <summary>
    /// User + system CPU time so far of the server and the processes it started (the local host's worker; not Azurite,
    /// which the harness starts and measures itself): the product's CPU, whatever number of processes it runs in.
    /// </summary>
    public TimeSpan CpuTime() => Processes().Aggregate(TimeSpan.Zero, (sum, pid) => sum + ProcessCpu(pid));

    /// <summary>The server process's own CPU time: for the local host, the host hop alone, without its worker.</summary>
    public TimeSpan OwnCpuTime() => ProcessCpu(_process.Id);

    /// <summary>
    /// CPU time so far of each live tiered-compilation thread (".NET Tiered Com…") of the server's processes, by thread
    /// id: how much of a point went to compiling code rather than serving it. The runtime ends that thread when it has
    /// nothing to do and starts another later, taking its time with it, so the caller samples this repeatedly.
    /// </summary>
    public Dictionary<int, TimeSpan> JitThreadCpu()
    {
        var threads = new Dictionary<int, TimeSpan>();
        foreach (var pid in Processes())
        {
            try
            {
                foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    if (int.TryParse(Path.GetFileName(task), out var tid)
                        && File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered Com", StringComparison.Ordinal))
                    {
                        threads[tid] = TaskCpu(Path.Combine(task, "stat"));
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // It (or the thread) ended while being read.
            }
        }

        return threads;
    }

    /// <summary>Resident set size now, in bytes (VmRSS), of the server and the processes it started.</summary>
    public long Rss() => Processes().Sum(pid => ReadStatus(pid, "VmRSS:"));

    /// <summary>Peak resident set size, in bytes (VmHWM): the sum of each process's own peak.</summary>
    public long PeakRss() => Processes().Sum(pid => ReadStatus(pid, "VmHWM:"));

    /// <summary>A size field of /proc/&lt;pid&gt;/status (e.g. <c>RssAnon:</c>), in bytes, summed over the server's processes.</summary>
    public long Status(string field) => Processes().Sum(pid => ReadStatus(pid, field));

    /// <summary>The server's process id, then its children's (the local host's worker).</summary>
    public IReadOnlyList<int> ProcessIds() => Processes();

    /// <summary>This process and its children (from the parent pid in /proc/&lt;pid&gt;/stat), except Node.js (Azurite).</summary>
    private List<int> Processes()
    {
        var pids = new List<int> { _process.Id };
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[1] == _process.Id.ToString(CultureInfo.InvariantCulture) && !stat.Contains("(node)", StringComparison.Ordinal))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // It ended while being read.
            }
        }

        return pids;
    }

    /// <summary>utime + stime from /proc/&lt;pid&gt;/stat (clock ticks of 10 ms); zero for a process that has ended.</summary>
    private static TimeSpan ProcessCpu(int pid) => TaskCpu($"/proc/{pid}/stat");

    /// <summary>utime + stime of a process's or thread's stat file; zero for one that has ended.</summary>
    private static TimeSpan TaskCpu(string statPath)
    {
        try
        {
            var stat = File.ReadAllText(statPath);
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }

    private static long ReadStatus(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var kb = line[field.Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // It ended while being read.
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
