using TipIntake.Core.FloodControl;

namespace TipIntake.Core.FollowUp;

/// <summary>
/// The no-script follow-up's bucket (<c>FollowUp:MaxFormLookupsPerMinute</c>), shared by every instance like the
/// no-script report lane (docs/flood-control.md): each code opened here costs the server a PBKDF2 run, and each answer
/// sent here a queue message, and a page without scripts can pay no stamp. Also the count of what it did, logged once a
/// minute by outcome code (right and wrong codes together, as for the script path's lookups). Thread-safe; one instance.
/// </summary>
public sealed partial class FormFollowUpGate : FollowUpGate
{
    /// <summary>After the bucket was found empty, no instance asks it again for this long.</summary>
    public static readonly TimeSpan EmptyRetry = TimeSpan.FromSeconds(2);

    public FormFollowUpGate(IOptions<FollowUpOptions> options, ISharedBucketStore buckets, TimeProvider time, ILogger<FormFollowUpGate> logger)
        : base(Bucket(options, buckets, time), time, (total, byCode) => Log.FormFollowUps(logger, total, byCode))
    {
        RetryAfter = TimeSpan.FromSeconds(Math.Ceiling(60.0 / options.Value.MaxFormLookupsPerMinute));
    }

    /// <summary>What a refused page tells the reporter to wait: the time one token takes to come back.</summary>
    public TimeSpan RetryAfter { get; }

    private static SharedTokenBucket Bucket(IOptions<FollowUpOptions> options, ISharedBucketStore buckets, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var perMinute = options.Value.MaxFormLookupsPerMinute;
        return new SharedTokenBucket(buckets, "follow-up-form", perMinute / 60.0, perMinute, block: 1, EmptyRetry, TimeSpan.FromMinutes(1), time);
    }

    private static partial class Log
    {
        /// <summary>The no-script page's lookups and answers, by outcome code, one line a minute: never a code, session, ref or text.</summary>
        [LoggerMessage(8005, LogLevel.Information, "No-script follow-up requests in the last minute: {Total} ({ByCode})")]
        public static partial void FormFollowUps(ILogger logger, long total, string byCode);
    }
}
