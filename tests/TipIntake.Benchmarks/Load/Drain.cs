using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.WebJobs.Host;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Processing;
using TipIntake.Core.Routing;
using TipIntake.Core.Tips;
using Microsoft.Extensions.Options;
using TipIntake.Infrastructure.Keys;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Benchmarks.Load;

public sealed record DrainResult(
    string Name, int Tips, TimeSpan? TimeToDrain, int Stored, int Quarantined, TimeSpan DrainerCpu, TimeSpan AzuriteCpu, TimeSpan? SecondHalf, TimeSpan HopCpu = default)
{
    /// <summary>False when no message left the queue before the timeout: there is no drain to time, and no rate or CPU per tip.</summary>
    public bool Began => TimeToDrain is not null;

    /// <summary>
    /// Tips/s over the second half of the drain (from half stored to all stored): the drainer is warm by then (JIT,
    /// connections, thread pool), so this is closer to a steady rate than the whole drain of a freshly started process.
    /// NaN when the drain never got to half.
    /// </summary>
    public double SecondHalfTipsPerSecond => SecondHalf is { } half ? (Tips - (Tips / 2)) / half.TotalSeconds : double.NaN;

    /// <summary>Azurite's CPU (Node.js, one thread) over the timed drain, per stored tip.</summary>
    public double AzuriteCpuMsPerTip => Stored == 0 || !Began ? double.NaN : AzuriteCpu.TotalMilliseconds / Stored;

    public double TipsPerSecond => TimeToDrain is { } time ? Stored / time.TotalSeconds : double.NaN;

    /// <summary>The drainer process's CPU (user + system) over the timed drain, per stored tip.</summary>
    public double CpuMsPerTip => Stored == 0 || !Began ? double.NaN : DrainerCpu.TotalMilliseconds / Stored;

    /// <summary>The drainer process's own CPU per tip: for the local host, its WebJobs listener and gRPC hop without the worker.</summary>
    public double HopCpuMsPerTip => Stored == 0 || !Began ? double.NaN : HopCpu.TotalMilliseconds / Stored;

    /// <summary>The time to drain for a table, or what happened instead.</summary>
    public string TimeToDrainText(IFormatProvider format) => TimeToDrain is { } time
        ? time.TotalSeconds.ToString("F2", format)
        : "timed out before its first message";
}

