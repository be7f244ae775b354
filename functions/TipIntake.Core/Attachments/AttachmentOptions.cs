using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.Attachments;

/// <summary>Section <c>Attachments</c> (docs/attachments.md, "Configuration"): the upload routes' settings and the report's limits.</summary>
public sealed class AttachmentOptions
{
    public const string SectionName = "Attachments";

    /// <summary>
    /// Whether the upload routes answer at all (404 otherwise), and so whether the form offers files: on unless an
    /// operator turns them off. What a flood can stage through them is bounded by <see cref="MaxOpenUploads"/> and
    /// <see cref="MaxFileBytes"/>, and what is staged is swept after <see cref="OrphanAfter"/> (docs/attachments.md).
    /// </summary>
    public bool UploadsEnabled { get; set; } = true;

    /// <summary>The padded size of one file (<c>chunks × P</c>) an upload may be created for: 64 MiB.</summary>
    [Range(ChunkLayout.SmallPlaintextBytes, 1L << 30)]
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The files one report may name: 10 (the <c>Attachments</c> row keys are two digits, so at most 99).</summary>
    [Range(1, 99)]
    public int MaxFilesPerTip { get; set; } = 10;

    /// <summary>The padded bytes of every file one report names, in all: 128 MiB.</summary>
    [Range(ChunkLayout.SmallPlaintextBytes, 1L << 34)]
    public long MaxBytesPerTip { get; set; } = 128L * 1024 * 1024;

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

    /// <summary>
    /// Uploads created and not yet attached or swept, all instances together: 2,000. A create beyond it is 429 until
    /// a tip takes one or the sweep quarantines one (docs/attachments.md, "Open uploads"): what a flood can stage is
    /// then at most this many files of <see cref="MaxFileBytes"/>, for at most <see cref="OrphanAfter"/>.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxOpenUploads { get; set; } = 2_000;

    /// <summary>
    /// Asks of what arrived (<c>GET /api/uploads</c>, which carries no stamp) a second, all instances together: 20, in a
    /// shared bucket holding two seconds' worth. The form asks only after a pause, at most once a second per file.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxStatusReadsPerSecond { get; set; } = 20;

    /// <summary>
    /// The sweep's age for uploads: one completed and named by no tip is quarantined <c>attachment-orphan</c>, one never
    /// completed <c>upload-abandoned</c>. 7 days (counted in whole days: an upload's row keeps only the day it was made).
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")]
    public TimeSpan OrphanAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The sweep's age for a tip's <c>awaited</c> file: quarantined <c>attachment-missing</c> after 7 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan AwaitAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary><see cref="OrphanAfter"/> in whole days, as the sweep counts it (an upload's row keeps only its day).</summary>
    public int OrphanAfterDays => (int)Math.Ceiling(OrphanAfter.TotalDays);

    /// <summary>The limits the tip's reader applies to its <c>attachments</c> member.</summary>
    public AttachmentLimits Limits => new(MaxFilesPerTip, MaxBytesPerTip, MaxFileBytes);
}

/// <summary>Checks <see cref="AttachmentOptions"/> at start-up: generated at compile time from its annotations.</summary>
[OptionsValidator]
public sealed partial class AttachmentOptionsValidator : IValidateOptions<AttachmentOptions>;
