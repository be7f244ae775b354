namespace TipIntake.Infra.Tests;

/// <summary>Paths in the repository (found by walking up to TipIntake.sln) and in the shared folder beside it.</summary>
internal static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary><c>../shared/schemas</c> relative to the repository root, here and in CI.</summary>
    public static string SchemasFolder
    {
        get
        {
            var folder = System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, "..", "shared", "schemas"));
            if (!File.Exists(System.IO.Path.Combine(folder, "azure.yaml.json")))
            {
                throw new InvalidOperationException(
                    $"The azd schema is missing: expected {folder}/azure.yaml.json (the shared/ folder beside the repository, " +
                    "see shared/schemas/README.md). These tests validate azure.yaml offline against it.");
            }

            return folder;
        }
    }

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
