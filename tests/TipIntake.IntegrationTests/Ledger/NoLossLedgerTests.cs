using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.Intake;
using TipIntake.Infrastructure.Storage;
using TipIntake.LocalHost.Azurite;
using TipIntake.Testing;
using Xunit.Abstractions;

namespace TipIntake.IntegrationTests.Ledger;

/// <summary>
/// Issue 7, item 1: more than a thousand tips from concurrent clients through storage, Key Vault and host failures,
/// then a ledger of every answer against every row. Runs in CI with the rest (trait <c>Category=Ledger</c> lets a
/// developer skip it locally with <c>--filter Category!=Ledger</c>).
/// </summary>
[Trait("Category", "Ledger")]
public sealed class NoLossLedgerTests(ITestOutputHelper output)
{
    private const string Account = "ledger";
    private const int TargetAccepted = 1000;
    private const int Clients = 8;
    private static readonly TimeSpan InFlightLease = TimeSpan.FromSeconds(5);

    private static readonly Dictionary<string, string> IntakeOnly = new()
    {
        ["AzureWebJobs.ProcessTip.Disabled"] = "true",
        ["AzureWebJobs.ProcessBulkTip.Disabled"] = "true",
        ["AzureWebJobs.QuarantinePoison.Disabled"] = "true",
        ["AzureWebJobs.QuarantineBulkPoison.Disabled"] = "true",

        // Eight clients on one loopback address are a flood by design here: flood control is not what this test measures.
        ["FloodControl:MaxSubmissionsPerSecond"] = "10000",
        ["FloodControl:SubmissionBurst"] = "10000",
        ["FloodControl:QuietRatePerMinute"] = "1000000",

        // Clients wait what Retry-After says before they resend; one second keeps the run short.
        ["Intake:RetryAfter"] = "00:00:01",
    };

    /// <summary>How long a client keeps resending one report that gets no answer or a 503.</summary>
    private static readonly TimeSpan ResendFor = TimeSpan.FromSeconds(120);

    private readonly ConcurrentQueue<string> _events = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CountingExceptionHandler _listenerFailures = new();
    private int _accepted;

    private enum Kind
    {
        Valid,
        SchemaInvalid,
        Tampered,
        ForeignKid,
    }

    /// <summary>What a report does with the file it uploads first (docs/attachments.md, "Processing: binding, quarantine").</summary>
    private enum FileRole
    {
        None,

        /// <summary>The tip names it as uploaded: it ends attached.</summary>
        Named,

        /// <summary>The tip names the upload with another file's digest: <c>attachment-mismatch</c>, the tip stored.</summary>
        Mismatched,

        /// <summary>Completed and named by no tip: the sweep's <c>attachment-orphan</c>.</summary>
        Unnamed,

        /// <summary>Created, its chunk sent, never completed nor named: the sweep's <c>upload-abandoned</c>.</summary>
        NeverCompleted,
    }

