namespace TipIntake.Infrastructure.Storage;

/// <summary>
/// Group commit by key: while one batch of a key is being written, whatever arrives for that key waits and goes into
/// the next batch together. There is no timer, so a lone item is written at once, alone. One writer per key at a time;
/// a key with nothing waiting leaves nothing behind (the writer takes its queue out of the map as it leaves).
/// </summary>
/// <param name="writeAsync">Writes one batch of a key and answers its items.</param>
/// <param name="fail">Answers every item of a batch whose write threw.</param>
/// <param name="fits">Whether an item still goes into a batch already holding some.</param>
internal sealed class GroupCommit<TItem>(
    Func<string, List<TItem>, Task> writeAsync, Action<List<TItem>, Exception> fail, Func<List<TItem>, TItem, bool> fits)
{
    private readonly ConcurrentDictionary<string, KeyQueue> _queues = new(StringComparer.Ordinal);

    /// <summary>Keys whose writer is running (none once everything is written).</summary>
    public int KeysWriting => _queues.Count;

    /// <summary>Queues <paramref name="item"/> for <paramref name="key"/>; starts the key's writer if none runs.</summary>
    public void Add(string key, TItem item)
    {
        while (true)
        {
            var queue = _queues.GetOrAdd(key, static _ => new KeyQueue());
            bool start;
            lock (queue)
            {
                if (queue.Retired)
                {
                    continue; // its writer has just left it: take the key's new queue
                }

                queue.Pending.Enqueue(item);
                start = !queue.Writing;
                queue.Writing = true;
            }

            if (start)
            {
                _ = Task.Run(() => DrainAsync(key, queue), CancellationToken.None);
            }

            return;
        }
    }

    /// <summary>The key's writer: takes what is waiting (as much as fits), writes it, repeats until nothing waits.</summary>
    private async Task DrainAsync(string key, KeyQueue queue)
    {
        while (true)
        {
            var batch = new List<TItem>();
            lock (queue)
            {
                if (queue.Pending.Count == 0)
                {
                    queue.Retired = true;
                    _queues.TryRemove(new KeyValuePair<string, KeyQueue>(key, queue));
                    return;
                }

                while (queue.Pending.TryPeek(out var next) && (batch.Count == 0 || fits(batch, next)))
                {
                    batch.Add(queue.Pending.Dequeue());
                }
            }

            try
            {
                await writeAsync(key, batch).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                fail(batch, ex);
            }
        }
    }

    private sealed class KeyQueue
    {
        public Queue<TItem> Pending { get; } = new();

        public bool Writing { get; set; }

        /// <summary>Left by its writer and out of the map: an item arriving now takes a new queue.</summary>
        public bool Retired { get; set; }
    }
}
