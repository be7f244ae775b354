using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using TipIntake.Core.Intake;
using TipIntake.Infrastructure.FloodControl;
using TipIntake.Infrastructure.Storage;
using TipIntake.Testing;

namespace TipIntake.IntegrationTests.FloodControl;

/// <summary>
/// Spent stamps written by group commit on Azurite (docs/flood-control.md, "Shared state"): concurrent spends of one
/// expiry slot share one transaction, and each still answers as if it had been the only insert — spent once, a replay
/// refused, a storage failure a failure for every spend in the transaction. Table writes go through a proxy that can
/// hold them, so that the spends made meanwhile are known to queue behind the one in flight.
/// </summary>
public sealed class StampSpendBatchTests : IAsyncLifetime, IDisposable
{
    private readonly ManualResetEventSlim _writesHeld = new(initialState: false);
    private readonly DateTimeOffset _expiresAt = DateTimeOffset.UtcNow.AddMinutes(5);
    private TableServiceClient _tables = null!;
    private StorageFaultProxy _proxy = null!;
    private TableFloodStore _store = null!;
    private int _writes;

    [Fact]
    public async Task Concurrent_spends_of_distinct_nonces_are_all_spent_in_a_few_transactions()
    {
        var nonces = NewNonces(300);

        var spends = Spend(_store, nonces);
        _writesHeld.Set();

        Assert.All(await Task.WhenAll(spends), Assert.True);
        Assert.Equal(nonces.Select(Key).Order(), (await SpentKeysAsync()).Order());
        Assert.InRange(_writes, 3, 4); // the first write, then the 299 or fewer that queued behind it in transactions of 100
    }

    [Fact]
    public async Task The_same_nonce_spent_many_times_at_once_is_spent_once()
    {
        var nonces = NewNonces(11);

        // The first write is held; behind it, one nonce twenty times among ten others.
        var first = _store.TrySpendAsync(nonces[0], _expiresAt, CancellationToken.None);
        var others = Spend(_store, nonces.Skip(1));
        var replays = Spend(_store, Enumerable.Repeat(nonces[5], 20));
        _writesHeld.Set();

        Assert.True(await first);
        Assert.All(await Task.WhenAll(others), Assert.True);
        Assert.All(await Task.WhenAll(replays), Assert.False);
        Assert.Equal(nonces.Select(Key).Order(), (await SpentKeysAsync()).Order());
    }

    [Fact]
    public async Task A_nonce_spent_on_another_instance_is_refused_within_a_transaction_and_the_rest_are_spent()
    {
        var other = new TableFloodStore(_tables, TimeProvider.System);
        var nonces = NewNonces(22);
        Assert.True(await other.TrySpendAsync(nonces[1], _expiresAt, CancellationToken.None));

        // Whatever the first write takes, the replay (second of 22) goes in a transaction with at least one new nonce.
        var spends = Spend(_store, nonces);
        _writesHeld.Set();
        var spent = await Task.WhenAll(spends);

        Assert.False(spent[1]);
        Assert.All(spent.Where((_, i) => i != 1), Assert.True);
        Assert.Equal(nonces.Select(Key).Order(), (await SpentKeysAsync()).Order());
        Assert.InRange(_writes, 2, 3); // the first write, and behind it the transaction refused and its rest sent again
    }

    [Fact]
    public async Task When_storage_fails_every_spend_in_the_transaction_is_told_storage_is_unavailable_and_none_is_spent()
    {
        var failing = _proxy.Add(new StorageFault { Matches = IsWrite, Status = System.Net.HttpStatusCode.ServiceUnavailable, ErrorCode = "ServerBusy" });
        var failingStore = new TableFloodStore(new TableServiceClient(_proxy.ConnectionString, new TableClientOptions { Retry = { MaxRetries = 0 } }), TimeProvider.System);
        var nonces = NewNonces(30);

        var spends = Spend(failingStore, nonces);
        _writesHeld.Set();

        foreach (var spend in spends)
        {
            await Assert.ThrowsAsync<StorageUnavailableException>(() => spend);
        }

        Assert.InRange(failing.Applied, 1, 2); // the first write, and one transaction for all behind it
        Assert.Empty(await SpentKeysAsync());
        failing.Enabled = false;
        Assert.All(await Task.WhenAll(Spend(failingStore, nonces)), Assert.True);
    }

