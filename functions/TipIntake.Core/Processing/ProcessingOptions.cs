using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.Processing;

/// <summary>Section <c>Processing</c>: the processing lanes and the Key Vault budget (docs/flood-control.md, "Lanes").</summary>
public sealed class ProcessingOptions
{
    public const string SectionName = "Processing";

    /// <summary>
    /// Unwraps a second, all instances together, that the processor may ask of the key store; 0 for no limit. Key Vault
    /// throttles a vault at ~50 operations a second for an RSA-3072 HSM key (500 per 10 s), which intake's reads share:
    /// 40 leaves them room. Unset: 40 with Key Vault, no limit with the local development key.
    /// </summary>
    [Range(0, 100_000)]
    public double UnwrapsPerSecond { get; set; }

    /// <summary>The bulk lane is processed only while the main lane holds at most this many messages.</summary>
    [Range(0, 100_000)]
    public int BulkWhenMainBelow { get; set; } = 16;

    /// <summary>
    /// How long a message waits in its handler — bulk work for the main lane to empty, any work for a token of the
    /// unwrap budget — before it is put back on its lane. A message held costs no storage operation (the queue keeps it
    /// invisible); one put back costs two. Keep it well under the queue's visibility timeout renewal and the function
    /// timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan HoldFor { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long deferred main-lane work waits before it is looked at again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MainDeferral { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long deferred bulk-lane work waits before it is looked at again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan BulkDeferral { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Checks <see cref="ProcessingOptions"/> at start-up: generated at compile time from its annotations.</summary>
[OptionsValidator]
public sealed partial class ProcessingOptionsValidator : IValidateOptions<ProcessingOptions>;
