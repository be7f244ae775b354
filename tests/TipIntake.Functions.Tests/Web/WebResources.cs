using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TipIntake.Functions.Web;

namespace TipIntake.Functions.Tests.Web;

/// <summary>Reads the files embedded in the Functions assembly, the way the translations and the asset function do.</summary>
internal static class WebResources
{
    public static Translations Translations { get; } = new();

    public static Pages Pages { get; } = new(Translations, NullLoggerFactory.Instance);

    public static string Read(string name)
    {
        using var stream = typeof(Pages).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public static IReadOnlyList<string> Names() => typeof(Pages).Assembly.GetManifestResourceNames();

    public static Dictionary<string, string> NoValues() => [];
}
