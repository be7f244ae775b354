using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.Intake;

namespace TipIntake.IntegrationTests;

/// <summary>
/// A reporter who got no answer, or a 503 given after the queue may already have taken the tip, sends the same report
/// again: it must end as one tip with one receipt (docs/security.md, "Resending").
/// </summary>
public sealed partial class ResendTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(settings: TestHost.ProcessorDebug);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Same_JWE_sent_twice_under_one_submission_id_gets_one_receipt_and_is_kept_once()
    {
        var marker = TestTips.NewMarker();
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson($"resent {marker}"));
        var submission = SubmissionId.New().ToString();

        // Both reach the queue: the first answer is taken to be lost, as when the connection broke after the queue took it.
        var first = await AcceptedReceiptAsync(await TestTips.PostAsync(_host.Http, jwe, submissionId: submission));
        var second = await AcceptedReceiptAsync(await TestTips.PostAsync(_host.Http, jwe, submissionId: submission));

        Assert.Equal(first, second);
        var tip = await _host.WaitForTipAsync(marker);
        await _host.WaitUntilInboundIsEmptyAsync();
        Assert.Equal(1, await _host.CountTipsWithAsync(marker));
        Assert.Equal(_host.App.GetRequiredService<ReceiptIssuer>().HashOf(first), tip.GetString("ReceiptHash"));
        await _host.WaitForLogAsync(line => line.Contains($"Tip {tip.RowKey} was already stored; redelivery ignored", StringComparison.Ordinal), "the redelivery's log line");
    }

    [Fact]
    public async Task Same_JWE_under_two_submission_ids_is_two_tips()
    {
        var marker = TestTips.NewMarker();
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson($"sent twice on purpose {marker}"));

        var first = await AcceptedReceiptAsync(await TestTips.PostAsync(_host.Http, jwe, submissionId: SubmissionId.New().ToString()));
        var second = await AcceptedReceiptAsync(await TestTips.PostAsync(_host.Http, jwe, submissionId: SubmissionId.New().ToString()));

        Assert.NotEqual(first, second);
        await Eventually.HoldsAsync(async () => await _host.CountTipsWithAsync(marker) == 2, "two tips");
    }

    [Theory]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAB")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("")]
    public async Task Malformed_submission_id_is_refused_with_its_own_problem_and_nothing_is_queued(string header)
    {
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson("never queued"));

        using var response = await TestTips.PostAsync(_host.Http, jwe, submissionId: header);

        await AssertSubmissionIdProblemAsync(response);
        Assert.Equal(0, (await _host.InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Two_submission_id_headers_are_refused()
    {
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson("never queued"));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/tips", UriKind.Relative))
        {
            Content = new StringContent(jwe, System.Text.Encoding.ASCII, "application/jose"),
        };
        request.Headers.TryAddWithoutValidation(TestTips.StampHeader, await TestTips.SolveChallengeAsync(_host.Http));
        request.Headers.TryAddWithoutValidation(TestTips.SubmissionHeader, [SubmissionId.New().ToString(), SubmissionId.New().ToString()]);

        using var response = await _host.Http.SendAsync(request);

        await AssertSubmissionIdProblemAsync(response);
    }

    [Fact]
    public async Task No_script_form_resent_from_the_page_a_503_gives_back_gets_the_same_receipt_and_is_kept_once()
    {
        // The page that comes back after a 503 carries the posted submission id and a fresh ticket (a page's ticket is
        // good for one received report: reposting the very page is covered in FloodControlTests).
        var marker = TestTips.NewMarker();
        var submission = SubmissionIdOf(await _host.Http.GetStringAsync(new Uri("/?lang=ko", UriKind.Relative)));

        var first = await ReceiptOfAsync(await PostFormAsync(marker, submission));
        var second = await ReceiptOfAsync(await PostFormAsync(marker, submission));

        Assert.Equal(first, second);
        await _host.WaitForTipAsync(marker);
        await _host.WaitUntilInboundIsEmptyAsync();
        Assert.Equal(1, await _host.CountTipsWithAsync(marker));
    }

    [Fact]
    public async Task No_script_form_with_a_mangled_submission_id_comes_back_with_what_was_typed_and_a_fresh_id()
    {
        var marker = TestTips.NewMarker();

        using var response = await PostFormRawAsync(marker, "not-a-submission-id");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains(marker, page, StringComparison.Ordinal);
        Assert.True(SubmissionId.TryParse(SubmissionIdOf(page), out _));
        Assert.Equal(0, (await _host.InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    private static async Task<string> AcceptedReceiptAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("receipt").GetString()!;
        }
    }

    private static async Task AssertSubmissionIdProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:tipintake:problem:submission-id-invalid", problem.GetProperty("type").GetString());
    }

    private async Task<HttpResponseMessage> PostFormAsync(string marker, string submission)
    {
        var response = await PostFormRawAsync(marker, submission);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private async Task<HttpResponseMessage> PostFormRawAsync(string marker, string submission)
    {
        using var form = await Forms.TestForms.NewFormAsync(_host.Http, new Dictionary<string, string>
        {
            ["lang"] = "ko",
            ["submission"] = submission,
            ["category"] = "forced-marriage",
            ["narrative"] = $"양식으로 두 번 보냄 {marker}",
            ["urgency"] = "soon",
        });
        return await _host.Http.PostAsync(new Uri("submit", UriKind.Relative), form);
    }

    private static async Task<string> ReceiptOfAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var receipt = ReceiptCode().Match(await response.Content.ReadAsStringAsync()).Groups[1].Value;
            Assert.NotEmpty(receipt);
            return receipt;
        }
    }

    private static string SubmissionIdOf(string page) => HiddenSubmission().Match(page).Groups[1].Value;

    [GeneratedRegex("<p id=\"receipt-code\" class=\"receipt-code\" translate=\"no\">([^<]+)</p>")]
    private static partial Regex ReceiptCode();

    [GeneratedRegex("<input type=\"hidden\" name=\"submission\" value=\"([^\"]*)\" />")]
    private static partial Regex HiddenSubmission();
}
