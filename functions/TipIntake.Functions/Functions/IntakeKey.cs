using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Core.Keys;
using TipIntake.Functions.Http;

namespace TipIntake.Functions.Functions;

/// <summary>GET /api/intake-key: the public JWK reporters encrypt to (contract 1).</summary>
public sealed class IntakeKey(IIntakeKey intakeKey)
{
    [Function(nameof(IntakeKey))]
    [ResponsePolicy(ContentPolicy.Strict)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/intake-key")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var key = await intakeKey.GetPublicKeyAsync(cancellationToken);

            // Browsers and caches may keep the key for minutes; a rotated key is picked up within that time.
            request.HttpContext.Response.Headers.CacheControl = "public, max-age=300";
            return TypedResults.Json(key, HttpJsonContext.Default.IntakePublicKey, "application/json");
        }
        catch (IntakeKeyException)
        {
            return Problems.Unavailable(request.HttpContext.Response, TimeSpan.FromSeconds(30));
        }
    }
}
