using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Tips;
using TipIntake.Core.Triage.Search;
using TipIntake.Infrastructure.Keys;

namespace TipIntake.Benchmarks;

/// <summary>Valid tips, JWEs and queue envelopes under the local development key, built with the service's own encryptor.</summary>
public static class TipFactory
{
    private static readonly double[] Harmonic = BuildHarmonic(20_000);

    /// <summary>The development key (RSA-3072) kept in <paramref name="folder"/>, created on first use.</summary>
    public static LocalDevelopmentKey Key(string folder) =>
        new(Options.Create(new LocalDevelopmentKeyOptions { Folder = folder }));

    /// <summary>
    /// A valid tip whose JSON is about <paramref name="targetBytes"/> long (the narrative is filled up), starting with
    /// <paramref name="prefix"/> when given.
    /// </summary>
    public static byte[] TipJson(
        int targetBytes, int seed = 0, string category = "forced-repatriation", string urgency = "imminent", string? prefix = null)
    {
        var today = DateTime.UtcNow.Date;
        string Json(string narrative) => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["category"] = category,
            ["narrative"] = narrative,
            ["urgency"] = urgency,
            ["location"] = new Dictionary<string, string> { ["country"] = "CN", ["region"] = "Jilin", ["place"] = "Tumen detention centre" },
            ["observed"] = new Dictionary<string, string>
            {
                ["from"] = today.AddDays(-27).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["to"] = today.AddDays(-8).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            },
            ["peopleCount"] = 3,
            ["language"] = "ko",
            ["padding"] = "",
        });

        prefix ??= $"Benchmark tip {seed}. ";
        var overhead = Encoding.UTF8.GetByteCount(Json(prefix));
        var filler = new StringBuilder(prefix);
        const string Sentence = "Three people were taken to the detention centre and are to be sent back next week. ";
        while (filler.Length + overhead - prefix.Length < targetBytes)
        {
            filler.Append(Sentence);
        }

        var narrative = filler.ToString();
        var over = Encoding.UTF8.GetByteCount(Json(narrative)) - targetBytes;
        if (over > 0)
        {
            narrative = narrative[..^Math.Min(over, narrative.Length - prefix.Length)];
        }

        return Encoding.UTF8.GetBytes(Json(narrative.TrimEnd()));
    }

    /// <summary>
    /// A valid tip of about <paramref name="targetBytes"/> that differs from the others as reports do: a category,
    /// urgency and place (one of the gazetteer's, as reports from the border region name them) drawn at random, its
    /// own weeks within the last year, and a narrative of words drawn from a 20,000-word vocabulary by Zipf's law, so
    /// that some words are in most tips and most words in few. Reproducible from <paramref name="seed"/>.
    /// </summary>
    public static byte[] VariedTipJson(int targetBytes, int seed)
    {
        var random = new Random(seed);
        var place = Gazetteer.Default.Places[random.Next(Gazetteer.Default.Places.Count)];
        var from = DateTime.UtcNow.Date.AddDays(-random.Next(30, 365));
        var narrative = new StringBuilder($"Report {seed}:");
        while (Encoding.UTF8.GetByteCount(narrative.ToString()) < targetBytes - 400)
        {
            narrative.Append(' ').Append(ZipfWord(random));
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["category"] = TipCategories.All[random.Next(TipCategories.All.Count)],
            ["narrative"] = narrative.Append('.').ToString(),
            ["urgency"] = TipUrgencies.All[random.Next(TipUrgencies.All.Count)],
            ["location"] = new Dictionary<string, string> { ["country"] = place.Country, ["place"] = place.Names[^1] },
            ["observed"] = new Dictionary<string, string>
            {
                ["from"] = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["to"] = from.AddDays(random.Next(0, 21)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            },
            ["peopleCount"] = random.Next(1, 12),
            ["language"] = "en",
            ["padding"] = "",
        });
        var read = TipReader.Read(json, DateTimeOffset.UtcNow);
        return read.Tip is not null ? json : throw new InvalidOperationException($"A generated tip did not validate: {string.Join(", ", read.Errors)}.");
    }

    /// <summary>Word ranks 1..20,000 with probability ∝ 1/rank (inverse-CDF over the harmonic sum), spelled as letters.</summary>
    private static string ZipfWord(Random random)
    {
        const int Vocabulary = 20_000;
        var target = random.NextDouble() * Harmonic[^1];
        var rank = Array.BinarySearch(Harmonic, target);
        rank = rank < 0 ? ~rank : rank;
        var word = new StringBuilder("w");
        for (var n = Math.Min(rank, Vocabulary - 1); ; n /= 26)
        {
            word.Append((char)('a' + (n % 26)));
            if (n < 26)
            {
                return word.ToString();
            }
        }
    }

    public static async Task<string> JweAsync(LocalDevelopmentKey key, byte[] plaintext)
    {
        var publicKey = await key.GetPublicKeyAsync(CancellationToken.None);
        return JweEncryptor.Encrypt(plaintext, publicKey);
    }

    /// <summary>A queue message body exactly as the intake writes it (contract 3).</summary>
    public static BinaryData Envelope(string jwe) => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(
        new TipEnvelope(
            TipEnvelope.CurrentVersion,
            TipIntakeService.NewTipId(),
            TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow),
            Convert.ToBase64String(Guid.NewGuid().ToByteArray()),
            jwe),
        EnvelopeJsonContext.Default.TipEnvelope));

    private static double[] BuildHarmonic(int count)
    {
        var sums = new double[count];
        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            sum += 1.0 / (i + 1);
            sums[i] = sum;
        }

        return sums;
    }
}
