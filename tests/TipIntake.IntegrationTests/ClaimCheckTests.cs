using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.Intake;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.IntegrationTests;

/// <summary>
/// A long testimony — 20,000 Korean characters, as the schema allows — does not fit one queue message once encrypted:
/// its JWE waits in the claim-check container, on the real Azurite, until the processor has stored the tip.
/// </summary>
public sealed class ClaimCheckTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private BlobContainerClient Container =>
        new BlobServiceClient(_host.ConnectionString).GetBlobContainerClient(StorageNames.ClaimCheckContainer);

    private static readonly JsonSerializerOptions AsBrowsersWrite = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions EscapingNonAscii = new() { Encoder = JavaScriptEncoder.Default };

    /// <summary>A v1 tip whose narrative is <paramref name="narrative"/>, written as browsers do (non-ASCII unescaped) or not.</summary>
    private static string LongTipJson(string narrative, bool escapeNonAscii = false) => JsonSerializer.Serialize(
        new Dictionary<string, object> { ["category"] = "forced-marriage", ["narrative"] = narrative, ["urgency"] = "soon", ["language"] = "ko" },
        escapeNonAscii ? EscapingNonAscii : AsBrowsersWrite);

    private static string Testimony(string marker, string text = "그녀는 연길에서 팔려 갔습니다. ") =>
        marker + " " + string.Concat(Enumerable.Repeat(text, 20_000))[..(20_000 - marker.Length - 1)];

    [Fact]
    public async Task Twenty_thousand_Korean_characters_are_stored_whole_and_the_claim_check_is_removed()
    {
        var marker = TestTips.NewMarker();
        var narrative = Testimony(marker);
        var jwe = await TestTips.EncryptAsync(_host.Http, LongTipJson(narrative));
        Assert.True(jwe.Length > TipEnvelope.MaxInlineJweLength, $"{jwe.Length} characters should not fit a queue message");

        using var response = await TestTips.PostAsync(_host.Http, jwe);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var tip = await _host.WaitForTipAsync(marker);
        Assert.Equal(narrative, tip.GetString("Narrative"));
        Assert.Equal(20_000, narrative.EnumerateRunes().Count());
        await Eventually.HoldsAsync(async () => await TestHost.CountClaimChecksAsync(_host.ConnectionString) == 0, "the claim-check deleted once the tip is stored");
    }

    [Fact]
    public async Task A_client_that_escapes_every_non_ASCII_character_is_not_refused_for_it()
    {
        var marker = TestTips.NewMarker();
        var narrative = Testimony(marker, "그녀는연길에서팔려갔습니다");
        var json = LongTipJson(narrative, escapeNonAscii: true);
        Assert.True(Encoding.UTF8.GetByteCount(json) > 119_000, "six bytes a character, more than the form's largest padding");

        using var response = await TestTips.PostAsync(_host.Http, await TestTips.EncryptAsync(_host.Http, json));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(narrative, (await _host.WaitForTipAsync(marker)).GetString("Narrative"));
    }

    [Fact]
    public async Task Long_testimony_resent_under_its_submission_id_is_kept_once()
    {
        var marker = TestTips.NewMarker();
        var jwe = await TestTips.EncryptAsync(_host.Http, LongTipJson(Testimony(marker)));
        var submission = SubmissionId.New().ToString();

        using (var first = await TestTips.PostAsync(_host.Http, jwe, submissionId: submission))
        using (var second = await TestTips.PostAsync(_host.Http, jwe, submissionId: submission))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
            Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        }

        await _host.WaitForTipAsync(marker);
        await _host.WaitUntilInboundIsEmptyAsync();
        await Eventually.HoldsAsync(async () => await TestHost.CountClaimChecksAsync(_host.ConnectionString) == 0, "the claim-check gone");
        Assert.Equal(1, await _host.CountTipsWithAsync(marker));
    }

    [Fact]
    public async Task Tampered_long_testimony_is_quarantined_with_its_JWE_kept_beside_the_envelope()
    {
        var jwe = await TestTips.EncryptAsync(_host.Http, LongTipJson(Testimony(TestTips.NewMarker())));
        var parts = jwe.Split('.');
        parts[3] = (parts[3][0] == 'A' ? "B" : "A") + parts[3][1..];
        var tampered = string.Join('.', parts);

        using var response = await TestTips.PostAsync(_host.Http, tampered);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var row = await Eventually.ReturnsAsync(
            async () =>
            {
                await foreach (var entity in _host.Quarantine.QueryAsync<TableEntity>())
                {
                    return entity;
                }

                return null;
            },
            "the quarantine row");
        Assert.Equal("tag-mismatch", row.PartitionKey);
        using var envelope = JsonDocument.Parse(row.GetBinary("Message"));
        var name = envelope.RootElement.GetProperty("jweRef").GetString()!;
        // Named by a keyed hash of the tip id (not the id: a traced blob request would date the tip), which retention
        // derives from the quarantine row's id.
        Assert.Equal(_host.App.GetRequiredService<ReceiptIssuer>().ClaimCheckNameOf(row.RowKey), name);
        Assert.NotEqual(row.RowKey, name);
        var kept = await Container.GetBlobClient(name).DownloadContentAsync();
        Assert.Equal(tampered, kept.Value.Content.ToString());
    }
}
