namespace TipIntake.Infrastructure.Keys;

/// <summary>
/// The git-ignored <c>.local/</c> folder at the repository root that holds local development state: the development
/// intake key and the secrets made on first run (<see cref="DevelopmentSecret"/>). Never used outside the Development
/// environment.
/// </summary>
public static class LocalState
{
    public const string FolderName = ".local";

    /// <summary>The repository root (the folder with <c>TipIntake.sln</c>) above the app or the current folder, if any.</summary>
    public static string? FindRepositoryRoot()
    {
        foreach (var start in (string[])[Directory.GetCurrentDirectory(), AppContext.BaseDirectory])
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "TipIntake.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    public static string DefaultFolder() =>
        Path.Combine(FindRepositoryRoot() ?? AppContext.BaseDirectory, FolderName);

    /// <summary>
    /// A 32-byte random secret kept as <paramref name="fileName"/> in <see cref="DefaultFolder"/>, made on first use, as
    /// base64: what a developer's first run uses for a secret that configuration would otherwise have to provide.
    /// </summary>
    public static string DevelopmentSecret(string fileName) =>
        Convert.ToBase64String(ReadOrCreate(Path.Combine(DefaultFolder(), fileName), () => RandomNumberGenerator.GetBytes(32)));

    /// <summary>
    /// Reads a file, or creates it with <paramref name="create"/> if it is not there, readable by this user only.
    /// Safe when several processes start at once: the first one to finish its write wins and the others read it.
    /// </summary>
    public static byte[] ReadOrCreate(string path, Func<byte[]> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (File.Exists(path))
        {
            return File.ReadAllBytes(path);
        }

        var folder = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(create());
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }

        return File.ReadAllBytes(path);
    }
}
