using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Net.Http.Headers;
using TipIntake.Infrastructure.Staff;
using TipIntake.LocalHost.Http;

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
internal static class DevelopmentTokenEndpoint
{
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
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            // Also keeps a cross-site form from asking: application/json needs a CORS preflight, which nothing here answers.
            await WriteProblemAsync(context, StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Send the body as application/json.");
            return;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            await WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "too-large", $"The body may have at most {MaxBodyBytes} bytes.");
            return;
        }

        DevelopmentTokenRequest? body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (buffer.Length > MaxBodyBytes)
            {
                await WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "too-large", $"The body may have at most {MaxBodyBytes} bytes.");
                return;
            }

            body = buffer.Length == 0
                ? new DevelopmentTokenRequest(null, null)
                : JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), DevelopmentTokenJsonContext.Default.DevelopmentTokenRequest);
        }
        catch (IOException ex)
        {
            // Broken framing or a body too slow for Kestrel's MinRequestBodyDataRate: the client's fault, not a 500.
            var status = ex is BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout or StatusCodes.Status413PayloadTooLarge } bad
                ? bad.StatusCode
                : StatusCodes.Status400BadRequest;
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

    private static Task WriteProblemAsync(HttpContext context, int status, string code, string detail) =>
        HostProblems.WriteAsync(context, status, code, status == StatusCodes.Status404NotFound ? "No such resource" : "Bad development token request", detail);
}
