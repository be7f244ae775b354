using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Jwe;
using TipIntake.IntegrationTests.Triage;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.IntegrationTests.FollowUp;

/// <summary>
/// Issue 15, the conversation, through the real worker (docs/follow-up.md, "Triage" and "Answering"): an Editor's
/// question, encrypted twice as the triage page does it, reaches the reporter's lookup and opens only with the
/// reporter's key; the reporter's answer reaches the Editor; every step is audited without its text. The reporter's
/// side is <see cref="FollowUpClient"/> (made from the document, not the service's code); messages to the reporter are
/// made with <see cref="ReporterMessageJwe"/>, which Core's tests check against what the browser's own code makes.
/// </summary>
public sealed class FollowUpThreadTests : IAsyncLifetime
{
    private TriageHost _triage = null!;

    public async Task InitializeAsync() => _triage = await TriageHost.StartAsync(FollowUpLookupTests.GenerousBucket);

    public async Task DisposeAsync() => await _triage.DisposeAsync();

    private TestHost Host => _triage.Host;

    [Fact]
    public async Task An_editors_question_reaches_only_the_reporter_and_the_answer_reaches_the_editor_all_audited_without_text()
    {
        var reporter = FollowUpClient.New();
        var id = (await FollowUpLookupTests.EnrolAsync(Host, reporter.Member())).RowKey;
        var marker = TestTips.NewMarker();
        var question = $"어느 시설입니까? 이송은 언제입니까? {marker}";
        var answer = $"도문 구류소입니다. 금요일입니다. {marker}-answer";

        // The lookup waits for the key row, which the processor writes just after the tip's row.
        var threadRef = (await LookUpAsync(reporter)).GetProperty("ref").GetString()!;
        var before = await ReadThreadAsync(id, "reader");
        Assert.Equal("active", before.GetProperty("followUp").GetString());
        Assert.Equal(reporter.Thumbprint, before.GetProperty("reporterKey").GetProperty("kid").GetString());
        Assert.Equal(threadRef, before.GetProperty("ref").GetString());
        Assert.Empty(before.GetProperty("messages").EnumerateArray());

        using (var sent = await SendAsync(id, await MessageAsync(reporter, question, threadRef, awaitReply: true)))
        {
            Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        }

        var asked = await ReadThreadAsync(id, "editor");
        var staffCopy = Assert.Single(asked.GetProperty("messages").EnumerateArray());
        Assert.Equal(("organisation", question, "Test editor"), (staffCopy.GetProperty("from").GetString(), staffCopy.GetProperty("text").GetString(), staffCopy.GetProperty("author").GetString()));
        Assert.True(asked.GetProperty("awaitingReporter").GetBoolean());
        Assert.Contains(id, (await _triage.ListIdsAsync("api/triage/search?awaiting=reporter")).Ids);
        Assert.DoesNotContain(id, (await _triage.ListIdsAsync("api/triage/search?answers=new")).Ids);

        // The reporter's lookup carries the question as a JWE only the reporter's key opens.
        var thread = await LookUpAsync(reporter);
        var delivered = Assert.Single(thread.GetProperty("messages").EnumerateArray());
        Assert.Equal("organisation", delivered.GetProperty("from").GetString());
        Assert.DoesNotContain(marker, delivered.GetRawText(), StringComparison.Ordinal);
        using (var key = SealedReporterKey.Open(Base64Url.DecodeFromChars(reporter.SealedKey), reporter.SealingKey)!)
        {
            using var opened = JsonDocument.Parse(ReporterMessageJwe.Decrypt(delivered.GetProperty("jwe").GetString()!, key)!);
            Assert.Equal(question, opened.RootElement.GetProperty("text").GetString());
            Assert.Equal(threadRef, opened.RootElement.GetProperty("thread").GetString());
        }

        using (var answered = await AnswerAsync(reporter, threadRef, answer))
        {
            Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);
        }

        // The processor appends the answer, records the event, then sets the flags: wait for the last step.
        await Eventually.HoldsAsync(
            async () => (await ReadThreadAsync(id, "reader")).GetProperty("newAnswers").GetBoolean(), "the tip flagged as having new answers");
        var withAnswer = await ReadThreadAsync(id, "editor");
        var reply = withAnswer.GetProperty("messages")[1];
        Assert.Equal(("reporter", answer), (reply.GetProperty("from").GetString(), reply.GetProperty("text").GetString()));
        Assert.True(withAnswer.GetProperty("newAnswers").GetBoolean());
        Assert.False(withAnswer.GetProperty("awaitingReporter").GetBoolean());

