namespace TipIntake.LocalHost.Azurite;

/// <summary>Finds Node.js and, on first use, installs the repository's pinned npm packages (Azurite) with <c>npm ci</c>.</summary>
public static class NodeTools
{
    public static string Node => Environment.GetEnvironmentVariable("TIPINTAKE_NODE") ?? "node";

    public static async Task<string> EnsureAzuriteAsync(CancellationToken cancellationToken)
    {
        var root = LocalState.FindRepositoryRoot()
            ?? throw new InvalidOperationException(
                "Cannot start Azurite: the repository (TipIntake.sln and package.json) was not found above this program. "
                + "Set AzureWebJobsStorage to use another storage account.");
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (File.Exists(script))
        {
            return script;
        }

        // Test projects run in parallel processes: only one of them may run npm ci at a time.
        await using (await AcquireLockAsync(Path.Combine(root, "node_modules.lock"), cancellationToken).ConfigureAwait(false))
        {
            if (!File.Exists(script))
            {
                await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], root, cancellationToken).ConfigureAwait(false);
            }
        }

        return File.Exists(script)
            ? script
            : throw new InvalidOperationException($"npm ci finished but {script} is missing.");
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task RunAsync(string fileName, string[] arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{fileName} was not found: the local host needs Node.js and npm to run Azurite.", ex);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"{fileName} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {await errors.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
            }
        }
    }
}