    [Fact]
    public async Task A_transaction_whose_answer_was_lost_and_that_was_sent_again_is_still_the_spenders_own()
    {
        var lostAnswer = _proxy.Add(new StorageFault { Matches = IsTransaction, Kind = StorageFaultKind.Duplicate, Limit = 1 });
        var nonces = NewNonces(12);

        var spends = Spend(_store, nonces);
        _writesHeld.Set();

        Assert.All(await Task.WhenAll(spends), Assert.True);
        Assert.Equal(1, lostAnswer.Applied);
        Assert.All(await Task.WhenAll(Spend(_store, nonces)), Assert.False);
    }

    [Fact]
    public async Task A_spender_that_stops_waiting_leaves_the_others_transaction_alone()
    {
        var nonces = NewNonces(10);
        using var leaving = new CancellationTokenSource();

        var first = _store.TrySpendAsync(nonces[0], _expiresAt, CancellationToken.None);
        var left = _store.TrySpendAsync(nonces[1], _expiresAt, leaving.Token);
        var stayed = Spend(_store, nonces.Skip(2));
        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => left.WaitAsync(TimeSpan.FromSeconds(30)));
        _writesHeld.Set();

        Assert.True(await first);
        Assert.All(await Task.WhenAll(stayed), Assert.True);
        var spentKeys = await SpentKeysAsync();
        Assert.Subset(spentKeys.ToHashSet(), nonces.Where((_, i) => i != 1).Select(Key).ToHashSet());
    }

    /// <summary>A fresh account's flood table, and a proxy to it that holds every table write until <see cref="_writesHeld"/> is set (counting them).</summary>
    public async Task InitializeAsync()
    {
        var connection = await SharedAzurite.NewAccountAsync();
        _tables = new TableServiceClient(connection);
        await _tables.GetTableClient(StorageNames.FloodControlTable).CreateIfNotExistsAsync();
        _proxy = await StorageFaultProxy.StartAsync(connection);
        _proxy.Add(new StorageFault
        {
            Matches = request =>
            {
                if (IsWrite(request))
                {
                    Interlocked.Increment(ref _writes);
                    _writesHeld.Wait();
                }

                return false;
            },
        });
        _store = new TableFloodStore(new TableServiceClient(_proxy.ConnectionString), TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        _writesHeld.Set(); // never leave the proxy holding a request
        await _proxy.DisposeAsync();
    }

    public void Dispose() => _writesHeld.Dispose();

    private List<Task<bool>> Spend(TableFloodStore store, IEnumerable<UInt128> nonces) =>
        [.. nonces.Select(nonce => store.TrySpendAsync(nonce, _expiresAt, CancellationToken.None))];

    private static bool IsTransaction(HttpRequest request) =>
        request.Method == "POST" && (request.Path.Value ?? "").EndsWith("/$batch", StringComparison.Ordinal);

    private static bool IsWrite(HttpRequest request) => IsTransaction(request) || StorageFault.WritesTo(StorageNames.FloodControlTable)(request);

    private static List<UInt128> NewNonces(int count) =>
        [.. Enumerable.Range(0, count).Select(_ => new UInt128((ulong)Random.Shared.NextInt64(), (ulong)Random.Shared.NextInt64()))];

    private static string Key(UInt128 nonce) => nonce.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<List<string>> SpentKeysAsync()
    {
        var keys = new List<string>();
        await foreach (var row in _tables.GetTableClient(StorageNames.FloodControlTable)
            .QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {"spent-"} and PartitionKey lt {"spent."}"), select: ["RowKey"]))
        {
            keys.Add(row.RowKey);
        }

        return keys;
    }
}
