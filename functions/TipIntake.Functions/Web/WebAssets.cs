using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;

namespace TipIntake.Functions.Web;

/// <summary>One static file, with its compressed forms and strong ETag computed once at start-up.</summary>
public sealed record WebAsset(string Path, string ContentType, byte[] Content, byte[] Gzip, byte[] Brotli, string ETag);

/// <summary>
/// The files under <c>Web/assets/</c>, embedded in this assembly: nothing is read from disk or from another origin.
/// Compressed with Brotli and gzip once, at start-up, since they are few and small.
/// </summary>
public sealed class WebAssets
{
    private const string Prefix = "Web/assets/";
    private readonly Dictionary<string, WebAsset> _assets;

    public WebAssets()
    {
        var assembly = typeof(WebAssets).Assembly;
        _assets = assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(name => Load(assembly, name))
            .ToDictionary(asset => asset.Path, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Paths => _assets.Keys;

    /// <summary>The asset at <paramref name="path"/> (relative to <c>/assets/</c>), or null.</summary>
    public WebAsset? Find(string path) => _assets.GetValueOrDefault(path);

    private static WebAsset Load(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var content = memory.ToArray();
        var path = name[Prefix.Length..];
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..32] + "\"";
        return new WebAsset(path, ContentTypeOf(path), content, Compress(content, s => new GZipStream(s, CompressionLevel.SmallestSize)),
            Compress(content, s => new BrotliStream(s, CompressionLevel.SmallestSize)), etag);
    }

    private static byte[] Compress(byte[] content, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var compressing = compressor(output))
        {
            compressing.Write(content);
        }

        return output.ToArray();
    }

    private static string ContentTypeOf(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json; charset=utf-8",
        ".txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
}
