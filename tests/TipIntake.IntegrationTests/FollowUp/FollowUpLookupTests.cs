using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using TipIntake.Infrastructure.Storage;
using TipIntake.Testing;

namespace TipIntake.IntegrationTests.FollowUp;

/// <summary>
/// Issue 15, enrolment and lookup, through the real worker on Azurite (docs/follow-up.md, "The protocol" §1 and §2):
/// a tip carrying a <c>followUp</c> member made by an independent client, then <c>POST /api/follow-up/lookup</c> with
/// the right and a wrong <c>L</c>. The worker's storage goes through a proxy that can fail the lookup's reads.
/// </summary>
public sealed class FollowUpLookupTests : IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, string> GenerousBucket = new Dictionary<string, string>
    {
        ["FollowUp:MaxLookupsPerSecond"] = "1000",
        ["FollowUp:LookupBurst"] = "1000",
    };

    private StorageFault _keysDown = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        var proxy = await StorageFaultProxy.StartAsync(await SharedAzurite.NewAccountAsync());
        _keysDown = proxy.Add(new StorageFault
        {
            Matches = request => (request.Path.Value ?? "").Contains(StorageNames.FollowUpKeysTable, StringComparison.Ordinal) && request.Method == "GET",
            Enabled = false,
        });
        _host = await TestHost.StartAsync(settings: GenerousBucket, connectionString: proxy.ConnectionString, owned: proxy);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private TableClient Keys => new TableServiceClient(_host.ConnectionString).GetTableClient(StorageNames.FollowUpKeysTable);

    /// <summary>Submits a tip with <paramref name="followUp"/> and waits for its row.</summary>
    public static async Task<TableEntity> EnrolAsync(TestHost host, JsonNode? followUp, string? submissionId = null, string? jwe = null)
    {
        var marker = TestTips.NewMarker();
        jwe ??= await TestTips.EncryptAsync(host.Http, FollowUpClient.TipJson(marker, followUp));
        using var response = await TestTips.PostAsync(host.Http, jwe, submissionId: submissionId);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await host.WaitForTipAsync(marker);
    }

    public static async Task<HttpResponseMessage> LookUpAsync(TestHost host, string lookup) =>
        await host.Http.SendAsync(FollowUpClient.LookupRequest(lookup, await TestTips.SolveChallengeAsync(host.Http)));

    /// <summary>Every header of an answer but Date, as name: values.</summary>
    public static List<string> HeadersOf(HttpResponseMessage response) =>
    [
        .. response.Headers.Concat(response.Content.Headers)
            .Where(header => header.Key != "Date")
            .Select(header => $"{header.Key}: {string.Join(", ", header.Value)}")
            .Order(StringComparer.Ordinal),
    ];

    [Fact]
    public async Task An_enrolled_tip_is_found_by_its_lookup_and_a_wrong_lookup_gets_a_decoy_that_answers_alike()
    {
        var reporter = FollowUpClient.New();
        var tip = await EnrolAsync(_host, reporter.Member());

        // The tip's row: the state, the key's thumbprint and H — never L.
        Assert.Equal("active", tip.GetString("FollowUp"));
        Assert.Equal(reporter.Thumbprint, tip.GetString("ReporterKeyThumbprint"));
        var lookupHash = tip.GetString("LookupHash");
        Assert.Equal(43, lookupHash.Length);
        Assert.DoesNotContain(tip.Select(pair => pair.Value).OfType<string>(), value => value.Contains(reporter.Lookup, StringComparison.Ordinal));

        var row = await Eventually.ReturnsAsync(
            async () => await Keys.GetEntityIfExistsAsync<TableEntity>(lookupHash, tip.RowKey) is { HasValue: true } found ? found.Value : null,
            "the FollowUpKeys row");
        Assert.Equal(reporter.SealedKey, row.GetString("SealedKey"));
        Assert.Equal(tip.PartitionKey, row.GetString("TriageQueue"));
        Assert.Equal(22, row.GetString("Ref").Length);
        Assert.Equal(1, row.GetInt32("Version"));
        var publicKey = JsonNode.Parse(row.GetString("PublicKey"))!;
        Assert.Equal((reporter.PublicJwk["x"]!.GetValue<string>(), reporter.PublicJwk["y"]!.GetValue<string>()), (publicKey["x"]!.GetValue<string>(), publicKey["y"]!.GetValue<string>()));

        using var right = await LookUpAsync(_host, reporter.Lookup);
        using var wrong = await LookUpAsync(_host, FollowUpClient.RandomLookup());
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        var rightBody = await right.Content.ReadAsByteArrayAsync();
        var wrongBody = await wrong.Content.ReadAsByteArrayAsync();

        var thread = Assert.Single(JsonDocument.Parse(rightBody).RootElement.GetProperty("threads").EnumerateArray());
        Assert.Equal("received", thread.GetProperty("status").GetString());
        Assert.True(thread.GetProperty("answerable").GetBoolean());
        Assert.Equal(row.GetString("Ref"), thread.GetProperty("ref").GetString());
        Assert.Equal(reporter.SealedKey, thread.GetProperty("sealedKey").GetString());
        Assert.Equal(0, thread.GetProperty("messages").GetArrayLength());
        Assert.True(reporter.Opens(thread.GetProperty("sealedKey").GetString()!));

        var decoy = Assert.Single(JsonDocument.Parse(wrongBody).RootElement.GetProperty("threads").EnumerateArray());
        Assert.Equal("received", decoy.GetProperty("status").GetString());
        Assert.Equal(272, decoy.GetProperty("sealedKey").GetString()!.Length);
        Assert.Equal(22, decoy.GetProperty("ref").GetString()!.Length);
        Assert.False(reporter.Opens(decoy.GetProperty("sealedKey").GetString()!));

        // Same status, same headers, same length.
        Assert.Equal(4096, rightBody.Length);
        Assert.Equal(rightBody.Length, wrongBody.Length);
        Assert.Equal(HeadersOf(right), HeadersOf(wrong));
        Assert.Contains("Cache-Control: no-store", HeadersOf(right));

        // Nothing of L, H, the ref or the sealed key reached a log.
        foreach (var secret in (string[])[reporter.Lookup, lookupHash, row.GetString("Ref"), reporter.SealedKey[..40]])
        {
            Assert.DoesNotContain(secret, _host.Logs.All, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_wrong_lookup_always_gets_the_same_decoy()
    {
        var lookup = FollowUpClient.RandomLookup();
        using var first = await LookUpAsync(_host, lookup);
        using var second = await LookUpAsync(_host, lookup);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_resent_tip_keeps_one_tip_and_one_follow_up_row()
    {
        var reporter = FollowUpClient.New();
        var marker = TestTips.NewMarker();
        var jwe = await TestTips.EncryptAsync(_host.Http, FollowUpClient.TipJson(marker, reporter.Member()));
        var submission = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using (var first = await TestTips.PostAsync(_host.Http, jwe, submissionId: submission))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        var tip = await _host.WaitForTipAsync(marker);
        using (var again = await TestTips.PostAsync(_host.Http, jwe, submissionId: submission))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }

        // The second copy is processed (its redelivery of the tip meets the row and writes the key row again).
        await _host.WaitForLogAsync(line => line.Contains("already stored", StringComparison.Ordinal), "the resend's processing");
        await _host.WaitUntilInboundIsEmptyAsync();
        Assert.Equal(1, await _host.CountTipsWithAsync(marker));
        var rows = await Keys.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {tip.GetString("LookupHash")}")).ToListAsync();
        Assert.Equal(tip.RowKey, Assert.Single(rows).RowKey);
    }

    [Theory]
    [InlineData("key-not-on-curve")]
    [InlineData("unknown-member")]
    [InlineData("lookup-invalid")]
    public async Task An_invalid_follow_up_member_is_recorded_and_the_tip_kept(string code)
    {
        var member = FollowUpClient.New().Member();
        switch (code)
        {
            case "key-not-on-curve":
                member["key"]!["y"] = new string('A', 43);
                break;
            case "unknown-member":
                member["code"] = "SGANX-9ZH79-1RSNG-ZD2HQ";
                break;
            default:
                member["lookup"] = member["lookup"]!.GetValue<string>()[..42];
                break;
        }

        var tip = await EnrolAsync(_host, member);

        Assert.Equal("rejected:" + code, tip.GetString("FollowUp"));
        Assert.Null(tip.GetString("LookupHash"));
        Assert.Null(tip.GetString("ReporterKeyThumbprint"));
        Assert.Empty(await Keys.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {tip.RowKey}")).ToListAsync());
    }

    [Fact]
    public async Task A_tip_without_follow_up_says_none()
    {
        var tip = await EnrolAsync(_host, null);
        Assert.Equal("none", tip.GetString("FollowUp"));
    }

    [Fact]
    public async Task Storage_down_answers_503_for_a_right_and_a_wrong_lookup_alike()
    {
        var reporter = FollowUpClient.New();
        await EnrolAsync(_host, reporter.Member());
        using var warm = await LookUpAsync(_host, reporter.Lookup);
        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);

        _keysDown.Enabled = true;
        try
        {
            using var right = await LookUpAsync(_host, reporter.Lookup);
            using var wrong = await LookUpAsync(_host, FollowUpClient.RandomLookup());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, right.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, wrong.StatusCode);
            Assert.Equal(await right.Content.ReadAsStringAsync(), await wrong.Content.ReadAsStringAsync());
            Assert.Equal(HeadersOf(right), HeadersOf(wrong));
            Assert.Contains("urn:tipintake:problem:unavailable", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.NotNull(right.Headers.RetryAfter);
        }
        finally
        {
            _keysDown.Enabled = false;
        }
    }
}
