using System.Reflection;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.WebJobs;
using TipIntake.Functions.Functions;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.LocalHost.Hosting;

/// <summary>
/// The queue functions as the WebJobs SDK sees them. WebJobs needs its own trigger attributes, so each method is a
/// one-line adapter that hands the message to the very same function class the Functions host runs.
/// </summary>
public sealed class QueueFunctionAdapters(IServiceScopeFactory scopes)
{
    [FunctionName(nameof(ProcessTip))]
    public Task ProcessTipAsync(
        [QueueTrigger(StorageNames.InboundQueue, Connection = StorageNames.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        InvokeAsync<ProcessTip>(function => function.Run(message, cancellationToken));

    [FunctionName(nameof(ProcessBulkTip))]
    public Task ProcessBulkTipAsync(
        [QueueTrigger(StorageNames.BulkQueue, Connection = StorageNames.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        InvokeAsync<ProcessBulkTip>(function => function.Run(message, cancellationToken));

    [FunctionName(nameof(QuarantineBulkPoison))]
    public Task QuarantineBulkPoisonAsync(
        [QueueTrigger(StorageNames.BulkPoisonQueue, Connection = StorageNames.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        InvokeAsync<QuarantineBulkPoison>(function => function.Run(message, cancellationToken));

    [FunctionName(nameof(QuarantinePoison))]
    public Task QuarantinePoisonAsync(
        [QueueTrigger(StorageNames.PoisonQueue, Connection = StorageNames.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        InvokeAsync<QuarantinePoison>(function => function.Run(message, cancellationToken));

    internal static IEnumerable<ServedFunction> Describe() =>
        from method in typeof(QueueFunctionAdapters).GetMethods()
        let name = method.GetCustomAttribute<FunctionNameAttribute>()
        where name is not null
        let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<QueueTriggerAttribute>()).Single(a => a is not null)!
        select new ServedFunction(name.Name, "queueTrigger", QueueName: trigger.QueueName, Connection: trigger.Connection);

    private async Task InvokeAsync<TFunction>(Func<TFunction, Task> run)
        where TFunction : notnull
    {
        await using var scope = scopes.CreateAsyncScope();
        await run(scope.ServiceProvider.GetRequiredService<TFunction>());
    }
}
