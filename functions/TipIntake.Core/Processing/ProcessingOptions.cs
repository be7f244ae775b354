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

    /// <summary>How long deferred main-lane work waits before it is looked at again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MainDeferral { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long deferred bulk-lane work waits before it is looked at again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan BulkDeferral { get; set; } = TimeSpan.FromSeconds(5);
}
