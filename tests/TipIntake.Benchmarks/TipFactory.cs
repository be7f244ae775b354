using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Infrastructure.Keys;

namespace TipIntake.Benchmarks;

/// <summary>Valid tips, JWEs and queue envelopes under the local development key, built with the service's own encryptor.</summary>
public static class TipFactory
{
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
}