        // The flags are in the lists (badges) and the search filters, from the index.
        Assert.Contains(id, (await _triage.ListIdsAsync("api/triage/search?answers=new")).Ids);
        Assert.DoesNotContain(id, (await _triage.ListIdsAsync("api/triage/search?awaiting=reporter")).Ids);
        using (var listed = await _triage.GetAsync("api/triage/tips?pageSize=100", "reader"))
        {
            var item = (await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Single(t => t.GetProperty("id").GetString() == id);
            Assert.Equal((true, false), (item.GetProperty("newAnswers").GetBoolean(), item.GetProperty("awaitingReporter").GetBoolean()));
        }

        using (var read = await _triage.SendAsync(HttpMethod.Post, $"api/triage/tips/{id}/thread/read", "editor"))
        {
            Assert.Equal(HttpStatusCode.NoContent, read.StatusCode);
        }

        Assert.False((await ReadThreadAsync(id, "reader")).GetProperty("newAnswers").GetBoolean());
        Assert.DoesNotContain(id, (await _triage.ListIdsAsync("api/triage/search?answers=new")).Ids);

        var events = await _triage.EventsAsync(id);
        var actions = events.Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("thread-viewed", actions);
        Assert.Single(actions, a => a == "message-sent");
        Assert.Single(actions, a => a == "answer-received");
        Assert.Single(actions, a => a == "answers-read");
        Assert.DoesNotContain(marker, string.Join("\n", events.Select(e => e.GetRawText())), StringComparison.Ordinal);
        Assert.DoesNotContain(marker, Host.Logs.All, StringComparison.Ordinal);

        // Storage holds the organisation's message only as ciphertext.
        var row = Assert.Single(await new TableServiceClient(Host.ConnectionString).GetTableClient(StorageNames.MessagesTable)
            .QueryAsync<TableEntity>(e => e.PartitionKey == id && e.GetString("From") == "organisation").ToListAsync());
        Assert.DoesNotContain(marker, string.Join("\n", row.Select(pair => pair.Value?.ToString())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_that_is_not_to_the_reporters_key_in_the_documented_shape_is_refused_with_its_reason()
    {
        var reporter = FollowUpClient.New();
        var id = (await FollowUpLookupTests.EnrolAsync(Host, reporter.Member())).RowKey;
        var threadRef = (await LookUpAsync(reporter)).GetProperty("ref").GetString()!;
        var good = await MessageAsync(reporter, "question", threadRef, awaitReply: false);
        var other = FollowUpClient.New();
        var toOther = await MessageAsync(other, "question", threadRef, awaitReply: false);
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(good.ToReporter.Split('.')[0]))!;
        header["alg"] = "ECDH-ES+A256KW";
        var wrongAlg = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString())) + good.ToReporter[good.ToReporter.IndexOf('.', StringComparison.Ordinal)..];
        var tipCty = TestTips.Encrypt(await TestTips.GetIntakeKeyAsync(Host.Http), "{}"u8.ToArray());

        await ExpectAsync(id, good, "reader", HttpStatusCode.Forbidden, "triage-forbidden");
        await ExpectAsync(id, good with { ToReporter = toOther.ToReporter }, "editor", HttpStatusCode.Conflict, "follow-up-key-changed");
        await ExpectAsync(id, good with { ToReporter = wrongAlg }, "editor", HttpStatusCode.BadRequest, "message-malformed");
        await ExpectAsync(id, good with { ForStaff = tipCty }, "editor", HttpStatusCode.BadRequest, "message-malformed");
        await ExpectAsync(id, good with { ToReporter = "not.a.jwe" }, "editor", HttpStatusCode.BadRequest, "message-malformed");
        await ExpectAsync(TipIntakeServiceIds.Unknown, good, "editor", HttpStatusCode.NotFound, "triage-not-found");
        var withoutFollowUp = await _triage.SeedAsync(TestTips.NewMarker());
        await ExpectAsync(withoutFollowUp, good, "editor", HttpStatusCode.Conflict, "follow-up-unavailable");
        Assert.Empty((await ReadThreadAsync(id, "editor")).GetProperty("messages").EnumerateArray());
    }

