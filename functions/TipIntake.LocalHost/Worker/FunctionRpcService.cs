using Grpc.Core;

namespace TipIntake.LocalHost.Worker;

/// <summary>
/// The host side of <c>FunctionRpc.EventStream</c>: a worker opens the stream with <c>StartStream</c> naming the worker
/// id it was started with, and the stream is handed to the <see cref="WorkerChannel"/> waiting for that id. A stream
/// from a worker nobody started is closed at once.
/// </summary>
internal sealed class FunctionRpcService(WorkerChannels channels) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(context);
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false)
            || requestStream.Current.StartStream is not { } start
            || !channels.TryTake(start.WorkerId, out var channel))
        {
            return;
        }

        await channel.RunAsync(requestStream, responseStream, context.CancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The channels of workers started but not yet connected, by worker id.</summary>
internal sealed class WorkerChannels
{
    private readonly ConcurrentDictionary<string, WorkerChannel> _expected = new(StringComparer.Ordinal);

    public void Expect(WorkerChannel channel) => _expected[channel.WorkerId] = channel;

    public void Forget(WorkerChannel channel) => _expected.TryRemove(channel.WorkerId, out _);

    public bool TryTake(string workerId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WorkerChannel? channel) =>
        _expected.TryRemove(workerId, out channel);
}
