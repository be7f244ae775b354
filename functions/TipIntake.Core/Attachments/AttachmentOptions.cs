using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.Attachments;

/// <summary>Section <c>Attachments</c> (docs/attachments.md, "Configuration"): the settings the upload routes use.</summary>
public sealed class AttachmentOptions
{
    public const string SectionName = "Attachments";

    /// <summary>
    /// Whether the upload routes answer at all (404 otherwise). Off by default and never set by the template: until a tip
    /// can name an upload and the sweep removes what none names (docs/attachments.md, "Status"), an open upload route
    /// would only be storage anyone can fill. The tests turn it on.
    /// </summary>
    public bool UploadsEnabled { get; set; }

    /// <summary>The padded size of one file (<c>chunks × P</c>) an upload may be created for: 64 MiB.</summary>
    [Range(ChunkLayout.SmallPlaintextBytes, 1L << 30)]
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>One file on the no-script path: 16 MiB (over Tor, a post must end within Azure's 230 seconds).</summary>
    [Range(1, 1L << 30)]
    public long FormMaxFileBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Files in one no-script post.</summary>
    [Range(1, 10)]
    public int FormMaxFiles { get; set; } = 5;

    /// <summary>All files of one no-script post together: 32 MiB.</summary>
    [Range(1, 1L << 30)]
    public long FormMaxBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// How much of a no-script post over its limits is read and discarded so that the reporter gets a page, not a reset
    /// (browsers show a reset when the server stops reading): 64 MiB. Beyond it the connection is closed.
    /// </summary>
    [Range(1, 1L << 31)]
    public long FormHardCap { get; set; } = 64L * 1024 * 1024;

    /// <summary>The byte budget of chunk uploads shared by every instance: 2 MB a second (a flood costs storage until swept).</summary>
    [Range(64 * 1024, 1_000_000_000)]
    public int MaxBytesPerSecond { get; set; } = 2_000_000;
}

/// <summary>Checks <see cref="AttachmentOptions"/> at start-up: generated at compile time from its annotations.</summary>
[OptionsValidator]
public sealed partial class AttachmentOptionsValidator : IValidateOptions<AttachmentOptions>;
