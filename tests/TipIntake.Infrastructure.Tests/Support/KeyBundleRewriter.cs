using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core.Pipeline;

namespace TipIntake.Infrastructure.Tests.Support;

/// <summary>
/// Sits in front of a vault (a <c>FakeKeyVault</c>) and rewrites its successful key bundles, to serve shapes the fake
/// does not produce itself (a modulus with a leading zero byte, an EC key); or, with <see cref="Throw"/>, fails every
/// request at the transport.
/// </summary>
internal sealed class KeyBundleRewriter(HttpMessageHandler vault, Action<JsonObject> rewrite) : DelegatingHandler(vault)
{
    public Exception? Throw { get; set; }

    /// <summary>When set, every request is answered with this status and body instead of reaching the vault.</summary>
    public (HttpStatusCode Status, string ContentType, string Body)? Answer { get; set; }

    public HttpClientTransport Transport() => new(new HttpClient(this, disposeHandler: false));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Throw is { } exception)
        {
            throw exception;
        }

        if (Answer is { } answer)
        {
            return new HttpResponseMessage(answer.Status) { Content = new StringContent(answer.Body, Encoding.UTF8, answer.ContentType) };
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode || request.Method != HttpMethod.Get)
        {
            return response;
        }

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!.AsObject();
        if (body["key"] is not JsonObject key)
        {
            return response; // a list of versions carries no key material to rewrite
        }

        rewrite(key);
        response.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return response;
    }
}
