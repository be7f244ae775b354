using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.IntegrationTests.Privacy;

/// <summary>
/// Issue 7, item 4: one full flow — JS path and no-script form, processing, triage reads and changes — with every log
/// category at Trace, then every log line, every diagnostic activity (what an exporter would send as telemetry),
/// every row of every table, every message left in every queue and every blob searched for what identifies a reporter or opens a tip.
/// </summary>
[Trait("Category", "Privacy")]
public sealed partial class PrivacyProofTests
{
    private const string ForwardedFor = "203.0.113.77";

    /// <summary>The client's own address: a loopback address of its own on Linux, so that it can be searched for.</summary>
    private static readonly IPAddress ClientAddress = OperatingSystem.IsLinux() ? IPAddress.Parse("127.0.0.77") : IPAddress.Loopback;

    /// <summary>
    /// Trace in the worker (its own filter, through its environment) and in the host, where host.json's
    /// <c>logging.logLevel</c> filters the worker's logs: every category host.json names, lifted the way the Functions
    /// host allows (<c>AzureFunctionsJobHost__logging__logLevel__…</c>).
    /// </summary>
    internal static Dictionary<string, string> TraceEverything(string hostJsonPath)
    {
        var settings = new Dictionary<string, string>(WorkerTrace);
        using var hostJson = JsonDocument.Parse(File.ReadAllText(hostJsonPath));
        foreach (var category in hostJson.RootElement.GetProperty("logging").GetProperty("logLevel").EnumerateObject())
        {
            settings[$"AzureFunctionsJobHost:logging:logLevel:{category.Name}"] = "Trace";
        }

        return settings;
    }

