using System.Threading.Channels;
using Grpc.Core;

namespace TipIntake.LocalHost.Worker;

/// <summary>
/// One worker's event stream, seen from the host: messages to the worker are queued and written in order; answers are
/// matched to what asked for them (init and metadata by request id, loads by function id, invocations by invocation
/// id); logs go to <see cref="WorkerLogs"/>. When the stream ends, everything still waiting fails with
/// <see cref="WorkerUnavailableException"/>, so no caller waits for a worker that is gone.
/// </summary>
internal sealed class WorkerChannel(string workerId, WorkerLogs logs)
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _waiting = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _running = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string WorkerId => workerId;

    /// <summary>Completes when the worker has opened its stream (StartStream).</summary>
    public Task Connected => _connected.Task;

    /// <summary>Completes when the stream has ended, for whatever reason.</summary>
    public Task Closed => _closed.Task;

    public Task<StreamingMessage> RequestAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        message.RequestId = Guid.NewGuid().ToString();
        return SendAsync(message, "request:" + message.RequestId, cancellationToken);
    }

    public Task<StreamingMessage> LoadAsync(FunctionLoadRequest load, CancellationToken cancellationToken) =>
        SendAsync(new StreamingMessage { FunctionLoadRequest = load }, "load:" + load.FunctionId, cancellationToken);

    /// <summary>Sends an invocation and waits for its response; logs the worker writes meanwhile are attributed to <paramref name="functionName"/>.</summary>
    public async Task<InvocationResponse> InvokeAsync(InvocationRequest invocation, string functionName, CancellationToken cancellationToken)
    {
        _running[invocation.InvocationId] = functionName;
        try
        {
            var response = await SendAsync(new StreamingMessage { InvocationRequest = invocation }, "invocation:" + invocation.InvocationId, cancellationToken).ConfigureAwait(false);
            return response.InvocationResponse;
        }
        finally
        {
            _running.TryRemove(invocation.InvocationId, out _);
        }
    }

    /// <summary>Queues a message that has no answer (WorkerTerminate).</summary>
    public void Post(StreamingMessage message)
    {
        if (!_outbound.Writer.TryWrite(message))
        {
            throw new WorkerUnavailableException("The Functions worker's stream is closed.");
        }
    }

    /// <summary>Runs the stream until either side ends it.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> input, IServerStreamWriter<StreamingMessage> output, CancellationToken cancellationToken)
    {
        _connected.TrySetResult();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writing = WriteAsync(output, stop.Token);
        try
        {
            while (await input.MoveNext(stop.Token).ConfigureAwait(false))
            {
                Dispatch(input.Current);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or Grpc.Core.RpcException or InvalidOperationException)
        {
            // The worker went away, or the host is stopping: the same for everyone waiting.
        }
        finally
        {
            Close();
            await stop.CancelAsync().ConfigureAwait(false);
            await writing.ConfigureAwait(false);
        }
    }

    /// <summary>Ends the channel from this side: nothing more is sent, and everything still waiting fails.</summary>
    public void Close()
    {
        _outbound.Writer.TryComplete();
        foreach (var key in _waiting.Keys)
        {
            if (_waiting.TryRemove(key, out var waiter))
            {
                waiter.TrySetException(new WorkerUnavailableException("The Functions worker's stream ended before it answered."));
            }
        }

        _connected.TrySetCanceled();
        _closed.TrySetResult();
    }

    private async Task<StreamingMessage> SendAsync(StreamingMessage message, string key, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[key] = answer;
        try
        {
            if (!_outbound.Writer.TryWrite(message) || _closed.Task.IsCompleted)
            {
                throw new WorkerUnavailableException("The Functions worker's stream is closed.");
            }

            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _waiting.TryRemove(key, out _);
        }
    }

    private async Task WriteAsync(IServerStreamWriter<StreamingMessage> output, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await output.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The stream is gone; RunAsync closes the channel.
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        var key = message.ContentCase switch
        {
            StreamingMessage.ContentOneofCase.RpcLog => null,
            StreamingMessage.ContentOneofCase.FunctionLoadResponse => "load:" + message.FunctionLoadResponse.FunctionId,
            StreamingMessage.ContentOneofCase.InvocationResponse => "invocation:" + message.InvocationResponse.InvocationId,
            _ => "request:" + message.RequestId,
        };
        if (key is null)
        {
            var log = message.RpcLog;
            logs.Write(log, _running.GetValueOrDefault(log.InvocationId));
        }
        else if (_waiting.TryGetValue(key, out var waiter))
        {
            waiter.TrySetResult(message);
        }
    }
}
