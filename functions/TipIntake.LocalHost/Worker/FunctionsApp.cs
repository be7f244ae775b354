namespace TipIntake.LocalHost.Worker;

/// <summary>
/// The Functions app's own build output, which the worker process runs: <c>TipIntake.Functions.dll</c> with its
/// <c>host.json</c>, <c>functions.metadata</c> and <c>worker.config.json</c>. Building the local host builds the app
/// (a project reference that is never loaded here) and records the path of its output in this assembly, so the app is
/// found the same way from <c>dotnet run</c>, a test's bin folder or the benchmarks.
/// </summary>
public sealed record FunctionsApp(string Directory, string AssemblyPath)
{
    private const string MetadataKey = "TipIntake.FunctionsAppAssembly";

    public string HostJsonPath => Path.Combine(Directory, "host.json");

    public static FunctionsApp Locate()
    {
        var path = typeof(FunctionsApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == MetadataKey)?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The Functions app's build output was not found ('{path}'). Build functions/TipIntake.LocalHost, which builds the app with it.", path);
        }

        return new FunctionsApp(Path.GetDirectoryName(path)!, path);
    }
}
