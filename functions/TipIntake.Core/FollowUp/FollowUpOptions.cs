using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.FollowUp;

/// <summary>Section <c>FollowUp</c> (docs/follow-up.md, "Configuration").</summary>
public sealed class FollowUpOptions
{
    public const string SectionName = "FollowUp";

    /// <summary>No lookup is answered sooner after it arrived: the floor hides what storage and serialising take.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan LookupFloor { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The lookup bucket shared by every instance (beside the stamp): tokens a second.</summary>
    [Range(0.01, 10_000)]
    public double MaxLookupsPerSecond { get; set; } = 5;

    /// <summary>The lookup bucket's size.</summary>
    [Range(1, 100_000)]
    public int LookupBurst { get; set; } = 50;

    /// <summary>
    /// How long a closed report's thread stays readable: then its sealed key is deleted (0: at the first retention run
    /// after closing). At most <c>Retention:ClosedTipsAfter</c> is used, since the tip goes then anyway.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan AccessAfterClose { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// The no-script lookups (and answers) a minute, shared by every instance (docs/follow-up.md, "The no-script
    /// path"): the server pays for the KDF there, and no stamp can be asked of a page without scripts.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxFormLookupsPerMinute { get; set; } = 6;

    /// <summary>How long the no-script answer form's session stays good after the code opened the thread.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "02:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>Checks <see cref="FollowUpOptions"/> at start-up: generated at compile time from its annotations.</summary>
[OptionsValidator]
public sealed partial class FollowUpOptionsValidator : IValidateOptions<FollowUpOptions>;
