using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Xunit.Abstractions;

namespace TipIntake.IntegrationTests;

/// <summary>The walking skeleton, end to end: HTTP in, queue, the real processor, Table Storage out.</summary>
public sealed class TipJourneyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(settings: TestHost.ProcessorDebug);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Encrypted_tip_travels_from_submit_into_the_Tips_table_in_its_triage_partition()
    {
        var marker = TestTips.NewMarker();
        var narrative = $"탈북민 세 명이 도문 구류소에 있습니다. {marker}";
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(narrative, urgency: "imminent"));

        // What a network would reveal about the sender: the service must not keep or log any of it.
        const string ForwardedFor = "198.51.100.23";
        var userAgent = "ReporterBrowser/" + marker;
        _host.Http.DefaultRequestHeaders.Add("X-Forwarded-For", ForwardedFor);
        _host.Http.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);

        var stopwatch = Stopwatch.StartNew();
        using var response = await TestTips.PostAsync(_host.Http, jwe);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var receipt = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("receipt").GetString()!;
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$", receipt);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());

        var tip = await Eventually.ReturnsAsync(
            async () => await FirstAsync(_host.Tips.QueryAsync<TableEntity>(e => e.PartitionKey == "urgent")),
            "the tip in partition 'urgent'");
        stopwatch.Stop();
        output.WriteLine($"Submit to stored: {stopwatch.ElapsedMilliseconds} ms");

        Assert.Equal(narrative, tip.GetString("Narrative"));
        Assert.Equal("forced-repatriation", tip.GetString("Category"));
        Assert.Equal("imminent", tip.GetString("Urgency"));
        Assert.Equal("CN", tip.GetString("Country"));
        Assert.Equal("2026-11-01", tip.GetString("ObservedFrom"));
        Assert.Equal(3, tip.GetInt32("PeopleCount"));
        Assert.Equal(1, tip.GetInt32("Priority"));
        Assert.Equal("new", tip.GetString("Status"));
        Assert.Matches("^[0-9a-f]{32}$", tip.RowKey);
        var hour = tip.GetDateTimeOffset("ReceivedHour")!.Value;
        Assert.Equal(TimeSpan.Zero, hour.TimeOfDay - TimeSpan.FromHours(hour.Hour));

        // Only the salted hash of the receipt is kept; the receipt itself is nowhere in the row.
        Assert.DoesNotContain(tip.Select(pair => pair.Value).OfType<string>(), value => value.Contains(receipt, StringComparison.Ordinal));
        Assert.DoesNotContain(tip.Select(pair => pair.Key), key => key.Contains("Ip", StringComparison.Ordinal) || key.Contains("Agent", StringComparison.Ordinal));

        Assert.DoesNotContain(tip.Select(pair => pair.Value).OfType<string>(), value => value.Contains(ForwardedFor, StringComparison.Ordinal));

        // Nothing the reporter sent reached a log in clear: not the narrative (which holds the marker, as does the
        // user agent), not the receipt, not the forwarded address.
        // (The worker's log line travels to the host's log over gRPC, so it may arrive just after the row.)
        await _host.WaitForLogAsync(line => line.Contains("stored in triage queue urgent", StringComparison.Ordinal), "the processor's log line");
        Assert.DoesNotContain(marker, _host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(receipt, _host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(ForwardedFor, _host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tampered_ciphertext_is_quarantined_once_and_not_retried()
    {
        var marker = TestTips.NewMarker();
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(marker));
        var segments = jwe.Split('.');
        var ciphertext = segments[3].ToCharArray();
        ciphertext[0] = ciphertext[0] == 'A' ? 'B' : 'A';
        segments[3] = new string(ciphertext);
        var tampered = string.Join('.', segments);

        using var response = await TestTips.PostAsync(_host.Http, tampered);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var entry = await Eventually.ReturnsAsync(
            async () => await FirstAsync(_host.Quarantine.QueryAsync<TableEntity>(e => e.PartitionKey == "tag-mismatch")),
            "a tag-mismatch quarantine entry");
        Assert.Equal(1, entry.GetInt64("Attempts"));
        Assert.Contains(tampered, Encoding.UTF8.GetString(entry.GetBinary("Message")), StringComparison.Ordinal);

        await Eventually.HoldsAsync(async () => (await _host.InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "an empty inbound queue");
        Assert.Null(await FirstAsync(_host.Tips.QueryAsync<TableEntity>()));
        Assert.False((await _host.PoisonQueue.PeekMessagesAsync()).Value.Length > 0, "Nothing may reach the poison queue.");
        Assert.DoesNotContain(marker, _host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Same_queue_message_delivered_twice_stores_one_tip()
    {
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(TestTips.NewMarker(), urgency: "soon", category: "detention"));
        var envelope = new Core.Intake.TipEnvelope(1, Core.Intake.TipIntakeService.NewTipId(), Core.Intake.TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow), "hash", jwe);
        var body = JsonSerializer.SerializeToUtf8Bytes(envelope, Core.Intake.EnvelopeJsonContext.Default.TipEnvelope);

        await _host.InboundQueue.SendMessageAsync(BinaryData.FromBytes(body));
        await _host.InboundQueue.SendMessageAsync(BinaryData.FromBytes(body));

        await Eventually.HoldsAsync(
            async () => (await _host.InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0
                && await FirstAsync(_host.Tips.QueryAsync<TableEntity>(e => e.RowKey == envelope.TipId)) is not null,
            "both deliveries processed");
        var rows = await CountAsync(_host.Tips.QueryAsync<TableEntity>(e => e.RowKey == envelope.TipId));
        Assert.Equal(1, rows);
        Assert.True(_host.Logs.Lines.Any(line => line.Contains($"Tip {envelope.TipId} was already stored", StringComparison.Ordinal)),
            "The second delivery must have been processed and recognised as a redelivery.");
    }

    [Fact]
    public async Task Intake_key_is_a_public_jwk_in_key_vault_form_with_no_private_part()
    {
        using var response = await _host.Http.GetAsync(new Uri("api/intake-key", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("max-age", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var jwk = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("RSA", jwk.GetProperty("kty").GetString());
        Assert.Equal("RSA-OAEP-256", jwk.GetProperty("alg").GetString());
        Assert.Matches("^https://[a-z0-9.-]+/keys/[a-z0-9-]+/[0-9a-f]{32}$", jwk.GetProperty("kid").GetString());
        Assert.Equal(384, Jose.Base64Url.Decode(jwk.GetProperty("n").GetString()!).Length);
        foreach (var privateMember in new[] { "d", "p", "q", "dp", "dq", "qi" })
        {
            Assert.False(jwk.TryGetProperty(privateMember, out _), $"The JWK must not contain '{privateMember}'.");
        }
    }

    internal static async Task<T?> FirstAsync<T>(Azure.AsyncPageable<T> pageable)
        where T : class
    {
        await foreach (var item in pageable)
        {
            return item;
        }

        return null;
    }

    internal static async Task<int> CountAsync<T>(Azure.AsyncPageable<T> pageable)
        where T : notnull
    {
        var count = 0;
        await foreach (var _ in pageable)
        {
            count++;
        }

        return count;
    }
}