    private async Task ExpectAsync(string id, Message message, string token, HttpStatusCode status, string problem)
    {
        using var response = await SendAsync(id, message, token);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("urn:tipintake:problem:" + problem, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    private async Task<JsonElement> ReadThreadAsync(string id, string token)
    {
        using var response = await _triage.GetAsync($"api/triage/tips/{id}/thread", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>
    /// The reporter's one thread, once its sealed key opens with the reporter's code (the processor writes the key row
    /// just after the tip's row, so a lookup right after the tip appears may still get the decoy).
    /// </summary>
    private async Task<JsonElement> LookUpAsync(FollowUpClient reporter) => await Eventually.ReturnsAsync(
        async () =>
        {
            using var response = await FollowUpLookupTests.LookUpAsync(Host, reporter.Lookup);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var thread = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("threads").EnumerateArray());
            return reporter.Opens(thread.GetProperty("sealedKey").GetString()!) ? new ThreadHolder(thread) : null;
        },
        "the reporter's thread").ContinueWith(task => task.Result.Thread, TaskScheduler.Default);

    private sealed record ThreadHolder(JsonElement Thread);

    internal sealed record Message(string ToReporter, string ForStaff, bool AwaitReply);

    private Task<Message> MessageAsync(FollowUpClient reporter, string text, string threadRef, bool awaitReply) =>
        MessageAsync(Host, reporter, text, threadRef, awaitReply);

    /// <summary>What the triage page sends: the message document encrypted to the reporter's key and to the intake key.</summary>
    internal static async Task<Message> MessageAsync(TestHost host, FollowUpClient reporter, string text, string threadRef, bool awaitReply)
    {
        var document = Encoding.UTF8.GetBytes(new JsonObject { ["v"] = 1, ["text"] = text, ["language"] = "ko", ["thread"] = threadRef, ["padding"] = "  " }
            .ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        var toReporter = ReporterMessageJwe.Encrypt(document, reporter.PublicJwk["x"]!.GetValue<string>(), reporter.PublicJwk["y"]!.GetValue<string>());
        var forStaff = TestTips.Encrypt(await TestTips.GetIntakeKeyAsync(host.Http), document, headers => headers["cty"] = JweAlgorithms.MessageV1ContentType);
        return new Message(toReporter, forStaff, awaitReply);
    }

    private Task<HttpResponseMessage> SendAsync(string id, Message message, string token = "editor") => SendAsync(_triage, id, message, token);

    /// <summary>An Editor's (or <paramref name="token"/>'s) <c>POST …/messages</c> of <paramref name="message"/>.</summary>
    internal static Task<HttpResponseMessage> SendAsync(TriageHost triage, string id, Message message, string token = "editor") =>
        triage.SendAsync(HttpMethod.Post, $"api/triage/tips/{id}/messages", token,
            new StringContent(JsonSerializer.Serialize(new { toReporter = message.ToReporter, forStaff = message.ForStaff, awaitReply = message.AwaitReply }), Encoding.UTF8, "application/json"));

    /// <summary>The reporter's answer: a JWE to the intake key with the answer's cty, stamped, as the follow-up page sends it.</summary>
    private async Task<HttpResponseMessage> AnswerAsync(FollowUpClient reporter, string threadRef, string text)
    {
        var plaintext = new JsonObject { ["v"] = 1, ["lookup"] = reporter.Lookup, ["thread"] = threadRef, ["text"] = text, ["language"] = "ko", ["padding"] = "   " }.ToJsonString();
        var jwe = TestTips.Encrypt(await TestTips.GetIntakeKeyAsync(Host.Http), Encoding.UTF8.GetBytes(plaintext), headers => headers["cty"] = JweAlgorithms.AnswerV1ContentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/follow-up/answers", UriKind.Relative)) { Content = new StringContent(jwe, Encoding.ASCII) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/jose");
        request.Headers.TryAddWithoutValidation(TestTips.StampHeader, await TestTips.SolveChallengeAsync(Host.Http));
        return await Host.Http.SendAsync(request);
    }

    private static class TipIntakeServiceIds
    {
        public const string Unknown = "0123456789abcdef0123456789abcdef";
    }
}