    [Fact]
    public async Task Every_tip_answered_202_ends_exactly_once_in_Tips_or_Quarantine_through_storage_vault_and_host_failures()
    {
        var location = Path.Combine(Path.GetTempPath(), $"tipintake-ledger-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var azurite = await AzuriteProcess.StartAsync([Account], location);
        TestHost? processing = null;
        try
        {
            var connection = azurite.ConnectionString(Account);
            using var vault = new FakeKeyVault(new FakeTokenCredential());

            // The intake worker's storage goes through a proxy that sends every 25th envelope to tips-inbound twice: the
            // at-least-once delivery a queue may do.
            var proxy = await StorageFaultProxy.StartAsync(connection);
            var duplicating = proxy.Add(new StorageFault
            {
                Matches = StorageFault.WritesTo(StorageNames.InboundQueue + "/messages"),
                Kind = StorageFaultKind.Duplicate,
                Every = 25,
            });
            await using var intake = await TestHost.StartWithKeyVaultAsync(vault, IntakeOnly, connectionString: proxy.ConnectionString, owned: proxy);
            var firstFaults = new StorageFaults { InFlightLease = InFlightLease };
            processing = await StartProcessingAsync(vault, connection, firstFaults);
            var jwk = await TestTips.GetIntakeKeyAsync(intake.Http);

            // Faults, each when the run has reached a given number of accepted tips.
            var chaos = Task.Run(async () =>
            {
                await AfterAcceptedAsync(150);
                vault.FailNext(FakeKeyVault.Fault.Throttled(TimeSpan.FromSeconds(1)), count: 30);
                Note("Key Vault: burst of 30 × 429 with Retry-After 1 s");

                await AfterAcceptedAsync(300);
                firstFaults.Kill();
                processing.Host.Worker.Kill();
                Note("processing host killed mid-batch (its listeners' storage requests stop; its worker gets SIGKILL)");
                await processing.DisposeAsync();
                processing = await StartProcessingAsync(vault, connection, new StorageFaults { InFlightLease = InFlightLease });
                Note("processing host restarted");

                await AfterAcceptedAsync(450);
                vault.FailNext(FakeKeyVault.Fault.Unavailable(), count: 30);
                Note("Key Vault: burst of 30 × 503");

                await AfterAcceptedAsync(600);
                await azurite.StopAsync(TimeSpan.FromSeconds(20));
                Note("Azurite stopped");
                azurite = await AzuriteProcess.StartAsync(azurite);
                Note($"Azurite restarted on the same ports from {location}");

                await AfterAcceptedAsync(800);
                vault.FailNext(FakeKeyVault.Fault.Throttled(TimeSpan.FromSeconds(2)), count: 20);
                vault.FailNext(FakeKeyVault.Fault.Unavailable(), count: 20);
                Note("Key Vault: burst of 20 × 429 (Retry-After 2 s) then 20 × 503");
            });

            var submissions = new ConcurrentBag<Submission>();
            var next = 0;
            var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
            {
                while (Volatile.Read(ref _accepted) < TargetAccepted)
                {
                    var i = Interlocked.Increment(ref next);
                    Assert.True(i < TargetAccepted * 3, "Too many submissions were refused for the run to reach its target.");
                    var submission = await SubmitAsync(intake.Http, jwk, i);
                    submissions.Add(submission);
                    if (submission.Status == HttpStatusCode.Accepted)
                    {
                        Interlocked.Increment(ref _accepted);
                    }
                }
            })).ToArray();
            await Task.WhenAll(clients);
            Note($"clients done: {submissions.Count} submissions");
            await chaos;

            var receipts = intake.App.GetRequiredService<ReceiptIssuer>();
            var accepted = submissions.Where(s => s.Status == HttpStatusCode.Accepted)
                .ToDictionary(s => receipts.HashOf(s.Receipt!), StringComparer.Ordinal);
            var refused = submissions.Where(s => s.Status != HttpStatusCode.Accepted).ToList();
            var resentTipIds = submissions.Where(s => s.UnconfirmedAttempts > 0)
                .Select(s => receipts.IdentityFor(s.SubmissionId, SubmittedPayload.Jwe, Encoding.ASCII.GetBytes(s.Jwe)).TipId)
                .ToHashSet(StringComparer.Ordinal);

            // Wait until the queues are drained and every accepted receipt has a row (or the deadline passes: then the
            // ledger below names what is missing). The bulk lane drains last, only once the main lane is nearly empty and
            // within the shared Key Vault budget (40 unwraps a second): on a loaded machine that takes minutes.
            Rows rows = null!;
            try
            {
                await Eventually.HoldsAsync(
                    async () =>
                    {
                        rows = await ReadRowsAsync(connection);
                        return rows.QueuesEmpty && accepted.Keys.All(rows.Contains)
                            && accepted.Where(a => a.Value.FileSha256 is not null).All(a => rows.HasAttached(a.Key, a.Value.FileSha256!))
                            && accepted.Where(a => a.Value.NamesMismatch).All(a => rows.FileQuarantine.Any(q => q.TipReceiptHash == a.Key));
                    },
                    "every accepted tip in Tips or Quarantine and empty queues",
                    TimeSpan.FromSeconds(240));
            }
            catch (TimeoutException)
            {
                rows = await ReadRowsAsync(connection);

                // A run that did not drain: what the processing host (and its worker, through RpcLog) said last, so that
                // a stall can be told from slowness. Warnings and errors name events and ids, never a tip's content.
                foreach (var line in processing.Logs.Lines.Where(IsWarningOrWorse).TakeLast(40))
                {
                    var shown = "processing host: " + (line.Length > 600 ? line[..600] + " …" : line);
                    output.WriteLine(shown);
                    Console.WriteLine(shown);
                }
            }

            // The uploads no tip took: the attachment sweep, as the SweepAttachments timer and the daily retention run call
            // it, on the processing host's own services, at a "now" past Attachments:OrphanAfter (and a day, for whole
            // days). A second run finds nothing: each upload is accounted for once.
            var sweep = processing.App.GetRequiredService<Core.Attachments.AttachmentSweep>();
            var orphanAfter = processing.App.GetRequiredService<Microsoft.Extensions.Options.IOptions<Core.Attachments.AttachmentOptions>>().Value.OrphanAfter;
            var sweptAt = DateTimeOffset.UtcNow + orphanAfter + TimeSpan.FromDays(1);
            var swept = await sweep.RunAsync(sweptAt, CancellationToken.None);
            var sweptAgain = await sweep.RunAsync(sweptAt, CancellationToken.None);
            Note($"attachment sweep at now + {(sweptAt - DateTimeOffset.UtcNow).TotalDays:F0} days: {swept}; again: {sweptAgain}");
            rows = await ReadRowsAsync(connection);

            var ledger = Ledger.Of(accepted, refused, rows, duplicating.Applied);
            // The Debug twin names the tip (TestHost.ProcessorDebug); the shipped line does not.
            var ignored = processing.Logs.Lines.Where(l => l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("redelivery ignored", StringComparison.Ordinal)).ToList();
            var duplicatedOnPurpose = duplicating.DuplicatedBodies.Select(TipIdOfQueuedEnvelope).ToHashSet(StringComparer.Ordinal);
            var resentAndSeenTwice = resentTipIds.Count(id => !duplicatedOnPurpose.Contains(id) && ignored.Any(l => l.Contains(id, StringComparison.Ordinal)));
            var claimChecksLeft = await TestHost.CountClaimChecksAsync(connection);
            var files = FileLedger.Of(submissions, accepted, rows);
            var printed = ledger.Print(_events, ignored.Count, resentTipIds.Count, resentAndSeenTwice, _clock.Elapsed)
                + $"  long testimonies     {accepted.Values.Count(s => s.Long)} accepted through the claim-check container; JWEs left there: {claimChecksLeft} (quarantined ones keep theirs)\n"
                + $"  listener exceptions  {_listenerFailures.Count} (storage unreachable while WebJobs released or renewed a message)\n"
                + $"  files                {accepted.Values.Count(s => s.FileSha256 is not null)} accepted tips named one; attached: {rows.Files.Values.Count(f => f.State == "attached")}; blobs attached {rows.AttachedBlobs}, still staged {rows.StagedBlobs}\n"
                + files.Print();
            output.WriteLine(printed);
            Console.WriteLine(printed);

            Assert.True(ledger.Accepted >= TargetAccepted, $"Only {ledger.Accepted} tips were accepted.");
            Assert.True(ledger.RefusedAtIntake > 0, "The run refused nothing: the non-202 half of the ledger went untested.");
            Assert.True(duplicating.Applied > 0, "No message was delivered twice.");
            Assert.True(accepted.Values.Count(s => s.Long) >= 20, "Too few long testimonies went through the claim-check container.");
            Assert.Equal(0, ledger.Lost);
            Assert.Equal(0, ledger.Duplicates);
            Assert.Equal(0, ledger.Misplaced);
            Assert.Equal(0, ledger.Leaked);
            Assert.Equal(0, ledger.Unresolved);
            Assert.Equal(ledger.Accepted, ledger.Stored + ledger.Quarantined);
            Assert.True(rows.QueuesEmpty, "Messages are still in a lane (tips-inbound, tips-inbound-bulk) or a poison queue.");

            // Files: every accepted tip that names one has it attached, whole (its SHA-256), and nothing is left elsewhere.
            var withFiles = accepted.Where(a => a.Value.FileSha256 is not null).ToList();
            Assert.True(withFiles.Count >= TargetAccepted / 20, $"Only {withFiles.Count} accepted tips carried a file.");
            Assert.All(withFiles, a => Assert.True(rows.HasAttached(a.Key, a.Value.FileSha256!), $"The file of {a.Value.Marker} is not attached whole."));
            Assert.Equal(withFiles.Count, rows.Files.Values.Count(f => f.State == "attached"));
            Assert.Equal(withFiles.Count, rows.AttachedBlobs);

            // The files that do not end attached: each upload accounted for exactly once, none left open or staged.
            Assert.True(files.Mismatched >= 8, $"Only {files.Mismatched} accepted tips named an upload with another file's digest.");
            Assert.True(files.Orphans >= 8, $"Only {files.Orphans} completed uploads were left unnamed.");
            Assert.True(files.Abandoned >= 8, $"Only {files.Abandoned} uploads were left never completed.");
            Assert.Empty(files.Findings);
            Assert.Equal(files.Mismatched, rows.Files.Values.Count(f => f.State == "mismatch"));
            Assert.Equal(rows.FileQuarantine.Count(q => q.Reason == "attachment-orphan"), swept.Orphans);
            Assert.Equal(rows.FileQuarantine.Count(q => q.Reason == "upload-abandoned"), swept.Abandoned);
            Assert.Equal(new Core.Attachments.AttachmentSweepReport(0, 0, 0, 0), sweptAgain);
            Assert.Equal(0, rows.OpenUploads);
            Assert.Equal(0, rows.StagedBlobs);
        }
        finally
        {
            if (processing is not null)
            {
                await processing.DisposeAsync();
            }

            await azurite.DisposeAsync();
            try
            {
                Directory.Delete(location, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: it is under the temp folder.
            }
        }
    }

