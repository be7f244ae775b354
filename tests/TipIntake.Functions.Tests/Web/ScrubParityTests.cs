using System.Text;
using System.Text.Json;
using TipIntake.Core.Attachments.Scrubbing;

namespace TipIntake.Functions.Tests.Web;

/// <summary>
/// The no-script path cleans photos on the server with <see cref="ImageScrubbingStream"/>, a port of the browser
/// scrubber's JPEG and PNG rules (docs/attachments.md, "The no-script path"). Both must treat a photo alike: the Node
/// script <c>Web/Scrub/scrub-vectors.mjs</c> runs <c>scrub.js</c> (the file the site serves) over the suite's kinds of
/// dressed photos, every few bytes' cut of two of them, and 600 mutated files; the stream must give the same bytes, the
/// same codes and the same refusals — read through a source that hands over a few bytes at a time, as a slow post does.
/// </summary>
public sealed class ScrubParityTests
{
    private static readonly string SuiteDirectory = Path.Combine(AppContext.BaseDirectory, "Web", "Scrub");
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);
    private static readonly Lazy<Task<Vectors>> Run = new(LoadAsync);

    [Fact]
    public async Task Named_fixtures_come_out_byte_for_byte_as_the_browser_makes_them()
    {
        var vectors = await Run.Value;
        var named = vectors.Items.Where(v => !v.Name.StartsWith("mutation", StringComparison.Ordinal) && !v.Name.Contains(" cut at ", StringComparison.Ordinal)).ToList();
        Assert.True(named.Count >= 30, $"only {named.Count} named fixtures");
        Assert.Contains(named, v => v.Ok && v.Removed.Contains("location"));
        Assert.Contains(named, v => !v.Ok && v.Reason == "unsupported-format");
        AssertAgree(named, compareReasons: true, vectors.Secrets);
    }

    [Fact]
    public async Task Every_cut_is_refused_with_the_browsers_reason()
    {
        var vectors = await Run.Value;
        var cuts = vectors.Items.Where(v => v.Name.Contains(" cut at ", StringComparison.Ordinal)).ToList();
        Assert.True(cuts.Count > 300, $"only {cuts.Count} cuts");
        AssertAgree(cuts, compareReasons: true, vectors.Secrets);
    }

    [Fact]
    public async Task Mutated_files_are_accepted_or_refused_alike_and_nothing_accepted_keeps_a_secret()
    {
        var vectors = await Run.Value;
        var mutations = vectors.Items.Where(v => v.Name.StartsWith("mutation", StringComparison.Ordinal)).ToList();
        Assert.Equal(600, mutations.Count);
        Assert.True(mutations.Count(v => v.Ok) > 50, "the mutations do not reach the cleaning code");
        AssertAgree(mutations, compareReasons: false, vectors.Secrets);
    }

    [Fact]
    public async Task A_refusal_names_the_structure_never_the_bytes()
    {
        var photo = (await Run.Value).Items.Single(v => v.Name == "png unknown critical chunk");
        var refusal = await Assert.ThrowsAsync<ImageScrubRefusedException>(() => ScrubAsync(photo.Input, keepOrientation: true, seed: 1));
        Assert.Equal("unsupported-format: png-critical-ABCD", refusal.Message);
    }

    private static void AssertAgree(IReadOnlyList<Vector> vectors, bool compareReasons, IReadOnlyList<string> secrets)
    {
        var disagreements = new List<string>();
        foreach (var (vector, index) in vectors.Select((v, i) => (v, i)))
        {
            try
            {
                var (bytes, report) = ScrubAsync(vector.Input, vector.KeepOrientation, seed: index).GetAwaiter().GetResult();
                if (!vector.Ok)
                {
                    disagreements.Add($"{vector.Name}: accepted, the browser refused it ({vector.Reason})");
                }
                else if (!bytes.AsSpan().SequenceEqual(vector.Output))
                {
                    disagreements.Add($"{vector.Name}: {bytes.Length} bytes out, the browser made {vector.Output!.Length}");
                }
                else if (!report.Removed.SequenceEqual(vector.Removed) || !report.Kept.SequenceEqual(vector.Kept))
                {
                    disagreements.Add($"{vector.Name}: removed [{string.Join(',', report.Removed)}] kept [{string.Join(',', report.Kept)}], " +
                        $"the browser [{string.Join(',', vector.Removed)}] [{string.Join(',', vector.Kept)}]");
                }

                foreach (var secret in secrets.Where(s => Contains(vector.Input, s) && Contains(bytes, s)))
                {
                    disagreements.Add($"{vector.Name}: '{secret}' survived");
                }
            }
            catch (ImageScrubRefusedException refusal)
            {
                if (vector.Ok)
                {
                    disagreements.Add($"{vector.Name}: refused ({refusal.Message}), the browser accepted it");
                }
                else if (compareReasons && refusal.Reason != vector.Reason)
                {
                    disagreements.Add($"{vector.Name}: refused as {refusal.Reason}, the browser as {vector.Reason}");
                }
            }
        }

        Assert.True(disagreements.Count == 0, string.Join('\n', disagreements.Take(20)));
    }

    private static async Task<(byte[] Bytes, ScrubReport Report)> ScrubAsync(byte[] input, bool keepOrientation, int seed)
    {
        await using var stream = new ImageScrubbingStream(new TricklingStream(input, seed), keepOrientation);
        using var output = new MemoryStream();
        await stream.CopyToAsync(output, 4096);
        return (output.ToArray(), stream.Report);
    }

    private static bool Contains(byte[] bytes, string text) => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private static async Task<Vectors> LoadAsync()
    {
        var run = await NodeSuiteRun.StartAsync(SuiteDirectory, "scrub-vectors.mjs", ["Web/assets/scrub.js"], asScript: true);
        Assert.True(run.ExitCode == 0, $"node exited with {run.ExitCode}: {run.Errors}");
        return JsonSerializer.Deserialize<Vectors>(run.Output, WebJson)
            ?? throw new InvalidOperationException("No vectors.");
    }

    private sealed record Vectors(IReadOnlyList<string> Secrets, [property: System.Text.Json.Serialization.JsonPropertyName("vectors")] IReadOnlyList<Vector> Items);

    private sealed record Vector(string Name, byte[] Input, bool KeepOrientation, bool Ok, byte[]? Output, IReadOnlyList<string> Removed, IReadOnlyList<string> Kept, string? Reason);

    /// <summary>A post arriving a few bytes at a time (1 to 700 per read), as over a slow link.</summary>
    private sealed class TricklingStream(byte[] bytes, int seed) : MemoryStream(bytes, writable: false)
    {
        private readonly Random _random = new(seed);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, _random.Next(1, 700))], cancellationToken);
    }
}
