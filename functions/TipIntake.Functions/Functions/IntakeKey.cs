using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Core.Keys;
using TipIntake.Functions.Http;

namespace TipIntake.Functions.Functions;

/// <summary>GET /api/intake-key: the public JWK reporters encrypt to (contract 1).</summary>
public sealed class IntakeKey(IIntakeKey intakeKey)
{
    /// <summary>Browsers and caches may keep the key for minutes; a rotated key is picked up within that time.</summary>
    private const string CacheControl = "public, max-age=300";

    [Function(nameof(IntakeKey))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/intake-key")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        try
        {
            var key = await intakeKey.GetPublicKeyAsync(cancellationToken);
            return new JsonBodyResult<IntakePublicKey>(
                StatusCodes.Status200OK, key, HttpJsonContext.Default.IntakePublicKey, "application/json", CacheControl);
        }
        catch (IntakeKeyException)
        {
            return Problems.Unavailable(TimeSpan.FromSeconds(30));
        }
    }
}
