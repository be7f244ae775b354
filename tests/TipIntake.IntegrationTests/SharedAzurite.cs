using System.Collections.Concurrent;
using TipIntake.LocalHost.Azurite;

namespace TipIntake.IntegrationTests;

/// <summary>
/// Azurite for the whole test run (it is single-threaded and slow to start), in memory, on ports the OS chose.
/// Each test takes a storage account of its own, so fixed queue and table names never collide between tests. An
/// instance holds <see cref="AccountsPerInstance"/> accounts; when they are all taken, the next instance starts.
/// </summary>
public static class SharedAzurite
{
    private const int AccountsPerInstance = 48;
    private static readonly ConcurrentDictionary<int, Lazy<Task<AzuriteProcess>>> Instances = new();
    private static int _nextAccount = -1;

    /// <summary>A connection string for an account no other test uses.</summary>
    public static async Task<string> NewAccountAsync()
    {
        var account = Interlocked.Increment(ref _nextAccount);
        var instance = account / AccountsPerInstance;
        var azurite = await Instances.GetOrAdd(instance, _ => new Lazy<Task<AzuriteProcess>>(StartAsync)).Value;
        return azurite.ConnectionString(AccountName(account % AccountsPerInstance));
    }

    private static string AccountName(int index) => $"testaccount{index:D2}";

    private static async Task<AzuriteProcess> StartAsync()
    {
        var azurite = await AzuriteProcess.StartAsync(Enumerable.Range(0, AccountsPerInstance).Select(AccountName).ToArray(), location: null);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return azurite;
    }
}
