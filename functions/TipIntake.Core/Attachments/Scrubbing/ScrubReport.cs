namespace TipIntake.Core.Attachments.Scrubbing;

/// <summary>What cleaning an image removed and what it kept on purpose, as the codes the tip's attachment entry carries.</summary>
public sealed class ScrubReport
{
    /// <summary>Kept on purpose, in the order the note lists them.</summary>
    public static readonly IReadOnlyList<string> KeptCodes = ["orientation", "colour-profile"];

    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _kept = new(StringComparer.Ordinal);

    /// <summary>Each code once, most identifying first (<see cref="AttachmentManifestReader.RemovedCodes"/>).</summary>
    public IReadOnlyList<string> Removed => [.. AttachmentManifestReader.RemovedCodes.Where(_removed.Contains)];

    public IReadOnlyList<string> Kept => [.. KeptCodes.Where(_kept.Contains)];

    internal void Remove(params IEnumerable<string> codes) => _removed.UnionWith(codes);

    internal void Keep(string code) => _kept.Add(code);
}
