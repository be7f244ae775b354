using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.IntegrationTests.FollowUp;

/// <summary>
/// Issue 15, the no-script path (docs/follow-up.md, "Who makes it, and the submission id"): a report posted without
/// JavaScript gets a follow-up code on its receipt page, in both forms; the code opens the report's thread through the
/// real lookup API, as a client would use it; a resent page shows the same code and keeps one tip; and the code, in
/// any of its forms, is in no log line, stored row or queue message.
/// </summary>
public sealed partial class NoScriptEnrolmentTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(settings: FollowUpLookupTests.GenerousBucket);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_no_script_report_shows_a_code_that_opens_its_thread_a_resend_shows_it_again_and_it_is_nowhere_else()
    {
        var marker = TestTips.NewMarker();
        var submission = SubmissionId.New().ToString();

        var (letters, digits) = await PostFormAsync(marker, submission);
        // The page that comes back after an unknown outcome carries the same submission id (ResendTests): sent again.
        var (lettersAgain, digitsAgain) = await PostFormAsync(marker, submission);

        Assert.Equal(letters, lettersAgain);
        Assert.Equal(digits, digitsAgain);
        var tip = await _host.WaitForTipAsync(marker);
        await _host.WaitUntilInboundIsEmptyAsync();
        Assert.Equal(1, await _host.CountTipsWithAsync(marker));
        Assert.Equal("active", tip.GetString("FollowUp"));
        Assert.StartsWith(ReceiptIssuer.PepperedPrefix, tip.GetString("ReceiptHash"), StringComparison.Ordinal);

        // Every way a reporter may type it gives the same V, so the same L and W.
        var value = ValueOf(letters);
        foreach (var typed in (string[])[digits, letters.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant(), digits.Replace(" ", "", StringComparison.Ordinal)])
        {
            Assert.Equal(value, ValueOf(typed));
        }

        var (lookup, sealingKey) = KeysOf(value);
        var sealingKeyHex = Convert.ToHexString(sealingKey);
        var lookupHash = tip.GetString("LookupHash");
        var keys = new TableServiceClient(_host.ConnectionString).GetTableClient(StorageNames.FollowUpKeysTable);
        await Eventually.HoldsAsync(
            async () => (await keys.GetEntityIfExistsAsync<TableEntity>(lookupHash, tip.RowKey)).HasValue, "the FollowUpKeys row");

        // The real lookup, as a client sends it: one thread (the resend made no second one), and only this code opens it.
        using var answer = await FollowUpLookupTests.LookUpAsync(_host, JoseBase64.Encode(lookup));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var thread = Assert.Single(JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("threads").EnumerateArray());
        Assert.Equal("received", thread.GetProperty("status").GetString());
        Assert.True(JoseBase64.TryDecode(thread.GetProperty("sealedKey").GetString(), out var sealedKey));
        using (var reporterKey = SealedReporterKey.Open(sealedKey, sealingKey))
        {
            Assert.NotNull(reporterKey);
            var point = reporterKey.ExportParameters(includePrivateParameters: false).Q;
            Assert.Equal(tip.GetString("ReporterKeyThumbprint"), SealedReporterKey.ThumbprintOf(JoseBase64.Encode(point.X), JoseBase64.Encode(point.Y)));
        }

        sealingKey[0] ^= 1;
        Assert.Null(SealedReporterKey.Open(sealedKey, sealingKey));

        // Nowhere: the code in every form (with and without separators), V, L and W.
        var needles = new Dictionary<string, string>
        {
            ["code (letters)"] = letters,
            ["code (letters, no dashes)"] = letters.Replace("-", "", StringComparison.Ordinal),
            ["code (digits)"] = digits,
            ["code (digits, no spaces)"] = digits.Replace(" ", "", StringComparison.Ordinal),
            ["V (hex)"] = Convert.ToHexString(value),
            ["L"] = JoseBase64.Encode(lookup),
            ["W (hex)"] = sealingKeyHex,
        };
        AssertAbsent("the logs", _host.Logs.All, needles);
        await foreach (var (name, rows) in TablesAsync())
        {
            AssertAbsent($"table {name}", rows, needles);
        }

        var queues = new QueueServiceClient(_host.ConnectionString);
        await foreach (var queue in queues.GetQueuesAsync())
        {
            var messages = new StringBuilder();
            foreach (PeekedMessage message in (await queues.GetQueueClient(queue.Name).PeekMessagesAsync(32)).Value)
            {
                messages.Append(message.Body.ToString()).Append('\n');
            }

            AssertAbsent($"queue {queue.Name}", messages.ToString(), needles);
        }
    }

    /// <summary>Posts the form under <paramref name="submission"/> and reads the receipt page: no-store, the code in both forms, in no link.</summary>
    private async Task<(string Letters, string Digits)> PostFormAsync(string marker, string submission)
    {
        using var form = await Forms.TestForms.NewFormAsync(_host.Http, new Dictionary<string, string>
        {
            ["lang"] = "zh-Hans",
            ["submission"] = submission,
            ["category"] = "trafficking",
            ["narrative"] = $"没有脚本发送的报告 {marker}",
            ["urgency"] = "soon",
        });
        using var response = await _host.Http.PostAsync(new Uri("submit", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "The receipt page must not be stored.");
        var page = await response.Content.ReadAsStringAsync();
        var letters = Letters().Match(page).Groups[1].Value;
        var digits = Digits().Match(page).Groups[1].Value;
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$", letters);
        Assert.Matches("^[0-9]{4}( [0-9]{4}){7}$", digits);
        foreach (Match link in Link().Matches(page))
        {
            foreach (var shown in (string[])[letters, letters.Replace("-", "", StringComparison.Ordinal), digits, digits.Replace(" ", "", StringComparison.Ordinal)])
            {
                Assert.DoesNotContain(shown, link.Value, StringComparison.OrdinalIgnoreCase);
            }
        }

        return (letters, digits);
    }

    private static byte[] ValueOf(string code)
    {
        var value = new byte[FollowUpCode.ValueBytes];
        Assert.Equal(FollowUpCodeStatus.Valid, FollowUpCode.Parse(code, value));
        return value;
    }

    /// <summary><c>L</c> and <c>W</c> from <c>V</c>, as a client derives them.</summary>
    private static (byte[] Lookup, byte[] SealingKey) KeysOf(byte[] value)
    {
        var master = new byte[FollowUpKeys.KeyBytes];
        var lookup = new byte[FollowUpKeys.KeyBytes];
        var sealingKey = new byte[FollowUpKeys.KeyBytes];
        FollowUpKeys.DeriveMaster(value, master);
        FollowUpKeys.DeriveLookup(master, lookup);
        FollowUpKeys.DeriveSealingKey(master, sealingKey);
        return (lookup, sealingKey);
    }

    /// <summary>Every table of the account, each as the text of all its rows.</summary>
    private async IAsyncEnumerable<(string Name, string Rows)> TablesAsync()
    {
        var tables = new TableServiceClient(_host.ConnectionString);
        await foreach (var table in tables.QueryAsync())
        {
            var rows = new StringBuilder();
            await foreach (var row in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                foreach (var (key, value) in row)
                {
                    rows.Append(key).Append('=').Append(value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
                }
            }

            yield return (table.Name, rows.ToString());
        }
    }

    private static void AssertAbsent(string where, string haystack, IReadOnlyDictionary<string, string> needles)
    {
        foreach (var (what, needle) in needles)
        {
            Assert.False(haystack.Contains(needle, StringComparison.OrdinalIgnoreCase), $"The {what} appears in {where}.");
        }
    }

    [GeneratedRegex("<p id=\"receipt-code\" class=\"receipt-code\" translate=\"no\">([^<]+)</p>")]
    private static partial Regex Letters();

    [GeneratedRegex("<p id=\"receipt-code-digits\" class=\"receipt-code\" translate=\"no\">([^<]+)</p>")]
    private static partial Regex Digits();

    [GeneratedRegex("(?:href|action|src)=\"[^\"]*\"")]
    private static partial Regex Link();
}
