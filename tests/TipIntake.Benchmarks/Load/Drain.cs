using System.Diagnostics;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Infrastructure.Keys;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Benchmarks.Load;

public sealed record DrainResult(string Name, int Tips, TimeSpan TimeToDrain, int Stored, int Quarantined)
{
    public double TipsPerSecond => Stored / TimeToDrain.TotalSeconds;
}

/// <summary>Processing: a queue pre-filled with valid tips, drained into <c>Tips</c>.</summary>
public static class Drain
{
    public static QueueClient Inbound(string connectionString) =>
        new(connectionString, StorageNames.InboundQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    public static TableClient TipsTable(string connectionString) => new TableServiceClient(connectionString).GetTableClient(StorageNames.TipsTable);

    public static async Task PrefillAsync(string connectionString, IReadOnlyList<string> jwes, int count)
    {
        var queue = Inbound(connectionString);
        await queue.CreateIfNotExistsAsync();
        await TipsTable(connectionString).CreateIfNotExistsAsync();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await queue.SendMessageAsync(TipFactory.Envelope(jwes[i % jwes.Count]), cancellationToken: ct));
    }

    /// <summary>
    /// Times a drain the same way for both contenders: from the first message taken off the queue to the moment
    /// <c>Tips</c> holds all <paramref name="count"/> tips (or <paramref name="timeout"/>).
    /// </summary>
    public static async Task<DrainResult> MeasureAsync(string name, string connectionString, int count, TimeSpan timeout, Func<Task>? startDraining = null)
    {
        var queue = Inbound(connectionString);
        var tips = TipsTable(connectionString);
        var deadline = Stopwatch.StartNew();
        var draining = startDraining?.Invoke() ?? Task.CompletedTask;
        long started = 0;
        while (deadline.Elapsed < timeout)
        {
            QueueProperties properties = await queue.GetPropertiesAsync();
            if (properties.ApproximateMessagesCount < count)
            {
                started = Stopwatch.GetTimestamp();
                break;
            }

            await Task.Delay(20);
        }

        var stored = 0;
        while (deadline.Elapsed < timeout)
        {
            stored = await CountAsync(tips);
            if (stored >= count)
            {
                break;
            }

            await Task.Delay(100);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        await draining;
        var quarantined = await CountAsync(new TableServiceClient(connectionString).GetTableClient(StorageNames.QuarantineTable));
        return new DrainResult(name, count, elapsed, stored, quarantined);
    }

    private static async Task<int> CountAsync(TableClient table)
    {
        var n = 0;
        try
        {
            await foreach (var page in table.QueryAsync<TableEntity>(select: ["PartitionKey"], maxPerPage: 1000).AsPages())
            {
                n += page.Values.Count;
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }

        return n;
    }

    /// <summary>
    /// The floor: the Azure SDK with nothing else. Receive 32, then for each (concurrently): unwrap the content key
    /// with the local key, decrypt, insert into Tips, delete. Repeats until <paramref name="count"/> are stored.
    /// </summary>
    public static async Task RawLoopAsync(string connectionString, LocalDevelopmentKey key, int count, TimeSpan timeout)
    {
        var queue = Inbound(connectionString);
        var tips = TipsTable(connectionString);
        var done = 0;
        var clock = Stopwatch.StartNew();
        while (done < count && clock.Elapsed < timeout)
        {
            QueueMessage[] messages = await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30));
            if (messages.Length == 0)
            {
                await Task.Delay(50);
                continue;
            }

            await Task.WhenAll(messages.Select(async message =>
            {
                var envelope = JsonSerializer.Deserialize(message.Body.ToMemory().Span, EnvelopeJsonContext.Default.TipEnvelope)!;
                if (!JweParser.TryParse(envelope.Jwe!, TipEnvelope.MaxJweLength, out var jwe, out _))
                {
                    throw new InvalidOperationException("A prefilled JWE did not parse.");
                }

                var contentKey = await key.UnwrapAsync(jwe.Header.KeyId, jwe.EncryptedKey, CancellationToken.None);
                if (!JweDecryptor.TryDecrypt(jwe, contentKey, out var plaintext))
                {
                    throw new InvalidOperationException("A prefilled JWE did not decrypt.");
                }

                await tips.AddEntityAsync(new TableEntity("general", envelope.TipId) { ["Tip"] = System.Text.Encoding.UTF8.GetString(plaintext) });
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                Interlocked.Increment(ref done);
            }));
        }
    }
}
