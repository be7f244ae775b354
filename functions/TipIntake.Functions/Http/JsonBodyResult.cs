using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace TipIntake.Functions.Http;

/// <summary>
/// Writes a source-generated JSON body with the headers every API answer carries. It needs nothing from MVC, so the
/// Functions host and the local host execute it identically.
/// </summary>
public sealed class JsonBodyResult<T>(int status, T value, JsonTypeInfo<T> typeInfo, string contentType, string cacheControl)
    : IActionResult
{
    public int StatusCode => status;

    public T Value => value;

    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        SecurityHeaders.Apply(response, cacheControl);
        foreach (var (name, headerValue) in Headers)
        {
            response.Headers[name] = headerValue;
        }

        await JsonSerializer.SerializeAsync(response.Body, value, typeInfo, context.HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
