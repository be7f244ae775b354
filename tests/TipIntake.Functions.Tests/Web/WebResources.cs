using System.Text;
using TipIntake.Functions.Web;

namespace TipIntake.Functions.Tests.Web;

/// <summary>Reads the files embedded in the Functions assembly, the way the renderer and the asset function do.</summary>
internal static class WebResources
{
    public static PageRenderer Renderer { get; } = new();

    public static string Read(string name)
    {
        using var stream = typeof(PageRenderer).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public static IReadOnlyList<string> Names() => typeof(PageRenderer).Assembly.GetManifestResourceNames();

    public static Dictionary<string, string> NoValues() => [];
}