/// <summary>Processing: a queue pre-filled with valid tips, drained into <c>Tips</c>.</summary>
public static class Drain
{
    public static QueueClient Inbound(string connectionString) =>
        new(connectionString, StorageNames.InboundQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    public static TableClient TipsTable(string connectionString) => new TableServiceClient(connectionString).GetTableClient(StorageNames.TipsTable);

    public static async Task PrefillAsync(string connectionString, IReadOnlyList<string> jwes, int count, DateTimeOffset? visibleAt = null, int first = 0)
    {
        var queue = Inbound(connectionString);
        await queue.CreateIfNotExistsAsync();
        await TipsTable(connectionString).CreateIfNotExistsAsync();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var hidden = visibleAt is { } at ? at - DateTimeOffset.UtcNow : TimeSpan.Zero;
            await queue.SendMessageAsync(
                TipFactory.Envelope(jwes[(first + i) % jwes.Count]), visibilityTimeout: hidden > TimeSpan.Zero ? hidden : null, cancellationToken: ct);
        });
    }

    /// <summary>
    /// Times a drain the same way for every contender. The drainer first stores <paramref name="warmUp"/> tips and goes
    /// quiet (its JIT, connections and thread pool warm, as an instance that has been running is — the intake's load
    /// points warm up the same way); then <paramref name="count"/> tips are queued hidden until one moment, so that all
    /// are there when the first becomes visible, and the drain is timed from the first message taken off the queue to
    /// the last (or <paramref name="timeout"/>); <c>Tips</c> is then checked to hold them all.
    /// </summary>
    public static async Task<DrainResult> MeasureAsync(
        string name, string connectionString, int azuritePid, IReadOnlyList<string> jwes, int warmUp, int count, TimeSpan timeout,
        Func<Task<ChildServer>> startDrainer)
    {
        ArgumentNullException.ThrowIfNull(startDrainer);
        using var azurite = Process.GetProcessById(azuritePid);
        var queue = Inbound(connectionString);
        var tips = TipsTable(connectionString);
        var deadline = Stopwatch.StartNew();
        await PrefillAsync(connectionString, jwes, warmUp);
        await using var drainer = await startDrainer();
        if (!await WaitForAsync(async () => await CountAsync(tips) >= warmUp, deadline, timeout))
        {
            throw new InvalidOperationException($"{name}: the {warmUp} warm-up tips were not stored within {timeout}.");
        }

        await WaitForQuietAsync(drainer, deadline, timeout);

        // Hidden long enough for the whole prefill (Azurite takes a few hundred a second), then visible at once.
        var visibleAt = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(3 + (count / 150.0));
        await PrefillAsync(connectionString, jwes, count, visibleAt, first: warmUp);
        if (DateTimeOffset.UtcNow > visibleAt)
        {
            Console.WriteLine($"  {name}: the prefill ended after its messages became visible: the drain began on a partly filled queue.");
        }

        if (!await WaitForAsync(async () => ((QueueProperties)await queue.GetPropertiesAsync()).ApproximateMessagesCount < count, deadline, timeout, pollMs: 20))
        {
            Console.WriteLine($"  {name}: timed out ({timeout}) before its first message left the queue: nothing was drained, nothing timed.");
            return new DrainResult(name, count, null, await CountAsync(tips) - warmUp, await CountQuarantinedAsync(connectionString), TimeSpan.Zero, TimeSpan.Zero, null);
        }

        var started = Stopwatch.GetTimestamp();
        var cpuAtStart = drainer.CpuTime();
        var hopAtStart = drainer.OwnCpuTime();
        azurite.Refresh();
        var azuriteAtStart = azurite.TotalProcessorTime;

        // Polled on the queue's message count, a constant-time read: a message leaves the queue only once its tip is
        // stored (or quarantined), by every contender. Counting Tips itself is a scan in Azurite, whose CPU grew with
        // the table and fell on whichever contender drained longest; it is counted once, at the end.
        long half = 0;
        await WaitForAsync(async () =>
        {
            var left = ((QueueProperties)await queue.GetPropertiesAsync()).ApproximateMessagesCount;
            if (half == 0 && left <= count / 2)
            {
                half = Stopwatch.GetTimestamp();
            }

            return left == 0;
        }, deadline, timeout);

        var elapsed = Stopwatch.GetElapsedTime(started);
        TimeSpan? secondHalf = half == 0 ? null : Stopwatch.GetElapsedTime(half);
        var cpu = drainer.CpuTime() - cpuAtStart;
        var hop = drainer.OwnCpuTime() - hopAtStart;
        azurite.Refresh();
        var azuriteCpu = azurite.TotalProcessorTime - azuriteAtStart;
        var stored = await CountAsync(tips) - warmUp;
        return new DrainResult(name, count, elapsed, stored, await CountQuarantinedAsync(connectionString), cpu, azuriteCpu, secondHalf, hop);
    }

    private static Task<int> CountQuarantinedAsync(string connectionString) =>
        CountAsync(new TableServiceClient(connectionString).GetTableClient(StorageNames.QuarantineTable));

    private static async Task<bool> WaitForAsync(Func<Task<bool>> done, Stopwatch deadline, TimeSpan timeout, int pollMs = 100)
    {
        while (deadline.Elapsed < timeout)
        {
            if (await done())
            {
                return true;
            }

            await Task.Delay(pollMs);
        }

        return false;
    }

    /// <summary>
    /// Until the drainer's processes spend under a tenth of a core for two seconds running (background work on the
    /// warm-up tips — the content index — done), or 30 s.
    /// </summary>
    private static async Task WaitForQuietAsync(ChildServer drainer, Stopwatch deadline, TimeSpan timeout)
    {
        var quietSeconds = 0;
        var limit = Stopwatch.StartNew();
        var before = drainer.CpuTime();
        while (quietSeconds < 2 && limit.Elapsed < TimeSpan.FromSeconds(30) && deadline.Elapsed < timeout)
        {
            await Task.Delay(1000);
            var now = drainer.CpuTime();
            quietSeconds = now - before < TimeSpan.FromMilliseconds(100) ? quietSeconds + 1 : 0;
            before = now;
        }
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
    /// The floor: the same work as <c>ProcessTip</c> with the Azure SDK and nothing else. Receive 32, then for each
    /// (concurrently): unwrap the content key with the local key, decrypt, validate and route the tip, insert the same
    /// row into Tips as the product does (its 17 columns: Azurite's cost per insert grows with them), delete.
    /// Repeats until <paramref name="count"/> are stored.
    /// </summary>
    public static async Task RawLoopAsync(string connectionString, LocalDevelopmentKey key, int count, TimeSpan timeout)
    {
        var queue = Inbound(connectionString);
        var tips = TipsTable(connectionString);
        var router = new TipRouter(Options.Create(new RoutingOptions()));
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

                var tip = TipReader.Read(plaintext, DateTimeOffset.UtcNow).Tip
                    ?? throw new InvalidOperationException("A prefilled tip did not validate.");
                await tips.AddEntityAsync(Row(envelope, router.Route(tip), tip, jwe.Header.KeyId));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                Interlocked.Increment(ref done);
            }));
        }
    }

    /// <summary>
    /// The processor in one process: a receive loop shaped like the WebJobs queue listener the local host runs, with
    /// host.json's queue settings (<paramref name="queues"/>). Receive up to <c>BatchSize</c> (each hidden for 10
    /// minutes: none reappears while in flight, as the listener sees to by renewing) and process each on the thread pool, as the worker runs each invocation it
    /// is sent; receive again as soon as no more than <c>NewBatchThreshold</c> are in flight; on an empty queue wait
    /// 100 ms, doubling up to <c>MaxPollingInterval</c>. As <c>TipQueues</c> does, a message is completed (deleted)
    /// unless the processor answers <see cref="ProcessingOutcome.RetryLater"/> or throws; then it is made visible again
    /// after <c>VisibilityTimeout</c>, as the listener does with a failed invocation. No poison queue: the harness
    /// counts what was stored.
    /// </summary>
    public static async Task ListenerLoopAsync(
        QueueClient queue, QueuesOptions queues, Func<InboundMessage, CancellationToken, Task<ProcessingOutcome>> process, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(queues);
        var inFlight = new List<Task>();
        var idle = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            inFlight.RemoveAll(task => task.IsCompleted);
            if (inFlight.Count > queues.NewBatchThreshold)
            {
                await Task.WhenAny(inFlight);
                continue;
            }

            QueueMessage[] messages;
            try
            {
                messages = await queue.ReceiveMessagesAsync(queues.BatchSize, TimeSpan.FromMinutes(10), cancellationToken);
                if (messages.Length == 0)
                {
                    await Task.Delay(idle, cancellationToken);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, queues.MaxPollingInterval.Ticks));
                    continue;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            idle = TimeSpan.FromMilliseconds(100);
            inFlight.AddRange(messages.Select(message => Task.Run(() => CompleteAsync(message), CancellationToken.None)));
        }

        await Task.WhenAll(inFlight);

        async Task CompleteAsync(QueueMessage message)
        {
            var answered = false;
            try
            {
                answered = await process(new InboundMessage(message.MessageId, message.Body.ToMemory(), message.DequeueCount), cancellationToken)
                    is not ProcessingOutcome.RetryLater;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Type only: the message is the product's, and this loop must not print anything of a tip.
                await Console.Error.WriteLineAsync($"ProcessAsync threw {ex.GetType().Name}; the message is retried.");
            }

            if (answered)
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: queues.VisibilityTimeout, cancellationToken: CancellationToken.None);
            }
        }
    }

    /// <summary>The row the product writes (TipEntity in TipIntake.Infrastructure), column for column.</summary>
    private static TableEntity Row(TipEnvelope envelope, RouteDecision route, Tip tip, string keyId) => new(route.Queue, envelope.TipId)
    {
        ["SchemaVersion"] = 1,
        ["Status"] = "new",
        ["Priority"] = route.Priority,
        ["Category"] = tip.Category,
        ["Urgency"] = tip.Urgency,
        ["Narrative"] = tip.Narrative,
        ["Country"] = tip.Location?.Country,
        ["Region"] = tip.Location?.Region,
        ["Place"] = tip.Location?.Place,
        ["ObservedFrom"] = tip.ObservedFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["ObservedTo"] = tip.ObservedTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["PeopleCount"] = tip.PeopleCount,
        ["Language"] = tip.Language,
        ["Contact"] = tip.Contact,
        ["ReceivedHour"] = envelope.ReceivedHour,
        ["ReceiptHash"] = envelope.ReceiptHash,
        ["KeyId"] = keyId,
    };
}
