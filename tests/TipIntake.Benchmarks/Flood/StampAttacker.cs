using System.Net;
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
        var search = new StampSearch(new string('A', 56));
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
                var search = new StampSearch(challenge.GetProperty("challenge").GetString()!);
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
}
