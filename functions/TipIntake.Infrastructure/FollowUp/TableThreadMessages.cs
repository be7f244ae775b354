using System.Globalization;
using TipIntake.Core.FollowUp;

namespace TipIntake.Infrastructure.FollowUp;

/// <summary>
/// Table <c>TipMessages</c> (PartitionKey the tip id): a tip's thread (docs/follow-up.md, "Storage"). A reporter's
/// answer is keyed by its received hour and its own id, so a redelivery meets the row it wrote and adds nothing; it keeps
/// the text (in the tip's own rows, like the narrative) and the reporter's copy, a JWE only the code opens. The lookup
/// reads the newest messages' copies; a decoy's partition is read the same way and is always empty.
/// </summary>
public sealed class TableThreadMessages(TableServiceClient tables) : IThreadMessages, IAnswerStore
{
    public const string FromReporter = "reporter";
    public const string AnswerReceived = "answer-received";
    public const string ReporterActor = "reporter";

    private static readonly string[] LookupColumns = ["RowKey", "From", "Day", "ForReporter", "AnswerId"];

    private readonly TableClient _messages = tables.GetTableClient(StorageNames.MessagesTable);
    private readonly TableClient _tips = tables.GetTableClient(StorageNames.TipsTable);
    private readonly TableClient _events = tables.GetTableClient(StorageNames.EventsTable);

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
        var hour = answer.ReceivedHour.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
        var message = new TableEntity(answer.TipId, $"{hour}-r-{answer.AnswerId}")
        {
            ["From"] = FromReporter,
            ["AnswerId"] = answer.AnswerId,
            ["Day"] = answer.ReceivedHour.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Text"] = answer.Text,
            ["Language"] = answer.Language,
            ["ForReporter"] = answer.ForReporter,
        };

        // Flags beside the workflow: merged without the triage version or ETag, so no editor's change is overwritten.
        var flags = new TableEntity(answer.TriageQueue, answer.TipId) { ["NewAnswers"] = true, ["AwaitingReporter"] = false };
        var received = new TableEntity(answer.TipId, $"{hour}-a-{answer.AnswerId[..16]}")
        {
            ["At"] = answer.ReceivedHour,
            ["Actor"] = ReporterActor,
            ["Action"] = AnswerReceived,
            ["From"] = "",
            ["To"] = "",
        };
        try
        {
            await AddOnceAsync(_messages, message, cancellationToken).ConfigureAwait(false);
            await _tips.UpdateEntityAsync(flags, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            await AddOnceAsync(_events, received, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Adding an answer to a thread", ex);
        }
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
