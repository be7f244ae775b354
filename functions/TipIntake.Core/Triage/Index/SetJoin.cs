namespace TipIntake.Core.Triage.Index;

/// <summary>
/// Walks several sets of the same key order side by side and yields the keys all of them hold (a leapfrog join):
/// each set jumps to the largest key any other set is at, so the walk skips what cannot match instead of reading it.
/// The work is bounded: past <c>maxReads</c> storage reads the walk stops where it is, and says where, so a search for
/// a rare combination answers promptly with what it found and a continuation.
/// </summary>
public sealed class SetJoin(IReadOnlyList<ISetCursor> cursors, ISetCursor payloads, int maxReads)
{
    /// <summary>Where the walk stopped, for the continuation: the next key to look at (inclusive) or after (exclusive).</summary>
    public (string Key, bool Inclusive)? StoppedAt { get; private set; }

    public int Reads => cursors.Sum(c => c.Reads) + (cursors.Contains(payloads) ? 0 : payloads.Reads);

    /// <summary>Up to <paramref name="limit"/> entries after <paramref name="from"/>, with the payload of <c>payloads</c>.</summary>
    public async Task<IReadOnlyList<SetEntry>> NextAsync(string from, bool inclusive, int limit, CancellationToken cancellationToken)
    {
        var all = cursors.Contains(payloads) ? cursors : [.. cursors, payloads];
        var found = new List<SetEntry>();
        StoppedAt = null;
        while (found.Count < limit)
        {
            if (Reads >= maxReads)
            {
                StoppedAt = (from, inclusive);
                return found;
            }

            string? candidate = null;
            SetEntry? withPayload = null;
            var agreed = true;
            foreach (var cursor in all)
            {
                var entry = await cursor.SeekAsync(from, inclusive, cancellationToken).ConfigureAwait(false);
                if (entry is null)
                {
                    return found;
                }

                if (cursor == payloads)
                {
                    withPayload = entry;
                }

                if (candidate is null)
                {
                    candidate = entry.Key;
                }
                else if (!string.Equals(entry.Key, candidate, StringComparison.Ordinal))
                {
                    agreed = false;
                    if (string.CompareOrdinal(entry.Key, candidate) > 0)
                    {
                        candidate = entry.Key;
                    }
                }
            }

            if (agreed)
            {
                found.Add(withPayload!);
                (from, inclusive) = (candidate!, false);
            }
            else
            {
                (from, inclusive) = (candidate!, true);
            }
        }

        return found;
    }
}

/// <summary>
/// A set that holds every order key whose received hour lies in a range: no storage behind it, it only jumps over
/// the keys outside the range, one priority band at a time (in the triage order, a range of hours is one stretch of
/// keys per priority).
/// </summary>
public sealed class ReceivedRange(DateTimeOffset newest, DateTimeOffset oldest) : ISetCursor
{
    public int Reads => 0;

    public ValueTask<SetEntry?> SeekAsync(string from, bool inclusive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        if (from.Length == 0)
        {
            return Found(Low(0));
        }

        var band = from[0] - '0';
        if (string.CompareOrdinal(from, Low(band)) < 0)
        {
            return Found(Low(band));
        }

        if (string.CompareOrdinal(from, High(band)) < 0)
        {
            // Inside the range: the key itself, or just after it (the other sets find the real key).
            return Found(inclusive ? from : from + "\0");
        }

        return band < 9 ? Found(Low(band + 1)) : ValueTask.FromResult<SetEntry?>(null);
    }

    private string Low(int band) => IndexKeys.BandStart(band, newest);

    private string High(int band) => IndexKeys.After(IndexKeys.BandStart(band, oldest));

    private static ValueTask<SetEntry?> Found(string key) => ValueTask.FromResult<SetEntry?>(new SetEntry(key, null));
}
