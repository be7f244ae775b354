namespace TipIntake.Core.FloodControl;

/// <summary>
/// The adaptive difficulty: zero while fewer than <c>quiet</c> stamped submissions arrived in the last minute, then
/// one bit, plus one for every doubling: <c>d = min(max, 1 + floor(log2(n / quiet)))</c> for <c>n ≥ quiet</c>.
/// The count is kept in twelve five-second slots (a sliding minute); it knows nothing of who sent what.
/// Not thread-safe on its own: <see cref="FloodGate"/> calls it under its lock.
/// </summary>
public sealed class DifficultyPolicy(int quietPerMinute, int maxDifficulty, TimeProvider time)
{
    public const int Slots = 12;
    public static readonly TimeSpan SlotLength = TimeSpan.FromSeconds(5);

    private readonly long[] _counts = new long[Slots];
    private long _currentSlot = long.MinValue;

    /// <summary>The difficulty for a count of submissions in one minute.</summary>
    public static int DifficultyFor(long perMinute, int quietPerMinute, int maxDifficulty)
    {
        if (perMinute < quietPerMinute || maxDifficulty == 0)
        {
            return 0;
        }

        var difficulty = 1;
        var threshold = 2L * quietPerMinute;
        while (perMinute >= threshold && difficulty < maxDifficulty)
        {
            difficulty++;
            threshold *= 2;
        }

        return difficulty;
    }

    /// <summary>Counts one stamped submission now.</summary>
    public void Record()
    {
        Advance();
        _counts[_currentSlot % Slots]++;
    }

    /// <summary>Stamped submissions in the last minute (the current slot and the eleven before it).</summary>
    public long CountLastMinute()
    {
        Advance();
        return _counts.Sum();
    }

    public int Current => DifficultyFor(CountLastMinute(), quietPerMinute, maxDifficulty);

    private void Advance()
    {
        var slot = time.GetUtcNow().ToUnixTimeMilliseconds() / (long)SlotLength.TotalMilliseconds;
        if (slot <= _currentSlot)
        {
            return;
        }

        // Clear every slot that was skipped (all of them after a quiet minute).
        for (var s = Math.Max(_currentSlot + 1, slot - Slots + 1); s <= slot; s++)
        {
            _counts[s % Slots] = 0;
        }

        _currentSlot = slot;
    }
}
