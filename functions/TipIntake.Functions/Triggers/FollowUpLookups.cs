using System.Security.Cryptography;
using TipIntake.Core.FollowUp;

namespace TipIntake.Functions.Triggers;

/// <summary>
/// POST /api/follow-up/lookup (docs/follow-up.md, "The protocol" §2): a stamped <c>{ "v": 1, "lookup": "&lt;L&gt;" }</c> in,
/// the threads of that code out — or, for a wrong <c>L</c>, a decoy of the same shape, size and timing. The shape is
/// checked first, then the stamp, then the lookup bucket; only then is <c>L</c> used. A 200 and a 503 are never sent
/// before <c>FollowUp:LookupFloor</c> has passed since the request arrived. Nothing but the stamp and the body is read.
/// </summary>
public sealed class FollowUpLookups(FollowUpLookup lookup, LookupGate gate, FloodGate flood, TimeProvider time)
{
    [Function("FollowUpLookup")]
    [ResponsePolicy(ContentPolicy.Strict)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/follow-up/lookup")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arrivedAt = time.GetTimestamp();
        var (fault, token) = await RequestBody.ReadJsonAsync(request, LookupMessages.MaxRequestBytes, body => LookupMessages.ReadRequest(body), cancellationToken);
        try
        {
            switch (fault)
            {
                case BodyFault.TooLarge:
                    return Refused(FollowUpProblems.TooLarge());
                case BodyFault.Malformed:
                    return Refused(FollowUpProblems.Malformed());
                case not BodyFault.None:
                    return Refused(Problems.ForBody(fault, "application/json"));
            }

            var decision = await flood.AdmitLookupAsync(SubmitTip.StampOf(request), cancellationToken);
            if (!decision.IsAdmitted)
            {
                return Refused(Problems.ForFlood(request.HttpContext.Response, decision));
            }

            if (!await gate.TryTakeAsync(cancellationToken))
            {
                return Refused(FollowUpProblems.RateLimited(request.HttpContext.Response, LookupGate.RetryAfter));
            }

            var answer = await lookup.AnswerAsync(token!, cancellationToken);
            await gate.HoldUntilFloorAsync(arrivedAt, cancellationToken);
            gate.Count(LookupGate.Answered);
            return TypedResults.Bytes(answer, "application/json");
        }
        catch (StorageUnavailableException)
        {
            // Whether storage failed at the key query or later, a right and a wrong code get the same answer at the same time.
            await gate.HoldUntilFloorAsync(arrivedAt, cancellationToken);
            return Refused(FollowUpProblems.Unavailable(request.HttpContext.Response, LookupGate.UnavailableRetryAfter));
        }
        finally
        {
            if (token is not null)
            {
                CryptographicOperations.ZeroMemory(token);
            }
        }
    }

    private ProblemHttpResult Refused(ProblemHttpResult problem)
    {
        gate.Count(FollowUpProblems.CodeOf(problem));
        return problem;
    }
}
