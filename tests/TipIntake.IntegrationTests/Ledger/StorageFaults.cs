using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TipIntake.IntegrationTests.Ledger;

/// <summary>
/// A pipeline policy on the WebJobs storage clients of one processing host (its queue listeners, in the local host's
/// process). <see cref="Kill"/> makes the listeners vanish as far as storage can tell: from that moment none of their
/// requests arrives (no delete, no release of a message), as if the process had been killed — the test kills the
/// worker process itself with SIGKILL at the same moment. <see cref="InFlightLease"/> shortens the lease WebJobs takes
/// on the messages it receives (see remarks).
/// </summary>
/// <remarks>
/// WebJobs' queue listener receives messages with a visibility timeout hard-coded to 10 minutes
/// (<c>QueueListener._visibilityTimeout</c>, renewed every 5 minutes while the function runs) and no setting changes
/// it: <c>extensions.queues.visibilityTimeout</c> is only the delay before a failed message is retried. A message held
/// by a killed instance therefore comes back after at most 10 minutes in Azure. To see that redelivery within the
/// test, this policy rewrites <c>visibilitytimeout=600</c> on receive and renew requests to a few seconds; it runs
/// before the request is signed.
/// </remarks>
internal sealed class StorageFaults : HttpPipelineSynchronousPolicy
{
    private const string WebJobsLease = "visibilitytimeout=600";
    private volatile bool _killed;

    public TimeSpan? InFlightLease { get; init; }

    public bool Killed => _killed;

    public void Kill() => _killed = true;

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_killed)
        {
            throw new RequestFailedException("Simulated: the processing host was killed.");
        }

        if (InFlightLease is { } lease && message.Request.Uri.Query.Contains(WebJobsLease, StringComparison.Ordinal))
        {
            message.Request.Uri.Query = message.Request.Uri.Query.Replace(
                WebJobsLease, $"visibilitytimeout={(int)lease.TotalSeconds}", StringComparison.Ordinal);
        }
    }

    /// <summary>Puts this policy on WebJobs' storage clients.</summary>
    public void ApplyTo(IServiceCollection services)
    {
        var original = services.Last(d => d.ServiceType == typeof(AzureComponentFactory));
        services.AddSingleton<AzureComponentFactory>(provider => new Factory(Resolve(original, provider), this));
    }

    private static AzureComponentFactory Resolve(ServiceDescriptor descriptor, IServiceProvider provider) => (AzureComponentFactory)(
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));

    /// <summary>WebJobs makes its queue (and blob) client options through this factory: the policy is added there.</summary>
    private sealed class Factory(AzureComponentFactory inner, StorageFaults faults) : AzureComponentFactory
    {
        public override TokenCredential CreateTokenCredential(IConfiguration configuration) => inner.CreateTokenCredential(configuration);

        public override object CreateClientOptions(Type optionsType, object? serviceVersion, IConfiguration configuration)
        {
            var options = inner.CreateClientOptions(optionsType, serviceVersion!, configuration);
            (options as ClientOptions)?.AddPolicy(faults, HttpPipelinePosition.PerCall);
            return options;
        }

        public override object CreateClient(Type clientType, IConfiguration configuration, TokenCredential? credential, object clientOptions) =>
            inner.CreateClient(clientType, configuration, credential!, clientOptions);
    }
}

/// <summary>
/// WebJobs' default handler rethrows an unhandled listener exception on a new thread, which ends the process (the
/// Functions host instead stops and restarts the host). A storage request that fails while WebJobs releases a message
/// is such an exception; here it must not end the test run, so it is counted and the message left to its lease.
/// </summary>
internal sealed class CountingExceptionHandler : Microsoft.Azure.WebJobs.Host.Timers.IWebJobsExceptionHandlerFactory,
    Microsoft.Azure.WebJobs.Host.Timers.IWebJobsExceptionHandler
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public Microsoft.Azure.WebJobs.Host.Timers.IWebJobsExceptionHandler Create(Microsoft.Extensions.Hosting.IHost jobHost) => this;

    public Task OnTimeoutExceptionAsync(System.Runtime.ExceptionServices.ExceptionDispatchInfo exceptionInfo, TimeSpan timeoutGracePeriod)
    {
        Interlocked.Increment(ref _count);
        return Task.CompletedTask;
    }

    public Task OnUnhandledExceptionAsync(System.Runtime.ExceptionServices.ExceptionDispatchInfo exceptionInfo)
    {
        Interlocked.Increment(ref _count);
        return Task.CompletedTask;
    }
}
