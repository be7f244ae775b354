using Microsoft.Net.Http.Headers;

namespace TipIntake.LocalHost.Hosting;

/// <summary>The body of <c>POST /dev/token</c>: the app roles and display name of the development staff member.</summary>
internal sealed record DevelopmentTokenRequest(
    [property: JsonPropertyName("roles")] IReadOnlyList<string>? Roles,
    [property: JsonPropertyName("name")] string? Name);

/// <summary>An OAuth-style token answer (RFC 6749 §5.1 names).</summary>
internal sealed record DevelopmentTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);

[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(DevelopmentTokenRequest))]
[JsonSerializable(typeof(DevelopmentTokenResponse))]
internal sealed partial class DevelopmentTokenJsonContext : JsonSerializerContext;

/// <summary>
/// <c>POST /dev/token</c>: the local sign-in of the triage page, in the Development environment only. Elsewhere every
/// path under <c>/dev/</c> answers 404 (mapped explicitly, because the reporter site's catch-all GET route would
/// otherwise turn a POST into 405). The signing key lives in this process only; the worker is given its public half
/// (<see cref="DevelopmentTokenTrust"/>). See docs/staff-auth.md.
/// </summary>
internal static partial class DevelopmentTokenEndpoint
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^127\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$")]
    private static partial System.Text.RegularExpressions.Regex LoopbackV4();

    public const string Route = "/dev/token";
    public const string DefaultName = "Dev User";
    private const int MaxBodyBytes = 4 * 1024;

    public static void MapDevelopmentSignIn(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.MapPost(Route, IssueAsync);
        }
        else
        {
            app.Map("/dev/{**rest}", (RequestDelegate)(context => WriteProblemAsync(context, StatusCodes.Status404NotFound, "not-found", "No such resource")));
        }
    }

    private static async Task IssueAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsLoopbackHost(request.Host))
        {
            // A web page can rebind its own name to 127.0.0.1 (DNS rebinding) and then call this endpoint as "same
            // origin": its requests still say its name in Host. Only names that cannot be rebound are answered.
            await WriteProblemAsync(context, StatusCodes.Status403Forbidden, "not-loopback",
                "The development sign-in answers only requests addressed to this machine by a loopback name: localhost, 127.0.0.1 or [::1].");
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            // Also keeps a cross-site form from asking: application/json needs a CORS preflight, which nothing here answers.
            await WriteProblemAsync(context, StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Send the body as application/json.");
            return;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            await RefuseTooLargeAsync(context);
            return;
        }

        // A chunked body announces no length: Kestrel counts it as it arrives and stops at the limit (it throws a 413
        // BadHttpRequestException), so no more than the limit is ever read or buffered.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxBodyBytes;
        }

        DevelopmentTokenRequest? body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (buffer.Length > MaxBodyBytes)
            {
                await RefuseTooLargeAsync(context);
                return;
            }

            body = buffer.Length == 0
                ? new DevelopmentTokenRequest(null, null)
                : JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), DevelopmentTokenJsonContext.Default.DevelopmentTokenRequest);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await RefuseTooLargeAsync(context);
            return;
        }
        catch (IOException ex)
        {
            // Broken framing or a body too slow for Kestrel's MinRequestBodyDataRate: the client's fault, not a 500.
            var status = ex is BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } ? StatusCodes.Status408RequestTimeout : StatusCodes.Status400BadRequest;
            await WriteProblemAsync(context, status, status == StatusCodes.Status408RequestTimeout ? "request-timeout" : "unreadable-body", "The request body could not be read.");
            return;
        }
        catch (JsonException)
        {
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "malformed-json", """Send {"roles":["TipTriage.Reader"|"TipTriage.Editor"],"name":"…"}.""");
            return;
        }

        var roles = body?.Roles ?? [];
        var name = string.IsNullOrWhiteSpace(body?.Name) ? DefaultName : body.Name.Trim();
        if (roles.Any(role => role is null || !DevelopmentTokenIssuer.IsAppRole(role)))
        {
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "unknown-role", "Roles may only be TipTriage.Reader and TipTriage.Editor.");
            return;
        }

        if (name.Length > DevelopmentTokenIssuer.MaxNameLength)
        {
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "name-too-long", $"The name may have at most {DevelopmentTokenIssuer.MaxNameLength} characters.");
            return;
        }

        var token = context.RequestServices.GetRequiredService<DevelopmentTokenIssuer>().Issue(name, roles);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        HostProblems.ApplySecurityHeaders(response);
        response.Headers.Pragma = "no-cache";
        await JsonSerializer.SerializeAsync(
            response.Body,
            new DevelopmentTokenResponse(token.AccessToken, "Bearer", (int)token.ExpiresIn.TotalSeconds),
            DevelopmentTokenJsonContext.Default.DevelopmentTokenResponse,
            context.RequestAborted);
    }

    /// <summary>
    /// <c>localhost</c> and <c>*.localhost</c> (RFC 6761: browsers resolve them to loopback themselves, never through DNS)
    /// and loopback address literals. Any other name, even one that resolves to 127.0.0.1 now, is refused.
    /// </summary>
    internal static bool IsLoopbackHost(HostString host)
    {
        var name = host.Host;
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // Loopback literals: 127.0.0.0/8 and [::1]. (Written out: this project reads no address API, see FloodControlTests.)
        return name == "[::1]" || LoopbackV4().IsMatch(name);
    }

    /// <summary>413, and the connection closed after it: the client cannot keep this process reading what it refused.</summary>
    private static Task RefuseTooLargeAsync(HttpContext context)
    {
        var response = context.Response;
        response.OnStarting(() =>
        {
            response.Headers.Connection = "close";
            return Task.CompletedTask;
        });
        return WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "too-large", $"The body may have at most {MaxBodyBytes} bytes.");
    }

    private static Task WriteProblemAsync(HttpContext context, int status, string code, string detail) =>
        HostProblems.WriteAsync(context, status, code, status switch
        {
            StatusCodes.Status404NotFound => "No such resource",
            StatusCodes.Status403Forbidden => "Not a loopback request",
            _ => "Bad development token request",
        }, detail);
}
