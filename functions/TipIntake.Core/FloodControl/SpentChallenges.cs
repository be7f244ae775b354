namespace TipIntake.Core.FloodControl;

/// <summary>
/// The nonces of spent challenges, kept exactly as long as single use needs them — until their challenge expires — and
/// then dropped in bulk. They are grouped by expiry into buckets of <see cref="BucketWidth"/>; a bucket is dropped
/// whole, set and all, once every challenge it holds has expired, so memory follows the last
/// <c>ChallengeLifetime</c>'s admissions and returns when they stop (a single dictionary pruned entry by entry keeps
/// its grown capacity for ever). A nonce's expiry is signed into its challenge, so a nonce always lands in the same
/// bucket: a lookup touches one set. Not thread-safe on its own: <see cref="FloodGate"/> calls it under its lock.
/// </summary>
public sealed class SpentChallenges
{
    /// <summary>How finely expiries are grouped; also how often <see cref="FloodGate"/> sweeps.</summary>
    public static readonly TimeSpan BucketWidth = TimeSpan.FromSeconds(10);

    private readonly Dictionary<long, HashSet<ulong>> _buckets = [];

    /// <summary>Spent nonces held now.</summary>
    public int Count { get; private set; }

    /// <summary>Buckets held now (for tests and diagnostics).</summary>
    public int BucketCount => _buckets.Count;

    public bool Contains(UInt128 nonce, DateTimeOffset expiresAt) =>
        _buckets.TryGetValue(Slot(expiresAt), out var bucket) && bucket.Contains(Key(nonce));

    /// <summary>Records a spent nonce; false if it was already there.</summary>
    public bool Add(UInt128 nonce, DateTimeOffset expiresAt)
    {
        var slot = Slot(expiresAt);
        if (!_buckets.TryGetValue(slot, out var bucket))
        {
            bucket = [];
            _buckets.Add(slot, bucket);
        }

        if (!bucket.Add(Key(nonce)))
        {
            return false;
        }

        Count++;
        return true;
    }

    /// <summary>
    /// Drops every bucket whose challenges have all expired at <paramref name="now"/>. Safe: a stamp whose challenge
    /// has expired is refused before the set is consulted, so an expired nonce can never be admitted again.
    /// </summary>
    public int Sweep(DateTimeOffset now)
    {
        List<long>? expired = null;
        foreach (var slot in _buckets.Keys)
        {
            if (EndTicks(slot) <= now.UtcTicks)
            {
                (expired ??= []).Add(slot);
            }
        }

        var dropped = 0;
        foreach (var slot in expired ?? [])
        {
            dropped += _buckets[slot].Count;
            _buckets.Remove(slot);
        }

        Count -= dropped;
        return dropped;
    }

    private static long Slot(DateTimeOffset expiresAt) => expiresAt.UtcTicks / BucketWidth.Ticks;

    /// <summary>The first instant (UTC ticks) after every expiry in <paramref name="slot"/>.</summary>
    private static long EndTicks(long slot) => (slot + 1) * BucketWidth.Ticks;

    /// <summary>
    /// 64 of the nonce's 128 bits: the nonce is random and chosen by this service (the challenge is MACed), so a
    /// collision within one bucket has a probability of about n / 2^64 and can only refuse a fresh stamp as reused,
    /// never admit a replay. It halves the memory each entry costs (a UInt128 is 16-byte aligned: 32 bytes a slot).
    /// </summary>
    private static ulong Key(UInt128 nonce) => (ulong)nonce;
}
