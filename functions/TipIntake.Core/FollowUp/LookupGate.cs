using TipIntake.Core.FloodControl;

namespace TipIntake.Core.FollowUp;

/// <summary>
/// What stands around a lookup besides the stamp: the lookup bucket shared by every instance
/// (<c>FollowUp:MaxLookupsPerSecond</c>, <c>LookupBurst</c>), the response floor (<c>FollowUp:LookupFloor</c>), and the
/// count of lookups logged once a minute — answered and refused together, by code, since nothing in a log may tell a
/// right code from a wrong one. Thread-safe; one instance.
/// </summary>
public sealed partial class LookupGate : FollowUpGate
{
    /// <summary>How long a client is told to wait when the bucket is empty.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>What a 503 tells the client to wait.</summary>
    public static readonly TimeSpan UnavailableRetryAfter = TimeSpan.FromSeconds(30);

    public const string Answered = "answered";

    private readonly TimeProvider _time;
    private readonly TimeSpan _floor;

    public LookupGate(IOptions<FollowUpOptions> options, ISharedBucketStore buckets, TimeProvider time, ILogger<LookupGate> logger)
        : base(Bucket(options, buckets, time), time, (total, byCode) => Log.FollowUpLookups(logger, total, byCode))
    {
        _time = time;
        _floor = options.Value.LookupFloor;
    }

    /// <summary>Waits until <c>FollowUp:LookupFloor</c> has passed since <paramref name="arrivedAt"/> (a <see cref="TimeProvider.GetTimestamp"/>).</summary>
    public Task HoldUntilFloorAsync(long arrivedAt, CancellationToken cancellationToken)
    {
        var remaining = _floor - _time.GetElapsedTime(arrivedAt);
        return remaining > TimeSpan.Zero ? Task.Delay(remaining, _time, cancellationToken) : Task.CompletedTask;
    }

    private static SharedTokenBucket Bucket(IOptions<FollowUpOptions> options, ISharedBucketStore buckets, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;

        // Tokens are claimed about a second's worth at a time, and go stale after a second: an instance cannot hoard them.
        var block = Math.Clamp((int)Math.Ceiling(settings.MaxLookupsPerSecond), 1, settings.LookupBurst);
        return new SharedTokenBucket(buckets, "follow-up-lookups", settings.MaxLookupsPerSecond, settings.LookupBurst, block,
            RetryAfter, TimeSpan.FromSeconds(1), time);
    }

    private static partial class Log
    {
        /// <summary>Right and wrong codes together, one line a minute: nothing in a log tells them apart, nor dates one reporter's visit.</summary>
        [LoggerMessage(8001, LogLevel.Information, "Follow-up lookups in the last minute: {Total} ({ByCode})")]
        public static partial void FollowUpLookups(ILogger logger, long total, string byCode);
    }
}