    private static readonly Dictionary<string, string> WorkerTrace = new()
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Trace",
        ["Logging:LogLevel:Azure"] = "Trace",
        ["Logging:LogLevel:Azure.Core"] = "Trace",
        ["Logging:LogLevel:Host"] = "Trace",
        ["Logging:LogLevel:Function"] = "Trace",
    };

    [Fact]
    public async Task Nothing_that_identifies_a_reporter_or_opens_a_tip_is_logged_traced_or_stored_outside_the_tip_row()
    {
        var activities = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => activities.Enqueue(Describe(activity)),
        };
        ActivitySource.AddActivityListener(listener);

        await using var host = await TestHost.StartAsync(settings: TraceEverything(TipIntake.LocalHost.Worker.FunctionsApp.Locate().HostJsonPath));
        var userAgent = $"PrivacyProbe/7.4 (Reporter; {TestTips.NewMarker()})";
        using var reporter = ReporterClient(host.Http.BaseAddress!, userAgent);

        // The JS path: a JWE made in the "browser".
        var scriptMarker = TestTips.NewMarker();
        var jwk = await TestTips.GetIntakeKeyAsync(reporter);
        // It enrols for follow-up (docs/follow-up.md), as a browser does.
        var followUp = FollowUp.FollowUpClient.New();
        var scriptTipJson = System.Text.Json.Nodes.JsonNode.Parse(TestTips.ValidTipJson($"script path {scriptMarker}"))!.AsObject();
        scriptTipJson["followUp"] = followUp.Member();

        // It carries a file (docs/attachments.md), encrypted and uploaded as the form does before the tip names it.
        var fileMarker = TestTips.NewMarker();
        var file = Encoding.UTF8.GetBytes($"a photo's bytes {fileMarker} " + new string('x', 5000));
        var (fileEntry, fileKey) = await UploadFileAsync(reporter, jwk, file);
        scriptTipJson["attachments"] = System.Text.Json.Nodes.JsonNode.Parse(Core.Attachments.AttachmentManifestWriter.ToJson([fileEntry]).GetRawText());
        var jwe = TestTips.Encrypt(jwk, Encoding.UTF8.GetBytes(scriptTipJson.ToJsonString()));
        var wrappedKey = jwe.Split('.')[1];
        var scriptSubmission = Core.Intake.SubmissionId.New().ToString();
        using var accepted = await TestTips.PostAsync(reporter, jwe, submissionId: scriptSubmission);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var scriptReceipt = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("receipt").GetString()!;

        // The no-script path: the form's fields and a file, posted as multipart and encrypted by the intake function.
        var formMarker = TestTips.NewMarker();
        var formFileMarker = TestTips.NewMarker();
        var formFile = Encoding.UTF8.GetBytes($"a document's bytes {formFileMarker} " + new string('y', 3000));
        var formSubmission = Core.Intake.SubmissionId.New().ToString();
        var formFields = await Forms.TestForms.HiddenFieldsAsync(reporter);
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["lang"] = "en",
            ["submission"] = formSubmission,
            ["category"] = "detention",
            ["narrative"] = $"form path {formMarker}",
            ["urgency"] = "soon",
            ["country"] = "CN",
            ["contact"] = $"contact {formMarker}",
        })
        {
            formFields[name] = value;
        }

        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in formFields)
        {
            form.Add(new StringContent(value), name);
        }

        var formFilePart = new ByteArrayContent(formFile);
        formFilePart.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(formFilePart, "files", $"notes-{formFileMarker}.txt");
        using var page = await reporter.PostAsync(new Uri("submit", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        // The no-script receipt page shows the report's follow-up code (docs/follow-up.md), letters first, then digits.
        var formPage = await page.Content.ReadAsStringAsync();
        var formReceipt = ReceiptPattern().Match(formPage).Value;
        var formCodeDigits = DigitsCodePattern().Match(formPage).Value;
        Assert.NotEmpty(formReceipt);
        Assert.NotEmpty(formCodeDigits);

        // Processing, and the files bound to their tips.
        var scriptTip = await host.WaitForTipAsync(scriptMarker);
        var formTip = await host.WaitForTipAsync(formMarker);
        var attachmentRows = new TableServiceClient(host.ConnectionString).GetTableClient(StorageNames.AttachmentsTable);
        foreach (var tip in (TableEntity[])[scriptTip, formTip])
        {
            await Eventually.HoldsAsync(
                async () => (await attachmentRows.GetEntityIfExistsAsync<TableEntity>(tip.RowKey, "01")) is { HasValue: true } row
                    && row.Value!.GetString("State") == "attached",
                "the tip's file attached");
        }

        var formUpload = (await attachmentRows.GetEntityAsync<TableEntity>(formTip.RowKey, "01")).Value.GetString("Upload");

        // Follow-up lookups: the reporter's code, and a wrong one.
        var wrongLookup = FollowUp.FollowUpClient.RandomLookup();
        foreach (var lookup in (string[])[followUp.Lookup, wrongLookup])
        {
            using var request = FollowUp.FollowUpClient.LookupRequest(lookup, await TestTips.SolveChallengeAsync(reporter));
            using var answer = await reporter.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        // Triage: a development token, a listing, both tips read, one changed.
        using var signIn = await host.Http.PostAsJsonAsync("/dev/token", new { roles = new[] { TipIntake.Core.Staff.StaffRoles.Editor }, name = "Privacy Tester" });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var token = (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        using var staff = new HttpClient { BaseAddress = host.Http.BaseAddress };
        staff.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var list = await staff.GetAsync(new Uri("api/triage/tips", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        }

        string etag;
        using (var read = await staff.GetAsync(new Uri($"api/triage/tips/{formTip.RowKey}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Contains(formMarker, await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            etag = read.Headers.ETag!.ToString();
        }

        using (var change = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/triage/tips/{formTip.RowKey}/status", UriKind.Relative)))
        {
            change.Headers.TryAddWithoutValidation("If-Match", etag);
            change.Content = JsonContent.Create(new { status = "in-review" });
            using var changed = await staff.SendAsync(change);
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        using (var read = await staff.GetAsync(new Uri($"api/triage/tips/{scriptTip.RowKey}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        // Both files downloaded (the only unwrap of a file key), whole.
        foreach (var (tip, bytes) in ((TableEntity, byte[])[])[(scriptTip, file), (formTip, formFile)])
        {
            using var download = await staff.GetAsync(new Uri($"api/triage/tips/{tip.RowKey}/attachments/1", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        }

        // The conversation (docs/follow-up.md): an Editor's question, encrypted twice as the triage page does it; the
        // reporter's answer, encrypted to the intake key; the Editor reads the thread.
        var threadRef = FollowUpSecretsOf(host).ThreadRefOf(scriptTip.RowKey);
        var questionMarker = TestTips.NewMarker();
        var question = Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject
        {
            ["v"] = 1, ["text"] = $"which facility? {questionMarker}", ["language"] = "en", ["thread"] = threadRef, ["padding"] = "  ",
        }.ToJsonString());
        await Eventually.HoldsAsync(
            async () =>
            {
                using var message = await staff.PostAsJsonAsync(new Uri($"api/triage/tips/{scriptTip.RowKey}/messages", UriKind.Relative), new
                {
                    toReporter = Core.FollowUp.ReporterMessageJwe.Encrypt(question, followUp.PublicJwk["x"]!.GetValue<string>(), followUp.PublicJwk["y"]!.GetValue<string>()),
                    forStaff = TestTips.Encrypt(jwk, question, headers => headers["cty"] = Core.Jwe.JweAlgorithms.MessageV1ContentType),
                    awaitReply = true,
                });
                return message.StatusCode == HttpStatusCode.Created;
            },
            "the question sent (once the tip's key row is there)");
        var answerMarker = TestTips.NewMarker();
        var answerJwe = TestTips.Encrypt(jwk, Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject
        {
            ["v"] = 1, ["lookup"] = followUp.Lookup, ["thread"] = threadRef, ["text"] = $"the Tumen centre {answerMarker}", ["language"] = "en",
        }.ToJsonString()), headers => headers["cty"] = Core.Jwe.JweAlgorithms.AnswerV1ContentType);
        using (var answerRequest = new HttpRequestMessage(HttpMethod.Post, new Uri("api/follow-up/answers", UriKind.Relative)) { Content = new StringContent(answerJwe, Encoding.ASCII) })
        {
            answerRequest.Content.Headers.ContentType = new MediaTypeHeaderValue("application/jose");
            answerRequest.Headers.TryAddWithoutValidation(TestTips.StampHeader, await TestTips.SolveChallengeAsync(reporter));
            using var answered = await reporter.SendAsync(answerRequest);
            Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);
        }

        // The same reporter comes back without scripts (docs/follow-up.md, "The no-script path"): the code reaches the
        // server for that visit, which opens the thread in memory and answers under a session, never the code.
        var formAnswerMarker = TestTips.NewMarker();
        string formSession;
        using (var visit = await reporter.PostAsync(new Uri("follow-up", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string> { ["lang"] = "en", ["code"] = followUp.Digits })))
        {
            Assert.Equal(HttpStatusCode.OK, visit.StatusCode);
            var visited = await visit.Content.ReadAsStringAsync();
            Assert.Contains(questionMarker, visited, StringComparison.Ordinal);
            string Hidden(string name) => HiddenField().Matches(visited).Single(m => m.Groups["name"].Value == name).Groups["value"].Value;
            formSession = Hidden("session");
            var formAnswerSubmission = Hidden("submission");
            using var answeredOnForm = await reporter.PostAsync(new Uri("follow-up/answer", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["lang"] = "en", ["session"] = formSession, ["submission"] = formAnswerSubmission, ["text"] = $"and two more {formAnswerMarker}",
            }));
            Assert.Equal(HttpStatusCode.OK, answeredOnForm.StatusCode);
        }

        var threadTable = new TableServiceClient(host.ConnectionString).GetTableClient(StorageNames.MessagesTable);
        await Eventually.HoldsAsync(
            async () => await threadTable.QueryAsync<TableEntity>(e => e.PartitionKey == scriptTip.RowKey).CountAsync() == 3, "both answers in the thread");
        using (var thread = await staff.GetAsync(new Uri($"api/triage/tips/{scriptTip.RowKey}/thread", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, thread.StatusCode);
            var body = await thread.Content.ReadAsStringAsync();
            Assert.Contains(questionMarker, body, StringComparison.Ordinal);
            Assert.Contains(answerMarker, body, StringComparison.Ordinal);
        }

        var modulus = jwk.GetProperty("n").GetString()!;
        var secrets = new Dictionary<string, string>
        {
            ["forwarded client address"] = ForwardedFor,
            ["user agent"] = userAgent,
            ["user agent marker"] = userAgent[^24..^1],
            ["receipt (script path)"] = scriptReceipt,
            ["receipt (form path)"] = formReceipt,
            ["receipt without dashes"] = scriptReceipt.Replace("-", "", StringComparison.Ordinal),
            ["follow-up code (form path) without dashes"] = formReceipt.Replace("-", "", StringComparison.Ordinal),
            ["follow-up code (form path, digits)"] = formCodeDigits,
            ["follow-up code (form path, digits without spaces)"] = formCodeDigits.Replace(" ", "", StringComparison.Ordinal),
            ["submission id (script path)"] = scriptSubmission,
            ["submission id (form path)"] = formSubmission,
            ["development token"] = token,
            ["development token signature"] = token[(token.LastIndexOf('.') + 1)..],
            ["intake key modulus (base64url)"] = modulus[..32],
            ["intake key modulus (base64)"] = Convert.ToBase64String(Jose.Base64Url.Decode(modulus))[..32],
            ["wrapped content key"] = wrappedKey[..32],
        };
        // Follow-up: L (right and wrong) and W nowhere; H, the ref and the sealed key only in FollowUpKeys (H also in the tip's row).
        var followUpSecrets = FollowUpSecretsOf(host);
        secrets["follow-up lookup token"] = followUp.Lookup;
        secrets["wrong lookup token"] = wrongLookup;
        secrets["lookup hash of the wrong token"] = followUpSecrets.LookupHashOf(Jose.Base64Url.Decode(wrongLookup));
        secrets["follow-up sealing key (base64url)"] = Jose.Base64Url.Encode(followUp.SealingKey);
        secrets["follow-up sealing key (hex)"] = Convert.ToHexString(followUp.SealingKey);
        var lookupHash = scriptTip.GetString("LookupHash");
        var followUpStored = new Dictionary<string, string>
        {
            ["lookup hash"] = lookupHash,
            ["thread ref"] = followUpSecrets.ThreadRefOf(scriptTip.RowKey),
            ["sealed key"] = followUp.SealedKey[..48],
        };
        if (!ClientAddress.Equals(IPAddress.Loopback))
        {
            secrets["client address"] = ClientAddress.ToString();
        }

        var content = new Dictionary<string, string>
        {
            ["narrative (script path)"] = scriptMarker,
            ["narrative (form path)"] = formMarker,
        };

        // Files: their content nowhere (blobs hold ciphertext), not even in the tip's rows; the key only ever in memory;
        // the upload ids and wrapped keys only in the tip's own Attachments rows.
        secrets["file content (script path)"] = fileMarker;
        secrets["file content (form path)"] = formFileMarker;
        secrets["file key (hex)"] = Convert.ToHexString(fileKey);
        secrets["file key (base64url)"] = Jose.Base64Url.Encode(fileKey);
        var fileStored = new Dictionary<string, string>
        {
            ["upload id (script path)"] = fileEntry.Upload,
            ["upload id (form path)"] = formUpload,
            ["wrapped file key"] = fileEntry.WrappedKey[..32],
        };

        // A staff message's text is stored nowhere, only its two ciphertexts; a reporter's answer only in the tip's own
        // thread (table TipMessages, partition = the tip), like the narrative in its row.
        secrets["staff message text"] = questionMarker;
        var answerText = new Dictionary<string, string> { ["reporter's answer"] = answerMarker, ["reporter's answer (no-script)"] = formAnswerMarker };
        secrets["no-script answer session"] = formSession;
        secrets["follow-up code (script path, letters)"] = followUp.Letters;
        secrets["follow-up code (script path, digits without spaces)"] = followUp.Digits.Replace(" ", "", StringComparison.Ordinal);

        // Logs and telemetry: none of it, at any level.
        Assert.NotEmpty(host.Logs.Lines);
        Assert.Contains(host.Logs.Lines, line => line.StartsWith("Trace", StringComparison.Ordinal) || line.StartsWith("Debug", StringComparison.Ordinal));

        // The worker's own lines at Trace and Debug are among them: the worker really logged at Trace. (Its stdout and
        // stderr would be too, as Host.Function.Console lines; the worker removes its console logger, so they stay empty.)
        Assert.Contains(host.Logs.Lines, line => line.StartsWith("Trace Function.", StringComparison.Ordinal) || line.StartsWith("Debug Function.", StringComparison.Ordinal));
        AssertAbsent("the logs", host.Logs.All, secrets.Concat(content).Concat(followUpStored).Concat(answerText).Concat(fileStored));
        Assert.NotEmpty(activities);
        AssertAbsent("the diagnostic activities", string.Join('\n', activities), secrets.Concat(content).Concat(followUpStored).Concat(answerText).Concat(fileStored));

        // Tables: the plaintext only in Tips, nothing else anywhere.
        var tables = new TableServiceClient(host.ConnectionString);
        var tableNames = new List<string>();
        await foreach (var table in tables.QueryAsync())
        {
            tableNames.Add(table.Name);
        }

        Assert.Contains(StorageNames.EventsTable, tableNames);
        foreach (var name in tableNames)
        {
            var rows = new StringBuilder();
            await foreach (var row in tables.GetTableClient(name).QueryAsync<TableEntity>())
            {
                foreach (var (key, value) in row)
                {
                    rows.Append(key).Append('=').Append(value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
                }
            }

            AssertAbsent($"table {name}", rows.ToString(), name switch
            {
                StorageNames.TipsTable => secrets.Concat(followUpStored.Where(pair => pair.Value != lookupHash)).Concat(answerText).Concat(fileStored),
                StorageNames.FollowUpKeysTable => secrets.Concat(content).Concat(answerText).Concat(fileStored),
                StorageNames.MessagesTable => secrets.Concat(content).Concat(followUpStored).Concat(fileStored),
                StorageNames.AttachmentsTable => secrets.Concat(content).Concat(followUpStored).Concat(answerText),
                _ => secrets.Concat(content).Concat(followUpStored).Concat(answerText).Concat(fileStored),
            });
            if (name == StorageNames.AttachmentsTable)
            {
                Assert.All(fileStored.Values, value => Assert.Contains(value, rows.ToString(), StringComparison.Ordinal));
            }

            if (name == StorageNames.MessagesTable)
            {
                Assert.Contains(answerMarker, rows.ToString(), StringComparison.Ordinal);
                Assert.Contains(formAnswerMarker, rows.ToString(), StringComparison.Ordinal);
            }
            if (name == StorageNames.FollowUpKeysTable)
            {
                Assert.All(followUpStored.Values, value => Assert.Contains(value, rows.ToString(), StringComparison.Ordinal));
            }

            if (name == StorageNames.TipsTable)
            {
                Assert.Contains(scriptMarker, rows.ToString(), StringComparison.Ordinal);
                Assert.Contains(formMarker, rows.ToString(), StringComparison.Ordinal);
            }
        }

        // Queues: whatever is left holds none of it either.
        var queues = new QueueServiceClient(host.ConnectionString);
        await foreach (var queue in queues.GetQueuesAsync())
        {
            var client = queues.GetQueueClient(queue.Name);
            var messages = new StringBuilder();
            foreach (PeekedMessage message in (await client.PeekMessagesAsync(32)).Value)
            {
                messages.Append(message.Body.ToString()).Append('\n');
            }

            AssertAbsent($"queue {queue.Name}", messages.ToString(), secrets.Concat(content).Concat(followUpStored).Concat(answerText).Concat(fileStored));
        }

        // Blobs: the claim-check container (emptied once the tips are stored), the attached files (ciphertext) and the
        // host's own containers.
        var blobs = new BlobServiceClient(host.ConnectionString);
        var attachedFiles = 0;
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            var client = blobs.GetBlobContainerClient(container.Name);
            await foreach (var blob in client.GetBlobsAsync())
            {
                attachedFiles += container.Name == StorageNames.AttachmentsContainer ? 1 : 0;
                var text = (await client.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
                AssertAbsent($"blob {container.Name}/{blob.Name}", blob.Name + "\n" + text, secrets.Concat(content).Concat(followUpStored).Concat(answerText).Concat(fileStored));
            }
        }

        Assert.Equal(2, attachedFiles);
    }

    /// <summary>A file encrypted under a fresh key wrapped to the intake key, uploaded as the form does: create, chunks, complete.</summary>
    private static async Task<(Core.Attachments.AttachmentEntry Entry, byte[] Key)> UploadFileAsync(HttpClient reporter, JsonElement jwk, byte[] file)
    {
        var upload = Core.Intake.SubmissionId.New().ToString();
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var encrypted = Core.Attachments.AttachmentEncryptor.Encrypt(file, upload, Core.Attachments.ChunkLayout.SmallChunkBytes, key);
        var uploads = new Attachments.UploadClient(reporter);
        using (var created = await uploads.CreateAsync(upload, encrypted.Chunks.Count, Core.Attachments.ChunkLayout.SmallChunkBytes))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        for (var index = 0; index < encrypted.Chunks.Count; index++)
        {
            using var sent = await uploads.SendChunkAsync(upload, index, encrypted.Chunks[index]);
            Assert.Equal(HttpStatusCode.NoContent, sent.StatusCode);
        }

        using (var completed = await uploads.CompleteAsync(upload, encrypted.ChunkDigests))
        {
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        }

        return (Attachments.UploadClient.EntryOf(upload, encrypted, jwk, key), key);
    }

    private static Core.FollowUp.FollowUpSecrets FollowUpSecretsOf(TestHost host) => host.App.GetRequiredService<Core.FollowUp.FollowUpSecrets>();

    private static void AssertAbsent(string where, string haystack, IEnumerable<KeyValuePair<string, string>> needles)
    {
        foreach (var (what, needle) in needles)
        {
            Assert.False(haystack.Contains(needle, StringComparison.OrdinalIgnoreCase), $"The {what} appears in {where}.");
        }
    }

    private static string Describe(Activity activity)
    {
        var text = new StringBuilder($"{activity.Source.Name} {activity.OperationName} {activity.DisplayName} {activity.StatusDescription}");
        foreach (var (key, value) in activity.EnumerateTagObjects())
        {
            text.Append(' ').Append(key).Append('=').Append(value);
        }

        foreach (var (key, value) in activity.Baggage)
        {
            text.Append(' ').Append(key).Append('=').Append(value);
        }

        foreach (var activityEvent in activity.Events)
        {
            text.Append(' ').Append(activityEvent.Name);
            foreach (var (key, value) in activityEvent.EnumerateTagObjects())
            {
                text.Append(' ').Append(key).Append('=').Append(value);
            }
        }

        return text.ToString();
    }

    /// <summary>A reporter's browser: its own source address, a telling user agent, and a proxy's X-Forwarded-For.</summary>
    private static HttpClient ReporterClient(Uri baseAddress, string userAgent)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(ClientAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", userAgent);
        client.DefaultRequestHeaders.TryAddWithoutValidation("X-Forwarded-For", ForwardedFor);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Forwarded", $"for={ForwardedFor}");
        return client;
    }

    [GeneratedRegex("[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}")]
    private static partial Regex ReceiptPattern();

    [GeneratedRegex("[0-9]{4}( [0-9]{4}){7}")]
    private static partial Regex DigitsCodePattern();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>session|submission)\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex HiddenField();
}
