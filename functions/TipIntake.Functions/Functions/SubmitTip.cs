using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Core.Intake;
using TipIntake.Functions.Http;

namespace TipIntake.Functions.Functions;

/// <summary>
/// POST /api/tips: an encrypted tip in, 202 and a receipt out once the queue holds it (contract 2). The request's
/// address and headers are never read, stored or logged.
/// </summary>
public sealed class SubmitTip(TipIntakeService intake)
{
    [Function(nameof(SubmitTip))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/tips")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (status, compactJwe) = await JoseRequestBody.ReadAsync(request, TipEnvelope.MaxJweLength, cancellationToken);
        if (status != JoseRequestBody.Status.Read)
        {
            return status switch
            {
                JoseRequestBody.Status.WrongMediaType => Problems.UnsupportedMediaType(JoseRequestBody.MediaType),
                JoseRequestBody.Status.TooLarge => Problems.ForFault(Core.Jwe.JweFault.TooLong),
                _ => Problems.NotAscii(),
            };
        }

        return await intake.SubmitAsync(compactJwe, cancellationToken) switch
        {
            IntakeResult.Accepted accepted => new JsonBodyResult<ReceiptBody>(
                StatusCodes.Status202Accepted, new ReceiptBody(accepted.ReceiptCode), HttpJsonContext.Default.ReceiptBody, "application/json", "no-store"),
            IntakeResult.Refused refused => Problems.ForFault(refused.Fault),
            IntakeResult.Unavailable unavailable => Problems.Unavailable(unavailable.RetryAfter),
            var other => throw new InvalidOperationException($"Unknown intake result {other.GetType().Name}."),
        };
    }
}