    private Task<TestHost> StartProcessingAsync(FakeKeyVault vault, string connection, StorageFaults faults) =>
        TestHost.StartWithKeyVaultAsync(
            vault,
            configureServices: services =>
            {
                faults.ApplyTo(services);
                services.AddSingleton<Microsoft.Azure.WebJobs.Host.Timers.IWebJobsExceptionHandlerFactory>(_listenerFailures);
            },
            settings: TestHost.ProcessorDebug,
            connectionString: connection);

    private static bool IsWarningOrWorse(string line) =>
        line.StartsWith(nameof(Microsoft.Extensions.Logging.LogLevel.Warning), StringComparison.Ordinal)
        || line.StartsWith(nameof(Microsoft.Extensions.Logging.LogLevel.Error), StringComparison.Ordinal)
        || line.StartsWith(nameof(Microsoft.Extensions.Logging.LogLevel.Critical), StringComparison.Ordinal);

    /// <summary>The tip id in a Put Message body (<c>&lt;QueueMessage&gt;&lt;MessageText&gt;</c> base64 of the envelope).</summary>
    private static string TipIdOfQueuedEnvelope(byte[] body)
    {
        using var xml = new MemoryStream(body);
        var text = System.Xml.Linq.XDocument.Load(xml).Root!.Element("MessageText")!.Value;
        using var envelope = JsonDocument.Parse(Convert.FromBase64String(text));
        return envelope.RootElement.GetProperty("tipId").GetString()!;
    }

