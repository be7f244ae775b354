using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace TipIntake.LocalHost.Http;

/// <summary>
/// One HTTP invocation, as the Functions host makes it with the ASP.NET Core integration: an <c>InvocationRequest</c>
/// naming the function (its HTTP input empty), and the client's request itself forwarded to the worker's
/// <c>HttpUri</c> with YARP's <see cref="IHttpForwarder"/> and the header <c>x-ms-invocation-id</c> that ties the two
/// together. The worker's answer streams back to the client as it comes. When the worker cannot be reached the client
/// gets a 503 problem with Retry-After at once; a body the client breaks or sends too slowly gets 400 or 408, one over
/// the server's size limit 413.
/// </summary>
internal sealed partial class WorkerRequestForwarder : IDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";

    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(240) };
    private readonly WorkerHandle _worker;
    private readonly IHttpForwarder _forwarder;
    private readonly ILogger _logger;
    private readonly HttpMessageInvoker _client;

    public WorkerRequestForwarder(WorkerHandle worker, IHttpForwarder forwarder, ILogger<WorkerRequestForwarder> logger)
    {
        _worker = worker;
        _forwarder = forwarder;
        _logger = logger;
        _client = new HttpMessageInvoker(new WorkerConnectRetry(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromSeconds(10),

            // Header values go on as the client sent them (Kestrel reads them as UTF-8); the worker's server judges them.
            RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8,
        }));
    }

    public async Task ForwardAsync(HttpContext context, WorkerFunction function)
    {
        var worker = _worker.Worker;
        Uri httpUri;
        try
        {
            httpUri = worker.HttpUri;
        }
        catch (WorkerUnavailableException)
        {
            await HostProblems.WorkerUnavailableAsync(context);
            return;
        }

        var invocationId = Guid.NewGuid().ToString();
        context.Request.Headers[InvocationIdHeader] = invocationId;
        var input = new ParameterBinding { Name = function.TriggerName, Data = new TypedData { Http = new RpcHttp() } };

        // Route values are binding data, as the Functions host sends them: a parameter such as `string id` binds from them.
        // (It also sends the headers and the query; nothing here binds to those, and they stay out of the message.)
        var routeValues = context.Request.RouteValues
            .Where(pair => pair.Value is not null)
            .Select(pair => KeyValuePair.Create(pair.Key, new TypedData { String = Convert.ToString(pair.Value, System.Globalization.CultureInfo.InvariantCulture) }));
        var invocation = worker.InvokeAsync(function.Name, invocationId, input, routeValues, CancellationToken.None);
        if (invocation.IsFaulted)
        {
            await HostProblems.WorkerUnavailableAsync(context);
            ObserveOutcome(invocation, invocationId, function.Name);
            return;
        }

        var error = await _forwarder.SendAsync(context, httpUri.ToString(), _client, RequestConfig, WorkerRequestTransformer.Instance);
        ObserveOutcome(invocation, invocationId, function.Name);
        if (error == ForwarderError.None)
        {
            return;
        }

        Log.ForwardingFailed(_logger, function.Name, error.ToString());
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        await (error switch
        {
            ForwarderError.RequestBodyClient when exception is BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout }
                || exception?.InnerException is BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } =>
                HostProblems.WriteAsync(context, StatusCodes.Status408RequestTimeout, "request-timeout", "Request timeout", "The request body came too slowly."),
            // Over the server's own request size limit (Kestrel: 30 MB), as the Functions host has one (100 MB).
            ForwarderError.RequestBodyClient when exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
                || exception?.InnerException is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                HostProblems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "too-large", "Request body too large", "The request body is larger than this service accepts."),
            ForwarderError.RequestBodyClient =>
                HostProblems.WriteAsync(context, StatusCodes.Status400BadRequest, "unreadable-body", "Unreadable body", "The request body could not be read."),
            _ => HostProblems.WorkerUnavailableAsync(context),
        });
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The invocation's own outcome arrives after the HTTP answer; it only matters for the log.</summary>
    private void ObserveOutcome(Task<InvocationResponse> invocation, string invocationId, string function) =>
        _ = invocation.ContinueWith(
            completed => Log.InvocationDone(
                _logger,
                invocationId,
                function,
                completed.IsCompletedSuccessfully
                    ? $"{completed.Result.Result?.Status.ToString() ?? "no status"} {completed.Result.Result?.Exception?.Type}: {completed.Result.Result?.Exception?.Message}"
                    : completed.Exception?.InnerException?.GetType().Name ?? "canceled"),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private static partial class Log
    {
        [LoggerMessage(9007, LogLevel.Warning, "Forwarding a request to function {Function} failed: {Error}")]
        public static partial void ForwardingFailed(ILogger logger, string function, string error);

        [LoggerMessage(9008, LogLevel.Debug, "Invocation {InvocationId} of {Function} answered {Status}")]
        public static partial void InvocationDone(ILogger logger, string invocationId, string function, string status);
    }
}

/// <summary>The running worker, set once it has started (services are built before it starts).</summary>
public sealed class WorkerHandle
{
    private FunctionsWorker? _worker;

    public FunctionsWorker Worker => _worker ?? throw new WorkerUnavailableException("The Functions worker has not started yet.");

    internal void Set(FunctionsWorker worker) => _worker = worker;
}
