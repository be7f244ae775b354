namespace TipIntake.Infrastructure.Staff;

/// <summary>
/// The HTTP client that fetches the tenant's OpenID Connect metadata and signing keys (JWKS). One per process; tests
/// replace it with one over an in-process fake of Entra ID.
/// </summary>
public sealed class EntraIdMetadataClient : IDisposable
{
    public EntraIdMetadataClient()
        : this(new HttpClientHandler(), disposeHandler: true)
    {
    }

    public EntraIdMetadataClient(HttpMessageHandler handler, bool disposeHandler = false)
    {
        HttpClient = new HttpClient(handler, disposeHandler)
        {
            Timeout = TimeSpan.FromSeconds(10),
            MaxResponseContentBufferSize = 1024 * 1024,
        };
    }

    public HttpClient HttpClient { get; }

    public void Dispose() => HttpClient.Dispose();
}