    private static async Task<Submission> SubmitAsync(HttpClient http, JsonElement jwk, int index)
    {
        var kind = index % 40 == 7 ? Kind.ForeignKid : index % 20 == 3 ? Kind.SchemaInvalid : index % 20 == 11 ? Kind.Tampered : Kind.Valid;
        var marker = $"LEDGER-{index:D5}-{TestTips.NewMarker()}";

        // One in fifty (some of them tampered) is a long testimony whose JWE goes through the claim-check container.
        var narrative = index % 50 is 13 or 31 ? marker + " " + LongTestimony : marker;
        var json = kind == Kind.SchemaInvalid
            ? TestTips.ValidTipJson(narrative, category: "not-a-category")
            : TestTips.ValidTipJson(narrative);

        // One valid tip in ten uploads a file first, through the same storage, vault and host failures. Of those, one in
        // eight names it with another file's digest (attachment-mismatch), one in eight leaves it completed and unnamed
        // (the sweep's attachment-orphan) and one in eight never completes it (upload-abandoned); the rest name it.
        var role = kind != Kind.Valid || index % 10 != 5 ? FileRole.None
            : index % 80 == 25 ? FileRole.Mismatched
            : index % 80 == 35 ? FileRole.Unnamed
            : index % 80 == 75 ? FileRole.NeverCompleted
            : FileRole.Named;
        byte[]? fileSha256 = null;
        string? upload = null;
        var confirmed = false;
        if (role != FileRole.None)
        {
            (upload, var file) = await UploadFileAsync(http, jwk, marker, role);
            confirmed = file is not null;
            if (file is not null && role is FileRole.Named or FileRole.Mismatched)
            {
                var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
                node["attachments"] = System.Text.Json.Nodes.JsonNode.Parse(Core.Attachments.AttachmentManifestWriter.ToJson([file]).GetRawText());
                json = node.ToJsonString();
                fileSha256 = role == FileRole.Named ? file.Sha256 : null;
            }
        }

        var jwe = TestTips.Encrypt(jwk, Encoding.UTF8.GetBytes(json), kind == Kind.ForeignKid
            ? headers => headers["kid"] = ((string)headers["kid"]).Replace("/keys/", "/keys/another-", StringComparison.Ordinal)
            : null);
        if (kind == Kind.Tampered)
        {
            var parts = jwe.Split('.');
            parts[3] = (parts[3][0] == 'A' ? "B" : "A") + parts[3][1..];
            jwe = string.Join('.', parts);
        }

        // One report, one JWE and one submission id: after no answer or a 503 the client waits Retry-After and sends
        // exactly the same again, as the form does, until it gets a final answer.
        var submission = SubmissionId.New();
        var unconfirmed = 0;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            HttpStatusCode status;
            string? receipt = null;
            var retryAfter = TimeSpan.FromSeconds(1);
            try
            {
                using var response = await TestTips.PostAsync(http, jwe, submissionId: submission.ToString());
                status = response.StatusCode;
                if (status == HttpStatusCode.Accepted)
                {
                    receipt = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("receipt").GetString();
                }

                retryAfter = response.Headers.RetryAfter?.Delta ?? retryAfter;
            }
            catch (HttpRequestException)
            {
                status = 0;
            }

            if (status is not (0 or HttpStatusCode.ServiceUnavailable) || deadline.Elapsed > ResendFor)
            {
                return new Submission(kind, marker, jwe, submission, status, receipt, unconfirmed, Long: narrative != marker)
                {
                    FileSha256 = fileSha256, FileRole = role, Upload = upload, UploadConfirmed = confirmed,
                };
            }

            unconfirmed++;
            await Task.Delay(retryAfter);
        }
    }

    /// <summary>
    /// A small file (one 256 KiB chunk) encrypted and uploaded as the form does, each step resent after no answer or a
    /// 503 (the steps are resend-safe) until it is confirmed: the upload id, and the entry a tip would name (for
    /// <see cref="FileRole.Mismatched"/> one of another file of the same size under the same upload id), null when a
    /// step never was confirmed within <see cref="ResendFor"/>. <see cref="FileRole.NeverCompleted"/> stops before completing.
    /// </summary>
    private static async Task<(string Upload, Core.Attachments.AttachmentEntry? Entry)> UploadFileAsync(
        HttpClient http, JsonElement jwk, string marker, FileRole role)
    {
        var upload = SubmissionId.New().ToString();
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var content = Encoding.UTF8.GetBytes($"{marker} {new string('f', 2000)}");
        var encrypted = Core.Attachments.AttachmentEncryptor.Encrypt(content, upload, Core.Attachments.ChunkLayout.SmallChunkBytes, key);
        var named = role == FileRole.Mismatched
            ? Core.Attachments.AttachmentEncryptor.Encrypt(Encoding.UTF8.GetBytes($"{marker} {new string('g', 2000)}"), upload, Core.Attachments.ChunkLayout.SmallChunkBytes, key)
            : encrypted;
        var uploads = new Attachments.UploadClient(http);
        var deadline = Stopwatch.StartNew();
        async Task<bool> ConfirmedAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode expected)
        {
            while (deadline.Elapsed < ResendFor)
            {
                try
                {
                    using var response = await send();
                    if (response.StatusCode == expected || (expected == HttpStatusCode.Created && response.StatusCode == HttpStatusCode.OK))
                    {
                        return true;
                    }

                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                    {
                        return false;
                    }
                }
                catch (HttpRequestException)
                {
                    // No answer: the same request again.
                }

                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            return false;
        }

        if (!await ConfirmedAsync(() => uploads.CreateAsync(upload, 1, Core.Attachments.ChunkLayout.SmallChunkBytes), HttpStatusCode.Created)
            || !await ConfirmedAsync(() => uploads.SendChunkAsync(upload, 0, encrypted.Chunks[0]), HttpStatusCode.NoContent)
            || (role != FileRole.NeverCompleted && !await ConfirmedAsync(() => uploads.CompleteAsync(upload, encrypted.ChunkDigests), HttpStatusCode.OK)))
        {
            return (upload, null);
        }

        return (upload, Attachments.UploadClient.EntryOf(upload, named, jwk, key));
    }

    /// <summary>About 15,000 Korean characters: too long for a queue message once encrypted.</summary>
    private static readonly string LongTestimony = string.Concat(Enumerable.Repeat("회령에서 온 여성이 연길로 팔려 갔습니다. ", 650));

    private Task AfterAcceptedAsync(int count) => Eventually.HoldsAsync(
        () => Task.FromResult(Volatile.Read(ref _accepted) >= count), $"{count} accepted tips", TimeSpan.FromSeconds(120));

    private void Note(string what) => _events.Enqueue($"{_clock.Elapsed.TotalSeconds,6:F1} s  (accepted {Volatile.Read(ref _accepted),4})  {what}");

    private static async Task<Rows> ReadRowsAsync(string connection)
    {
        var tables = new TableServiceClient(connection);
        var tips = new List<(string ReceiptHash, string Narrative)>();
        await foreach (var row in tables.GetTableClient(StorageNames.TipsTable).QueryAsync<TableEntity>(select: ["ReceiptHash", "Narrative"]))
        {
            tips.Add((row.GetString("ReceiptHash"), row.GetString("Narrative")));
        }

        var quarantine = new List<(string ReceiptHash, string Jwe, string Reason)>();
        var claimChecks = new BlobServiceClient(connection).GetBlobContainerClient(StorageNames.ClaimCheckContainer);
        var fileQuarantine = new List<TableEntity>();
        await foreach (var row in tables.GetTableClient(StorageNames.QuarantineTable).QueryAsync<TableEntity>())
        {
            // A file's quarantine row holds its manifest entry (or nothing), not a tip's message: counted apart, below.
            if (FileReasons.Contains(row.PartitionKey))
            {
                fileQuarantine.Add(row);
                continue;
            }

            using var message = JsonDocument.Parse(row.GetBinary("Message"));
            var jwe = message.RootElement.TryGetProperty("jweRef", out var name)
                ? (await claimChecks.GetBlobClient(name.GetString()).DownloadContentAsync()).Value.Content.ToString()
                : message.RootElement.GetProperty("jwe").GetString()!;
            quarantine.Add((message.RootElement.GetProperty("receiptHash").GetString()!, jwe, row.PartitionKey));
        }

        // Both lanes and their poison queues: a report paid below the suggested effort waits in the bulk lane.
        var queues = new QueueServiceClient(connection);
        var waiting = 0;
        foreach (var queue in new[] { StorageNames.InboundQueue, StorageNames.BulkQueue, StorageNames.PoisonQueue, StorageNames.BulkPoisonQueue })
        {
            waiting += (await queues.GetQueueClient(queue).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }

        var files = new Dictionary<string, (string State, byte[] Sha256)>(StringComparer.Ordinal);
        var tipIds = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var row in tables.GetTableClient(StorageNames.TipsTable).QueryAsync<TableEntity>(select: ["RowKey", "ReceiptHash"]))
        {
            tipIds[row.RowKey] = row.GetString("ReceiptHash");
        }

        await foreach (var row in tables.GetTableClient(StorageNames.AttachmentsTable).QueryAsync<TableEntity>())
        {
            files[tipIds.GetValueOrDefault(row.PartitionKey, "?") + "/" + row.RowKey] = (row.GetString("State"), row.GetBinary("Sha256"));
        }

        // A mismatch's row is keyed <tip id>-<nn> and holds the entry (so the upload); an untaken upload's is upload-<id>.
        var fileRows = fileQuarantine.Select(row => row.RowKey.StartsWith(Core.Attachments.AttachmentSweep.QuarantineIdPrefix, StringComparison.Ordinal)
                ? new FileQuarantined(row.PartitionKey, row.RowKey[Core.Attachments.AttachmentSweep.QuarantineIdPrefix.Length..], null)
                : new FileQuarantined(row.PartitionKey, UploadOfEntry(row.GetBinary("Message")), tipIds.GetValueOrDefault(row.RowKey[..^3])))
            .ToList();

        var openUploads = 0;
        await foreach (var _ in tables.GetTableClient(StorageNames.UploadsTable).QueryAsync<TableEntity>(e => e.RowKey == "upload", select: ["RowKey"]))
        {
            openUploads++;
        }

        var blobs = new BlobServiceClient(connection);
        var attachmentBlobs = await BlobNamesAsync(blobs.GetBlobContainerClient(StorageNames.AttachmentsContainer));
        return new Rows(tips, quarantine, waiting == 0)
        {
            Files = files,
            FileQuarantine = fileRows,
            OpenUploads = openUploads,
            StagedBlobs = (await BlobNamesAsync(blobs.GetBlobContainerClient(StorageNames.AttachmentsStagingContainer))).Count,
            AttachedBlobs = attachmentBlobs.Count(n => !n.StartsWith(QuarantinePrefix, StringComparison.Ordinal)),
            QuarantinedBlobs = attachmentBlobs.Where(n => n.StartsWith(QuarantinePrefix, StringComparison.Ordinal))
                .Select(n => n[QuarantinePrefix.Length..]).ToHashSet(StringComparer.Ordinal),
        };
    }

    /// <summary>Where binding and the sweep move a mismatched or orphaned upload's blob: <c>attachments/quarantine/&lt;upload&gt;</c>.</summary>
    private const string QuarantinePrefix = "quarantine/";

    /// <summary>The quarantine reasons of files (docs/attachments.md): their rows name a file or an upload, not a tip's message.</summary>
    private static readonly HashSet<string> FileReasons = new(StringComparer.Ordinal)
    {
        "attachment-mismatch", "attachment-missing", "attachment-orphan", "upload-abandoned", "attachment-over-limit", "attachment-invalid",
    };

    private static string? UploadOfEntry(byte[]? entry)
    {
        if (entry is not { Length: > 0 })
        {
            return null;
        }

        using var json = JsonDocument.Parse(entry);
        return json.RootElement.TryGetProperty("upload", out var upload) ? upload.GetString() : null;
    }

    private static async Task<List<string>> BlobNamesAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>One report: its final answer, and how many attempts before it got no answer or a 503.</summary>
    private sealed record Submission(
        Kind Kind, string Marker, string Jwe, SubmissionId SubmissionId, HttpStatusCode Status, string? Receipt, int UnconfirmedAttempts, bool Long)
    {
        /// <summary>The SHA-256 of the file the tip names, uploaded through the same faults; null for a tip without one.</summary>
        public byte[]? FileSha256 { get; init; }

        public FileRole FileRole { get; init; }

        /// <summary>The upload this report made first, whether or not its steps were confirmed; null for none.</summary>
        public string? Upload { get; init; }

        /// <summary>Whether every step of the upload this report meant to make was confirmed.</summary>
        public bool UploadConfirmed { get; init; }

        /// <summary>The tip names its upload with another file's digest.</summary>
        public bool NamesMismatch => FileRole == FileRole.Mismatched && UploadConfirmed;
    }

    /// <summary>A file's quarantine row: its reason, the upload it names, and the receipt hash of its tip (a mismatch's).</summary>
    private sealed record FileQuarantined(string Reason, string? Upload, string? TipReceiptHash);

    private sealed record Rows(
        List<(string ReceiptHash, string Narrative)> Tips, List<(string ReceiptHash, string Jwe, string Reason)> Quarantine, bool QueuesEmpty)
    {
        private readonly HashSet<string> _hashes = [.. Tips.Select(t => t.ReceiptHash), .. Quarantine.Select(q => q.ReceiptHash)];

        /// <summary>Rows of table Attachments by "receipt hash of their tip/number": state and SHA-256.</summary>
        public IReadOnlyDictionary<string, (string State, byte[] Sha256)> Files { get; init; } = new Dictionary<string, (string, byte[])>();

        /// <summary>Quarantine rows of files and uploads (reasons in <see cref="FileReasons"/>).</summary>
        public IReadOnlyList<FileQuarantined> FileQuarantine { get; init; } = [];

        /// <summary>Upload rows left in table Uploads (its open-upload counters not counted).</summary>
        public int OpenUploads { get; init; }

        public int StagedBlobs { get; init; }

        public int AttachedBlobs { get; init; }

        /// <summary>Upload ids whose blob is in <c>attachments/quarantine/</c>.</summary>
        public HashSet<string> QuarantinedBlobs { get; init; } = [];

        /// <summary>Whether the stored tip of <paramref name="receiptHash"/> has its one file attached, with this SHA-256.</summary>
        public bool HasAttached(string receiptHash, byte[] sha256) =>
            Files.TryGetValue(receiptHash + "/01", out var file) && file.State == "attached" && file.Sha256.AsSpan().SequenceEqual(sha256);

        public bool Contains(string receiptHash) => _hashes.Contains(receiptHash);
    }

    /// <summary>
    /// The uploads that do not end attached, after the sweep: every accepted tip naming its upload with another file's
    /// digest has it quarantined <c>attachment-mismatch</c> once (row, blob, the tip's file row <c>mismatch</c>); every
    /// upload left unnamed is quarantined once by the sweep, <c>attachment-orphan</c> (blob kept) if completed and
    /// <c>upload-abandoned</c> if not; and no quarantine row names an upload twice or one nobody made.
    /// </summary>
    private sealed record FileLedger(int Mismatched, int Orphans, int Abandoned, IReadOnlyDictionary<string, int> Reasons, IReadOnlyList<string> Findings)
    {
        public static FileLedger Of(IEnumerable<Submission> submissions, Dictionary<string, Submission> accepted, Rows rows)
        {
            var findings = new List<string>();
            var byUpload = rows.FileQuarantine.Where(q => q.Upload is not null).ToLookup(q => q.Upload!, StringComparer.Ordinal);
            var ours = submissions.Where(s => s.Upload is not null).ToDictionary(s => s.Upload!, StringComparer.Ordinal);

            var mismatched = accepted.Where(a => a.Value.NamesMismatch).ToList();
            foreach (var (hash, submission) in mismatched)
            {
                var found = byUpload[submission.Upload!].ToList();
                if (found is not [{ Reason: "attachment-mismatch" } row] || row.TipReceiptHash != hash)
                {
                    findings.Add($"MISMATCH {submission.Marker}: quarantined as [{string.Join(',', found.Select(q => q.Reason))}]");
                }

                if (!rows.Files.TryGetValue(hash + "/01", out var file) || file.State != "mismatch")
                {
                    findings.Add($"MISMATCH {submission.Marker}: the tip's file row is {(rows.Files.ContainsKey(hash + "/01") ? file.State : "absent")}");
                }

                if (!rows.QuarantinedBlobs.Contains(submission.Upload!))
                {
                    findings.Add($"MISMATCH {submission.Marker}: no blob in attachments/quarantine/");
                }
            }

            var left = submissions.Where(s => s.UploadConfirmed && s.FileRole is FileRole.Unnamed or FileRole.NeverCompleted).ToList();
            foreach (var submission in left)
            {
                var expected = submission.FileRole == FileRole.Unnamed ? "attachment-orphan" : "upload-abandoned";
                var found = byUpload[submission.Upload!].ToList();
                if (found is not [{ } row] || row.Reason != expected)
                {
                    findings.Add($"UNTAKEN {submission.Marker}: expected once as {expected}, quarantined as [{string.Join(',', found.Select(q => q.Reason))}]");
                }

                if (expected == "attachment-orphan" && !rows.QuarantinedBlobs.Contains(submission.Upload!))
                {
                    findings.Add($"UNTAKEN {submission.Marker}: no blob in attachments/quarantine/");
                }
            }

            findings.AddRange(byUpload.Where(g => g.Count() > 1).Select(g => $"TWICE an upload: [{string.Join(',', g.Select(q => q.Reason))}]"));
            findings.AddRange(rows.FileQuarantine.Where(q => q.Upload is null || !ours.ContainsKey(q.Upload))
                .Select(q => $"UNKNOWN upload quarantined as {q.Reason}"));
            var mismatchedHashes = mismatched.Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
            findings.AddRange(rows.FileQuarantine.Where(q => q.Reason == "attachment-mismatch" && !mismatchedHashes.Contains(q.TipReceiptHash ?? ""))
                .Select(q => $"MISMATCH of a tip that named its file right: {(q.Upload is { } u && ours.TryGetValue(u, out var s) ? s.Marker : "?")}"));
            findings.AddRange(rows.FileQuarantine.Where(q => q.Reason is not ("attachment-mismatch" or "attachment-orphan" or "upload-abandoned"))
                .Select(q => $"UNEXPECTED {q.Reason}: {(q.Upload is { } u && ours.TryGetValue(u, out var s) ? s.Marker : "?")}"));

            return new FileLedger(
                mismatched.Count, left.Count(s => s.FileRole == FileRole.Unnamed), left.Count(s => s.FileRole == FileRole.NeverCompleted),
                rows.FileQuarantine.GroupBy(q => q.Reason).ToDictionary(g => g.Key, g => g.Count()), findings);
        }

        public string Print()
        {
            var text = new StringBuilder();
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  files not attached   {Mismatched} accepted tips named their upload with another digest; {Orphans} uploads completed and unnamed; {Abandoned} never completed");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  files quarantined    [{string.Join(", ", Reasons.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))}] (orphans include the uploads of tips not accepted)");
            foreach (var finding in Findings.Take(50))
            {
                text.AppendLine("  ! " + finding);
            }

            return text.ToString();
        }
    }

    private sealed record Ledger(
        int Accepted, int RefusedAtIntake, int Stored, int Quarantined, int Duplicates, int Lost, int Misplaced, int Leaked,
        int Unresolved, int DuplicateDeliveries, IReadOnlyDictionary<string, int> Refusals, IReadOnlyDictionary<string, int> QuarantineReasons, IReadOnlyList<string> Findings)
    {
        public static Ledger Of(Dictionary<string, Submission> accepted, List<Submission> refused, Rows rows, int duplicateDeliveries)
        {
            var findings = new List<string>();
            var tipsByHash = rows.Tips.ToLookup(t => t.ReceiptHash, StringComparer.Ordinal);
            var quarantineByHash = rows.Quarantine.ToLookup(q => q.ReceiptHash, StringComparer.Ordinal);
            int stored = 0, quarantined = 0, duplicates = 0, lost = 0, misplaced = 0;
            foreach (var (hash, submission) in accepted)
            {
                var inTips = tipsByHash[hash].ToList();
                var inQuarantine = quarantineByHash[hash].ToList();
                var count = inTips.Count + inQuarantine.Count;
                if (count == 0)
                {
                    lost++;
                    findings.Add($"LOST {submission.Kind} {submission.Marker}");
                    continue;
                }

                if (count > 1)
                {
                    duplicates++;
                    findings.Add($"DUPLICATE {submission.Marker}: {inTips.Count} in Tips, {inQuarantine.Count} in Quarantine ({string.Join(',', inQuarantine.Select(q => q.Reason))})");
                }

                // Identity: the row holds this submission, not merely its receipt hash.
                var identical = submission.Kind == Kind.Valid
                    ? inTips.Count == 1 && inTips[0].Narrative.Contains(submission.Marker, StringComparison.Ordinal)
                    : inQuarantine.Count == 1 && inQuarantine[0].Jwe == submission.Jwe;
                if (!identical)
                {
                    misplaced++;
                    findings.Add($"MISPLACED {submission.Kind} {submission.Marker}: {inTips.Count} in Tips, {inQuarantine.Count} in Quarantine");
                }

                stored += inTips.Count > 0 ? 1 : 0;
                quarantined += inTips.Count == 0 ? 1 : 0;
            }

            // Nothing from a submission whose final answer was not 202, and no row whose receipt nobody was given. A report
            // resent after no answer or a 503 is one submission: its earlier attempts, if the queue took them, carry the
            // same tip id and receipt, so they are counted (and must be kept once) under its final 202.
            var leaked = 0;
            var refusedByMarker = refused.ToDictionary(s => s.Marker, StringComparer.Ordinal);
            var refusedByJwe = refused.ToDictionary(s => s.Jwe, StringComparer.Ordinal);
            void Unaccepted(Submission? source, string where)
            {
                leaked++;
                findings.Add($"LEAKED into {where}: {source?.Marker ?? "a row with an unknown receipt"} ({(int?)source?.Status})");
            }

            foreach (var tip in rows.Tips.Where(t => !accepted.ContainsKey(t.ReceiptHash)))
            {
                Unaccepted(refusedByMarker.Values.FirstOrDefault(s => tip.Narrative.Contains(s.Marker, StringComparison.Ordinal)), "Tips");
            }

            foreach (var entry in rows.Quarantine.Where(q => !accepted.ContainsKey(q.ReceiptHash)))
            {
                Unaccepted(refusedByJwe.GetValueOrDefault(entry.Jwe), $"Quarantine ({entry.Reason})");
            }

            var unresolved = refused.Count(s => s.Status is 0 or HttpStatusCode.ServiceUnavailable);
            findings.AddRange(refused.Where(s => s.Status is 0 or HttpStatusCode.ServiceUnavailable)
                .Select(s => $"UNRESOLVED {s.Marker}: still {(int)s.Status} after {s.UnconfirmedAttempts} attempts"));

            return new Ledger(
                accepted.Count, refused.Count, stored, quarantined, duplicates, lost, misplaced, leaked, unresolved, duplicateDeliveries,
                refused.GroupBy(s => s.Status == 0 ? "no answer" : ((int)s.Status).ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .ToDictionary(g => g.Key, g => g.Count()),
                rows.Quarantine.GroupBy(q => q.Reason).ToDictionary(g => g.Key, g => g.Count()),
                findings);
        }

        public string Print(IEnumerable<string> events, int redeliveries, int resent, int resentAndSeenTwice, TimeSpan elapsed)
        {
            var text = new StringBuilder();
            text.AppendLine("── No-loss ledger ──────────────────────────────────────────");
            foreach (var line in events)
            {
                text.AppendLine("  " + line);
            }

            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  submissions          {Accepted + RefusedAtIntake}");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  accepted (202)       {Accepted}");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  refused (final non-202)  {RefusedAtIntake}  [{string.Join(", ", Refusals.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))}]");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  stored (Tips)        {Stored}");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  quarantined          {Quarantined}  [{string.Join(", ", QuarantineReasons.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))}]");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  delivered twice      {DuplicateDeliveries} (queued twice on purpose); redeliveries ignored by the processor: {redeliveries}");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  duplicates           {Duplicates}");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  misplaced            {Misplaced}");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  leaked from non-202  {Leaked}");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  resent after no answer or a 503  {resent}; of these, seen twice by the processor (an earlier attempt had reached the queue, or WebJobs redelivered) and kept once: {resentAndSeenTwice}");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  unresolved (503 or no answer after {ResendFor.TotalSeconds:F0} s of resending)  {Unresolved}");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  lost                 {Lost}");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  elapsed              {elapsed.TotalSeconds:F1} s");
            foreach (var finding in Findings.Take(50))
            {
                text.AppendLine("  ! " + finding);
            }

            return text.ToString();
        }
    }
}
