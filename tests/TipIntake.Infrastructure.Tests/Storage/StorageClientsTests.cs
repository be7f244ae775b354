using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Infrastructure.Tests.Storage;

public sealed class StorageClientsTests
{
    /// <summary>
    /// The Azure SDK's own event logs name the URL of every request, and a table row's URL holds its keys (a tip id):
    /// registering the clients must not forward them into the app's logs, which reach Application Insights.
    /// </summary>
    [Fact]
    public async Task Failed_storage_requests_leave_nothing_in_the_logs()
    {
        var categories = new ConcurrentBag<string>();
        var port = UnusedPort();
        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};"
            + $"QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [StorageNames.Connection] = connection })
            .Build();
        await using var provider = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new CategoryRecorder(categories)))
            .AddStorageClients(configuration)
            .BuildServiceProvider();

        var tables = provider.GetRequiredService<TableServiceClient>();
        await Assert.ThrowsAnyAsync<Exception>(() =>
            tables.GetTableClient("Tips").GetEntityAsync<TableEntity>("secret-partition", "secret-row"));
        var queues = provider.GetRequiredService<QueueServiceClient>();
        await Assert.ThrowsAnyAsync<Exception>(() => queues.GetQueueClient("tips-inbound").SendMessageAsync("x"));

        Assert.DoesNotContain(categories, category => category.StartsWith("Azure", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Identity_based_settings_without_a_service_uri_say_what_to_set()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"{StorageNames.Connection}:credential"] = "managedidentity" })
            .Build();
        await using var provider = new ServiceCollection().AddLogging().AddStorageClients(configuration).BuildServiceProvider();

        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<TableServiceClient>());

        Assert.Contains("tableServiceUri", error.ToString(), StringComparison.Ordinal);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class CategoryRecorder(ConcurrentBag<string> categories) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, categories);

        public void Dispose()
        {
        }

        private sealed class Recorder(string category, ConcurrentBag<string> categories) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                categories.Add(category + ": " + formatter(state, exception));
        }
    }
}
