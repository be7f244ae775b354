using TipIntake.Core.FollowUp;

namespace TipIntake.Infrastructure.FollowUp;

/// <summary>
/// Table <c>TipMessages</c> (PartitionKey the tip id): a tip's thread (docs/follow-up.md, "Storage"), in row-key order.
/// A reporter's answer is keyed after the thread's last message (never before its hour) and by its own id, and a
/// redelivery finds that id and adds nothing; it keeps
/// the text (in the tip's own rows, like the narrative) and the reporter's copy, a JWE only the code opens. The lookup
/// reads the newest messages' copies; a decoy's partition is read the same way and is always empty. Triage reads the
/// answers' text and the organisation's staff copies, and adds the organisation's messages (both copies encrypted in
/// the staff member's browser).
/// </summary>
public sealed class TableThreadMessages(TableServiceClient tables) : IThreadMessages, IAnswerStore, IThreadStore
{
    public const string FromReporter = StaffThreads.Reporter;
    public const string ReporterActor = "reporter";

    private static readonly string[] LookupColumns = ["RowKey", "From", "Day", "ForReporter", "AnswerId"];
    private static readonly string[] StaffColumns = ["RowKey", "From", "Day", "Text", "ForStaff", "AuthorName", "AnswerId"];
    private static readonly string[] StateColumns = [TipFollowUpColumns.FollowUp, TipFollowUpColumns.LookupHash, "AwaitingReporter", "NewAnswers"];
    private static readonly string[] KeyColumns = ["PublicKey", "Ref"];

    private readonly TableClient _messages = tables.GetTableClient(StorageNames.MessagesTable);
    private readonly TableClient _tips = tables.GetTableClient(StorageNames.TipsTable);
    private readonly TableClient _events = tables.GetTableClient(StorageNames.EventsTable);
    private readonly TableClient _keys = tables.GetTableClient(StorageNames.FollowUpKeysTable);

    public async Task<IReadOnlyList<ThreadMessage>> ReadNewestAsync(string tipId, int max, CancellationToken cancellationToken)
    {
        var all = new List<ThreadMessage>();
        await foreach (var row in _messages.QueryOrUnavailableAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {tipId}"), LookupColumns, "Reading a thread", cancellationToken).ConfigureAwait(false))
        {
            if (row.GetString("ForReporter") is { Length: > 0 } jwe)
            {
                // The row key carries the hour; the id shown is the message's own, which says nothing of time.
                all.Add(new ThreadMessage(row.GetString("AnswerId") ?? row.RowKey[(row.RowKey.LastIndexOf('-') + 1)..], row.GetString("From"), row.GetString("Day"), jwe));
            }
        }

        return all.Count > max ? all[^max..] : all;
    }

    public async Task AppendAsync(StoredAnswer answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var message = new TableEntity(answer.TipId, "")
        {
            ["From"] = FromReporter,
            ["AnswerId"] = answer.AnswerId,
            ["Day"] = answer.ReceivedHour.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Text"] = answer.Text,
            ["Language"] = answer.Language,
            ["ForReporter"] = answer.ForReporter,
        };

        var received = new TableEntity(answer.TipId, "")
        {
            ["At"] = answer.ReceivedHour,
            ["Actor"] = ReporterActor,
            ["Action"] = Core.Codes.Of(TipEventAction.AnswerReceived),
            ["From"] = "",
            ["To"] = "",
        };
        try
        {
            // The thread is ordered by row key. An answer is known only to the hour, so it goes after the thread's last
            // message (it answers what was there) and never before its hour; a redelivery finds its answer id and adds nothing.
            var (existing, last) = await ScanAsync(answer.TipId, answer.AnswerId, cancellationToken).ConfigureAwait(false);
            var ticks = (existing ?? Math.Max(answer.ReceivedHour.UtcTicks, last + 1)).ToString("D19", CultureInfo.InvariantCulture);
            if (existing is null)
            {
                message.RowKey = $"{ticks}-r-{answer.AnswerId}";
                await AddOnceAsync(_messages, message, cancellationToken).ConfigureAwait(false);
            }

            // Its audit event sorts with it, and is the same row for every delivery.
            received.RowKey = $"{ticks}-a-{answer.AnswerId[..16]}";
            await AddOnceAsync(_events, received, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Adding an answer to a thread", ex);
        }
    }

    public async Task<FollowUpThreadState> ReadStateAsync(string triageQueue, string tipId, CancellationToken cancellationToken)
    {
        const string Operation = "Reading a tip's follow-up state";
        var row = await _tips.FindOrUnavailableAsync(triageQueue, tipId, StateColumns, Operation, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return new FollowUpThreadState(FollowUpStates.None, null, null, false, false);
        }

        var keyRow = row.GetString(TipFollowUpColumns.LookupHash) is { Length: > 0 } lookupHash
            ? await _keys.FindOrUnavailableAsync(lookupHash, tipId, KeyColumns, Operation, cancellationToken).ConfigureAwait(false)
            : null;
        return new FollowUpThreadState(
            row.GetString(TipFollowUpColumns.FollowUp) ?? FollowUpStates.None,
            keyRow is null ? null : ReporterPublicKeyJwk.Parse(keyRow.GetString("PublicKey")),
            keyRow?.GetString("Ref"),
            row.GetBoolean("AwaitingReporter") ?? false,
            row.GetBoolean("NewAnswers") ?? false);
    }

    public async Task<IReadOnlyList<ThreadRow>> ReadMessagesAsync(string tipId, int max, CancellationToken cancellationToken)
    {
        var all = new List<ThreadRow>();
        await foreach (var row in _messages.QueryOrUnavailableAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {tipId}"), StaffColumns, "Reading a thread", cancellationToken).ConfigureAwait(false))
        {
            all.Add(new ThreadRow(
                row.GetString("AnswerId") ?? row.RowKey, row.GetString("From"), row.GetString("Day"), row.GetString("Text"), row.GetString("ForStaff"), row.GetString("AuthorName")));
        }

        return all.Count > max ? all[^max..] : all;
    }

    public async Task AddMessageAsync(OrganisationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var entity = new TableEntity(message.TipId, message.Id)
        {
            ["From"] = StaffThreads.Organisation,
            ["Day"] = message.Day,
            ["ForReporter"] = message.ForReporter,
            ["ForStaff"] = message.ForStaff,
            ["AuthorId"] = message.AuthorId,
            ["AuthorName"] = message.AuthorName,
        };
        await _messages.AddEntityAsync(entity, cancellationToken)
            .OrUnavailableAsync("Adding a message to a thread", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The ticks the answer was stored under if the thread holds it already, and those of its last message (0 for none).</summary>
    private async Task<(long? Existing, long LastTicks)> ScanAsync(string tipId, string answerId, CancellationToken cancellationToken)
    {
        long? existing = null;
        var last = 0L;
        await foreach (var row in _messages.QueryOrUnavailableAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {tipId}"), ["RowKey", "AnswerId"], "Reading a thread", cancellationToken).ConfigureAwait(false))
        {
            if (long.TryParse(row.RowKey.AsSpan(0, Math.Min(19, row.RowKey.Length)), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                last = Math.Max(last, ticks);
                existing = row.GetString("AnswerId") == answerId ? ticks : existing;
            }
        }

        return (existing, last);
    }

    /// <summary>Inserts, or finds the row already there (written by an earlier delivery of the same answer).</summary>
    private static async Task AddOnceAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }
    }
}
