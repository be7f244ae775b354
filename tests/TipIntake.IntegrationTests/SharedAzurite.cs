using TipIntake.LocalHost.Azurite;

namespace TipIntake.IntegrationTests;

/// <summary>
/// One Azurite for the whole test run (it is single-threaded and slow to start), in memory, on ports the OS chose.
/// Each test takes an account of its own, so fixed queue and table names never collide between tests.
/// </summary>
public static class SharedAzurite
{
    private const int AccountCount = 40;
    private static readonly Lazy<Task<AzuriteProcess>> Instance = new(StartAsync);
    private static int _nextAccount = -1;

    /// <summary>A connection string for an account no other test uses.</summary>
    public static async Task<string> NewAccountAsync()
    {
        var azurite = await Instance.Value;
        var index = Interlocked.Increment(ref _nextAccount);
        if (index >= AccountCount)
        {
            throw new InvalidOperationException($"All {AccountCount} Azurite accounts are taken; raise {nameof(AccountCount)}.");
        }

        return azurite.ConnectionString(AccountName(index));
    }

    private static string AccountName(int index) => $"testaccount{index:D2}";

    private static async Task<AzuriteProcess> StartAsync()
    {
        var azurite = await AzuriteProcess.StartAsync(Enumerable.Range(0, AccountCount).Select(AccountName).ToArray(), location: null);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return azurite;
    }
}
