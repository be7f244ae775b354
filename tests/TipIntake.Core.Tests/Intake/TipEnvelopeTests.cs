using System.Text;
using System.Text.Json;
using TipIntake.Core.Intake;

namespace TipIntake.Core.Tests.Intake;

public class TipEnvelopeTests
{
    [Fact]
    public void Truncate_to_hour_drops_minutes_seconds_and_fractions()
    {
        var truncated = TipEnvelope.TruncateToHour(new DateTimeOffset(2025, 6, 15, 13, 59, 59, 999, TimeSpan.Zero).AddTicks(9999));

        Assert.Equal(new DateTimeOffset(2025, 6, 15, 13, 0, 0, TimeSpan.Zero), truncated);
        Assert.Equal(TimeSpan.Zero, truncated.Offset);
    }

    [Fact]
    public void Truncate_to_hour_converts_to_utc()
    {
        var seoul = new DateTimeOffset(2025, 6, 15, 8, 45, 12, TimeSpan.FromHours(9));

        var truncated = TipEnvelope.TruncateToHour(seoul);

        Assert.Equal(new DateTimeOffset(2025, 6, 14, 23, 0, 0, TimeSpan.Zero), truncated);
        Assert.Equal(TimeSpan.Zero, truncated.Offset);
        Assert.Equal(0, truncated.Ticks % TimeSpan.TicksPerHour);
    }

    [Fact]
    public void Truncate_to_hour_keeps_an_exact_hour()
    {
        var hour = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(hour, TipEnvelope.TruncateToHour(hour));
    }

    [Fact]
    public void Truncate_to_hour_handles_half_hour_offsets()
    {
        var india = new DateTimeOffset(2025, 6, 15, 10, 15, 0, TimeSpan.FromMinutes(330));

        Assert.Equal(new DateTimeOffset(2025, 6, 15, 4, 0, 0, TimeSpan.Zero), TipEnvelope.TruncateToHour(india));
    }

    [Fact]
    public void Maximal_inline_envelope_fits_one_queue_message_after_base64()
    {
        var envelope = new TipEnvelope(
            int.MaxValue,
            TipIntakeService.NewTipId(),
            new DateTimeOffset(9999, 12, 31, 23, 0, 0, TimeSpan.Zero),
            new string('h', 43),
            MaximalJwe());

        var json = JsonSerializer.SerializeToUtf8Bytes(envelope, EnvelopeJsonContext.Default.TipEnvelope);
        var base64Length = Convert.ToBase64String(json).Length;

        Assert.Equal(TipEnvelope.MaxInlineJweLength, envelope.Jwe!.Length);
        Assert.True(json.Length <= TipEnvelope.MaxSerializedBytes, $"{json.Length} JSON bytes");
        Assert.True(base64Length <= 64 * 1024, $"{base64Length} Base64 characters");
        Assert.True(json.Length - envelope.Jwe.Length <= TipEnvelope.MaxOverheadBytes, $"{json.Length - envelope.Jwe.Length} bytes of overhead");
    }

    [Fact]
    public void Claim_checked_envelope_names_its_JWE_instead_of_carrying_it()
    {
        var tipId = TipIntakeService.NewTipId();
        var envelope = new TipEnvelope(TipEnvelope.CurrentVersion, tipId, TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow), "hash", Jwe: null, JweRef: tipId);

        var json = JsonSerializer.Serialize(envelope, EnvelopeJsonContext.Default.TipEnvelope);

        Assert.Equal(envelope, JsonSerializer.Deserialize(json, EnvelopeJsonContext.Default.TipEnvelope));
        using var document = JsonDocument.Parse(json);
        Assert.Equal(["v", "tipId", "receivedHour", "receiptHash", "jweRef"], document.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void The_largest_padded_plaintext_encrypts_to_a_JWE_within_the_limit_and_beyond_the_inline_one()
    {
        static int Base64Url(int bytes) => (bytes * 4 + 2) / 3;
        const int LongestHeaderJson = 400;
        const int Rsa4096 = 512;
        var largest = Base64Url(LongestHeaderJson) + Base64Url(Rsa4096) + Base64Url(12) + Base64Url(Core.Tips.TipPadding.Buckets[^1]) + Base64Url(16) + 4;

        Assert.True(largest <= TipEnvelope.MaxJweLength, $"{largest} characters");
        Assert.True(Base64Url(Core.Tips.TipPadding.Buckets[^2]) + 1_000 < TipEnvelope.MaxInlineJweLength, "the 34,000-byte bucket should still travel inline");
        Assert.True(Base64Url(Core.Tips.TipPadding.Buckets[^1]) > TipEnvelope.MaxInlineJweLength);
    }

    [Fact]
    public void Envelope_round_trips_through_its_json_context()
    {
        var envelope = new TipEnvelope(
            TipEnvelope.CurrentVersion,
            TipIntakeService.NewTipId(),
            TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow),
            "hash",
            "a.b.c.d.e");

        var json = JsonSerializer.Serialize(envelope, EnvelopeJsonContext.Default.TipEnvelope);

        Assert.Equal(envelope, JsonSerializer.Deserialize(json, EnvelopeJsonContext.Default.TipEnvelope));
        using var document = JsonDocument.Parse(json);
        Assert.Equal(
            new[] { "v", "tipId", "receivedHour", "receiptHash", "jwe" },
            document.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Tip_id_is_128_random_bits_in_lower_hex()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => TipIntakeService.NewTipId()).ToList();

        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}\\z", id));
        Assert.Equal(100, ids.Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>A JWE of exactly <see cref="TipEnvelope.MaxInlineJweLength"/> characters, all of which JSON writes unescaped.</summary>
    private static string MaximalJwe()
    {
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var builder = new StringBuilder(TipEnvelope.MaxInlineJweLength);
        for (var i = 0; builder.Length < TipEnvelope.MaxInlineJweLength; i++)
        {
            builder.Append(i % 1000 == 999 ? '.' : alphabet[i % alphabet.Length]);
        }

        return builder.ToString();
    }
}
