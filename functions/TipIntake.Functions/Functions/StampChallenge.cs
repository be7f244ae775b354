using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Core.FloodControl;
using TipIntake.Functions.Http;

namespace TipIntake.Functions.Functions;

/// <summary>
/// GET /api/challenge: a fresh proof-of-work challenge for the <c>TipIntake-Stamp</c> header of POST /api/tips
/// (docs/flood-control.md). Issuing keeps no state and reads nothing about the request.
/// </summary>
public sealed class StampChallenge(FloodGate flood)
{
    [Function(nameof(StampChallenge))]
    [ResponsePolicy(ContentPolicy.Strict)]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/challenge")] HttpRequest request)
    {
        var issued = flood.IssueChallenge();
        return TypedResults.Json(
            new ChallengeBody(issued.Challenge, issued.Difficulty, issued.SuggestedEffort, issued.ExpiresAt), HttpJsonContext.Default.ChallengeBody, "application/json");
    }
}
