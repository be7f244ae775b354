using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using TipIntake.Core.Triage.Index;
using TipIntake.Infrastructure.Storage;
using TipIntake.Infrastructure.Triage.Index;
using TipIntake.Testing;

namespace TipIntake.IntegrationTests.Triage;

/// <summary>
/// An instance keeps what it last wrote to the sets every tip touches, so its next write of such a set reads nothing
/// (docs/triage.md, "The index"); another instance's write in between must make it read again, never lose an entry.
/// </summary>
public sealed class SetWriteCacheTests
{
    [Fact]
    public async Task A_second_write_of_a_chunked_set_by_the_same_instance_is_one_request()
    {
        var account = await SharedAzurite.NewAccountAsync();
        var counter = new RequestCounter();
        using var sets = new TableIndexSets(await TablesAsync(account, counter));
        const string Set = "f.cache-one-request";

        // More entries than one chunk holds, so the set has a head and chunk rows.
        await sets.ApplyAsync([new SetChange(Set, [.. Enumerable.Range(0, 1500).Select(i => new SetEntry(Key(i), null))], [])], default);
        await sets.ApplyAsync([SetChange.Put(Set, Key(5000))], default);
        var before = counter.Count;
        await sets.ApplyAsync([SetChange.Put(Set, Key(5001)), SetChange.Remove(Set, Key(3))], default);

        Assert.Equal(1, counter.Count - before);
        using var reader = new TableIndexSets(await TablesAsync(account));
        var keys = await ReadAllAsync(reader, Set);
        Assert.Equal(1501, keys.Count);
        Assert.Contains(Key(5001), keys);
        Assert.DoesNotContain(Key(3), keys);
    }

    [Fact]
    public async Task Two_instances_writing_the_same_sets_in_turn_and_at_once_lose_nothing()
    {
        var account = await SharedAzurite.NewAccountAsync();
        using var first = new TableIndexSets(await TablesAsync(account));
        using var second = new TableIndexSets(await TablesAsync(account));
        string[] setNames = ["v.cache-shared", "f.cache-shared"];
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        var payload = new string('x', 400); // views split on bytes: a few hundred entries make several chunks

        for (var round = 0; round < 12; round++)
        {
            var writer = round % 2 == 0 ? first : second;
            var added = Enumerable.Range(round * 100, 100).Select(Key).ToList();
            var removed = expected.Where((_, i) => i % 7 == round % 7).Take(10).ToList();
            await writer.ApplyAsync(
                [.. setNames.Select(set => new SetChange(set, [.. added.Select(k => new SetEntry(k, set[0] == 'v' ? payload : null))], removed))], default);
            expected.UnionWith(added);
            expected.ExceptWith(removed);

            // Both at once: one of each pair of transactions fails on the other's ETag and is redone from fresh reads.
            var a = Key(10_000 + round);
            var b = Key(20_000 + round);
            await Task.WhenAll(
                first.ApplyAsync([.. setNames.Select(set => SetChange.Put(set, a, set[0] == 'v' ? payload : null))], default),
                second.ApplyAsync([.. setNames.Select(set => SetChange.Put(set, b, set[0] == 'v' ? payload : null))], default));
            expected.Add(a);
            expected.Add(b);
        }

        using var reader = new TableIndexSets(await TablesAsync(account));
        foreach (var set in setNames)
        {
            Assert.Equal([.. expected], await ReadAllAsync(reader, set));
            Assert.Equal(expected.Count, await reader.CountAsync(set, default));
        }
    }

    [Fact]
    public async Task A_change_that_looks_like_no_change_to_what_this_process_wrote_last_is_checked_against_storage()
    {
        var account = await SharedAzurite.NewAccountAsync();
        using var first = new TableIndexSets(await TablesAsync(account));
        using var second = new TableIndexSets(await TablesAsync(account));
        const string Set = "v.cache-no-change";
        await first.ApplyAsync([SetChange.Put(Set, Key(1), "before")], default);

        // The other instance adds one entry and changes another since the first wrote the set.
        await second.ApplyAsync([SetChange.Put(Set, Key(2), "theirs"), SetChange.Put(Set, Key(1), "theirs")], default);

        // To what the first process wrote last, removing 2 and putting 1 back as it was are no change at all.
        await first.ApplyAsync([SetChange.Remove(Set, Key(2)), SetChange.Put(Set, Key(1), "before")], default);

        using var reader = new TableIndexSets(await TablesAsync(account));
        var cursor = reader.Open(Set);
        Assert.Equal(new SetEntry(Key(1), "before"), await cursor.SeekAsync("", inclusive: true, default));
        Assert.Null(await cursor.SeekAsync(Key(1), inclusive: false, default));
    }

    [Fact]
    public async Task The_count_tally_is_written_without_a_read_and_stays_exact_when_two_instances_take_turns()
    {
        var account = await SharedAzurite.NewAccountAsync();
        var counter = new RequestCounter();
        using var first = new TableIndexSets(await TablesAsync(account, counter));
        using var second = new TableIndexSets(await TablesAsync(account));
        var set = TriageSets.QueueStatus("cache-tally", "new");
        await first.ApplyAsync([SetChange.Put(set, Key(1), "p")], default);
        var before = counter.Count;
        await first.ApplyAsync([SetChange.Put(set, Key(2), "p")], default);

        Assert.Equal(2, counter.Count - before); // the set's transaction and the tally's write, neither read first

        // The other instance writes the set and the tally in between: the first's remembered ETags no longer match.
        await second.ApplyAsync([SetChange.Put(set, Key(3), "p")], default);
        await first.ApplyAsync([SetChange.Put(set, Key(4), "p")], default);
        await second.ApplyAsync([SetChange.Remove(set, Key(1))], default);
        await first.ApplyAsync([SetChange.Put(set, Key(5), "p")], default);

        using var reader = new TableIndexSets(await TablesAsync(account));
        Assert.Equal(4, (await reader.ReadTallyAsync(default))[set]);
        Assert.Equal(4, await reader.CountAsync(set, default));
    }

    private static string Key(int i) => i.ToString("D8", CultureInfo.InvariantCulture);

    private static async Task<List<string>> ReadAllAsync(TableIndexSets sets, string set)
    {
        var keys = new List<string>();
        var cursor = sets.Open(set);
        var (from, inclusive) = ("", true);
        while (await cursor.SeekAsync(from, inclusive, default) is { } entry)
        {
            keys.Add(entry.Key);
            (from, inclusive) = (entry.Key, false);
        }

        return keys;
    }

    private static async Task<TableServiceClient> TablesAsync(string account, RequestCounter? counter = null)
    {
        var options = new TableClientOptions();
        if (counter is not null)
        {
            options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        }

        var tables = new TableServiceClient(account, options);
        await tables.CreateTableIfNotExistsAsync(StorageNames.IndexTable);
        return tables;
    }

    /// <summary>Counts the requests sent to storage (each try of each call).</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }
}
