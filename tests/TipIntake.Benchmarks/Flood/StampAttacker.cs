using System.Buffers.Binary;
using System.Buffers.Text;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TipIntake.Benchmarks.Flood;

/// <summary>
/// The script-path flooder: <c>W</c> dedicated threads, each following the published protocol (docs/flood-control.md)
/// as fast as it can — fetch a challenge, solve it to the floor (the least that is accepted), post a valid JWE; on
/// <c>effort-too-low</c> go on searching the same challenge to the effort named, on a spent or expired challenge fetch
/// another. Hashing is .NET's SHA-256 (OpenSSL, with the CPU's SHA extensions where it has them): faster than the
/// form's JavaScript, as an attacker's native code would be.
/// </summary>
public sealed class StampAttacker(Uri origin, IReadOnlyList<string> bodies, int workers) : Attacker(origin, workers, "stamp-attacker")
{
    private long _hashes;
    private long _refused;

    public long Hashes => Interlocked.Read(ref _hashes);

    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>SHA-256 hashes a second on one thread of this process, alone (for the ratio to the reporter's).</summary>
    public static double MeasureHashRate(TimeSpan duration)
    {
        var search = new Search(new string('A', 56));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long tried = 0;
        while (clock.Elapsed < duration)
        {
            search.Find(257, 100_000, CancellationToken.None);
            tried += 100_000;
        }

        return tried / clock.Elapsed.TotalSeconds;
    }

    protected override void Run(int seed)
    {
        var n = seed;
        while (!Stopping.IsCancellationRequested)
        {
            try
            {
                var challenge = FloodClients.GetJson(Http, "api/challenge", Stopping.Token);
                var search = new Search(challenge.GetProperty("challenge").GetString()!);
                var effort = challenge.GetProperty("difficulty").GetInt32();
                while (!Stopping.IsCancellationRequested)
                {
                    var found = search.Find(effort, long.MaxValue, Stopping.Token);
                    Interlocked.Add(ref _hashes, search.TakeTried());
                    if (found is null)
                    {
                        return;
                    }

                    var (status, problem) = Post(found, bodies[n++ % bodies.Count]);
                    if (status == HttpStatusCode.Accepted)
                    {
                        CountAccepted();
                        break;
                    }

                    Interlocked.Increment(ref _refused);
                    if (problem.TryGetProperty("type", out var type) && type.GetString() == "urn:tipintake:problem:effort-too-low")
                    {
                        effort = problem.GetProperty("effort").GetInt32();
                        continue;
                    }

                    break;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or InvalidOperationException or KeyNotFoundException)
            {
                if (!Stopping.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _refused);
                }
            }
        }
    }

    private (HttpStatusCode Status, JsonElement Problem) Post(string stamp, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/tips", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.ASCII, "application/jose"),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/jose");
        request.Headers.TryAddWithoutValidation("TipIntake-Stamp", stamp);
        CountRequest();
        using var response = Http.Send(request, Stopping.Token);
        using var stream = response.Content.ReadAsStream(Stopping.Token);
        var problem = response.StatusCode == HttpStatusCode.Accepted ? default : JsonSerializer.Deserialize<JsonElement>(stream);
        return (response.StatusCode, problem);
    }

    /// <summary>One challenge's search: counters counted up from 0, the best hash kept, so a raised effort continues it.</summary>
    private sealed class Search(string challenge)
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
}
