using System.Buffers.Binary;
using System.Buffers.Text;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace TipIntake.Benchmarks.Flood;

/// <summary>One challenge's search: counters counted up from 0, the best hash kept, so a raised effort continues it.</summary>
public sealed class StampSearch(string challenge)
{
    private readonly byte[] _message = Encoding.ASCII.GetBytes(challenge + ":").Concat(new byte[20]).ToArray();
    private readonly int _prefix = challenge.Length + 1;
    private long _next;
    private long _tried;
    private (long Counter, int Bits) _best = (-1, -1);

    public long TakeTried() => Interlocked.Exchange(ref _tried, 0);

    /// <summary>The stamp of the first counter (or the best one already found) with at least <paramref name="effort"/> bits.</summary>
    public string? Find(int effort, long budget, CancellationToken cancellationToken)
    {
        Span<byte> hash = stackalloc byte[32];
        for (long i = 0; _best.Bits < effort && i < budget; i++)
        {
            if ((i & 0xFFFF) == 0 && cancellationToken.IsCancellationRequested)
            {
                return null;
            }

            var counter = _next++;
            Utf8Formatter.TryFormat(counter, _message.AsSpan(_prefix), out var digits);
            SHA256.HashData(_message.AsSpan(0, _prefix + digits), hash);
            _tried++;
            var bits = LeadingZeroBits(hash);
            if (bits > _best.Bits)
            {
                _best = (counter, bits);
            }
        }

        return _best.Bits >= effort ? challenge + ":" + _best.Counter.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static int LeadingZeroBits(ReadOnlySpan<byte> hash)
    {
        var first = BinaryPrimitives.ReadUInt64BigEndian(hash);
        if (first != 0)
        {
            return BitOperations.LeadingZeroCount(first);
        }

        var bits = 64;
        foreach (var b in hash[8..])
        {
            if (b != 0)
            {
                return bits + BitOperations.LeadingZeroCount((uint)b) - 24;
            }

            bits += 8;
        }

        return bits;
    }
}
