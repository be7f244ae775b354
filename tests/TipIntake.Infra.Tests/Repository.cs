namespace TipIntake.Infra.Tests;

/// <summary>Paths in the repository, found by walking up to TipIntake.sln.</summary>
internal static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>
    /// The Azure Developer CLI's published azure.yaml schema and the extension schemas it references, copied unchanged
    /// into this project (from the project's shared/schemas; see Schemas/README.md), so the check runs on any clone.
    /// </summary>
    public static string SchemasFolder => Path("tests", "TipIntake.Infra.Tests", "Schemas");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "TipIntake.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"TipIntake.sln not found above {AppContext.BaseDirectory}.");
    }
}
