using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace TipIntake.IntegrationTests;

/// <summary>An Azurite or a worker started by a host must not outlive it, however the host ends.</summary>
public sealed class AzuriteLifetimeTests
{
    [Fact]
    public async Task Azurite_and_the_worker_exit_when_the_local_host_that_started_them_is_killed()
    {
        // /proc is how the test finds the host's Node.js child; Linux is where CI runs.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var folder = Directory.CreateTempSubdirectory("tipintake-lifetime-");
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "TipIntake.LocalHost"))
        {
            ArgumentList = { "--urls", "http://127.0.0.1:0" },
            WorkingDirectory = folder.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["DOTNET_ENVIRONMENT"] = "Development",
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["LocalDevelopmentKey__Folder"] = Path.Combine(folder.FullName, "key"),
            },
        };
        var output = new ConcurrentQueue<string>();
        using var host = Process.Start(start)!;
        try
        {
            host.OutputDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
            host.BeginOutputReadLine();
            host.BeginErrorReadLine();

            // Up and serving (so Azurite is idle, writing nothing that a broken pipe could end it with).
            const string Listening = "Now listening on: ";
            var url = await Eventually.ReturnsAsync(
                () => Task.FromResult(output.FirstOrDefault(l => l.Contains(Listening, StringComparison.Ordinal))?.Split(Listening)[1].Trim()),
                "the local host's address", TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            await Eventually.HoldsAsync(
                async () => (await http.GetAsync(new Uri("api/intake-key", UriKind.Relative))).StatusCode == HttpStatusCode.OK,
                "the local host serving");
            var azurite = ChildOf(host.Id, "node");
            var worker = ChildOf(host.Id, "dotnet");
            Assert.NotNull(azurite);
            Assert.NotNull(worker);

            host.Kill();

            await Eventually.HoldsAsync(
                () => Task.FromResult(!Directory.Exists($"/proc/{azurite}")), "Azurite gone after its host was killed", TimeSpan.FromSeconds(20));
            await Eventually.HoldsAsync(
                () => Task.FromResult(!Directory.Exists($"/proc/{worker}")), "the worker gone after its host was killed", TimeSpan.FromSeconds(20));
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill(entireProcessTree: true);
            }

            folder.Delete(recursive: true);
        }
    }

    /// <summary>The pid of a process named <paramref name="command"/> whose parent is <paramref name="parent"/>, as a string, or null.</summary>
    private static string? ChildOf(int parent, string command)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(directory);
            if (!pid.All(char.IsAsciiDigit))
            {
                continue;
            }

            try
            {
                // stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the closing parenthesis.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[1] == parent.ToString(System.Globalization.CultureInfo.InvariantCulture) && stat.Contains($"({command})", StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read, or belongs to someone else.
            }
        }

        return null;
    }

    [Fact]
    public async Task Azurites_data_on_disk_is_readable_by_this_user_only_including_what_an_earlier_run_left()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var folder = Directory.CreateTempSubdirectory("tipintake-azurite-files-");
        try
        {
            var location = Path.Combine(folder.FullName, "azurite");
            Directory.CreateDirectory(Path.Combine(location, "old"));
            var leftOver = Path.Combine(location, "old", "__azurite_db_table__.json");
            await File.WriteAllTextAsync(leftOver, "{}");
            File.SetUnixFileMode(leftOver, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            await using (var azurite = await TipIntake.LocalHost.Azurite.AzuriteProcess.StartAsync(["filecheck"], location))
            {
                var tables = new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString("filecheck"));
                await tables.CreateTableIfNotExistsAsync("Tips");
                await tables.GetTableClient("Tips").AddEntityAsync(new Azure.Data.Tables.TableEntity("q", "r") { ["Narrative"] = "plaintext" });
                await azurite.StopAsync(TimeSpan.FromSeconds(10)); // SIGTERM: Azurite writes its database
            }

            var entries = new DirectoryInfo(location).EnumerateFileSystemInfos("*", SearchOption.AllDirectories).ToList();
            Assert.Contains(entries, e => e is FileInfo && e.FullName != leftOver);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(location));
            foreach (var entry in entries)
            {
                var expected = entry is DirectoryInfo
                    ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite;
                Assert.True(entry.UnixFileMode == expected, $"{Path.GetRelativePath(location, entry.FullName)} is {entry.UnixFileMode}");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
