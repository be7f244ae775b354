namespace TipIntake.Functions.Triggers;

/// <summary>
/// The reporter's API (contracts 1 and 2): the public key to encrypt to, a proof-of-work challenge, and POST /api/tips,
/// an encrypted tip in, 202 and a receipt out once the queue holds it. The headers read besides Content-Type are the
/// proof-of-work stamp (docs/flood-control.md), checked after the envelope's shape, and the optional submission id that
/// makes a resend of the same JWE collapse onto the first attempt; the request's address and other headers are never
/// read, stored or logged.
/// </summary>
[ResponsePolicy(ContentPolicy.Strict)]
public sealed class SubmitTip(TipIntakeService intake, FloodGate flood, IIntakeKey intakeKey)
{
    public const string StampHeader = "TipIntake-Stamp";
    public const string SubmissionHeader = "TipIntake-Submission";

    /// <summary>GET /api/intake-key: the public JWK. Caches may keep it for minutes; a rotated key is picked up within that time.</summary>
    [Function(nameof(IntakeKey))]
    public async Task<IResult> IntakeKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/intake-key")] HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var key = await intakeKey.GetPublicKeyAsync(cancellationToken);
            request.HttpContext.Response.Headers.CacheControl = "public, max-age=300";
            return TypedResults.Json(key, ReporterJsonContext.Default.IntakePublicKey, "application/json");
        }
        catch (IntakeKeyException)
        {
            return Problems.Unavailable(request.HttpContext.Response, TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>GET /api/challenge: a fresh challenge for the stamp. Issuing keeps no state and reads nothing about the request.</summary>
    [Function(nameof(StampChallenge))]
    public IResult StampChallenge([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/challenge")] HttpRequest request)
    {
        var issued = flood.IssueChallenge();
        return TypedResults.Json(new ChallengeBody(issued.Challenge, issued.Difficulty, issued.SuggestedEffort, issued.ExpiresAt), ReporterJsonContext.Default.ChallengeBody, "application/json");
    }

    [Function(nameof(SubmitTip))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/tips")] HttpRequest request,
        CancellationToken cancellationToken) =>
        SubmitAsync(
            request,
            TipEnvelope.MaxJweLength,
            intake.SubmitAsync,
            accepted => TypedResults.Json(new ReceiptBody(accepted.ReceiptCode), ReporterJsonContext.Default.ReceiptBody, "application/json", StatusCodes.Status202Accepted),
            cancellationToken);

    /// <summary>
    /// POST /api/follow-up/answers: a reporter's answer to a thread (docs/follow-up.md, "Answering"), a JWE to the
    /// intake key exactly like a tip but with the answer's <c>cty</c>; 202 with <c>{}</c> once the queue holds it. The
    /// server cannot tell which thread it answers before decrypting, and does not try: the processor does.
    /// </summary>
    [Function("SubmitAnswer")]
    public Task<IResult> Answer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/follow-up/answers")] HttpRequest request,
        CancellationToken cancellationToken) =>
        SubmitAsync(
            request,
            TipEnvelope.MaxAnswerJweLength,
            intake.SubmitAnswerAsync,
            _ => TypedResults.Json(new AnswerAcceptedBody(), ReporterJsonContext.Default.AnswerAcceptedBody, "application/json", StatusCodes.Status202Accepted),
            cancellationToken);

    /// <summary>The one <c>TipIntake-Stamp</c> header; none is null, two are malformed.</summary>
    internal static string? StampOf(HttpRequest request)
    {
        var stamps = request.Headers[StampHeader];
        return stamps.Count switch
        {
            0 => null,
            1 => stamps[0] ?? "",
            _ => "",
        };
    }

    private async Task<IResult> SubmitAsync(
        HttpRequest request,
        int maxJweLength,
        Func<string, SubmissionId, Func<CancellationToken, ValueTask<FloodDecision>>, CancellationToken, Task<IntakeResult>> submit,
        Func<IntakeResult.Accepted, IResult> accepted,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (fault, compactJwe) = await RequestBody.ReadJoseAsync(request, maxJweLength, cancellationToken);
        switch (fault)
        {
            case BodyFault.TooLarge:
                return Problems.ForFault(Core.Jwe.JweFault.TooLarge);
            case BodyFault.Malformed:
                return Problems.NotAscii();
            case not BodyFault.None:
                return Problems.ForBody(fault, "application/jose");
        }

        // Without the header the submission gets a fresh id: it is accepted as ever, it just cannot be resent safely.
        var submission = SubmissionId.New();
        var submissionIds = request.Headers[SubmissionHeader];
        if (submissionIds.Count > 0 && (submissionIds.Count > 1 || !SubmissionId.TryParse(submissionIds[0], out submission)))
        {
            return Problems.SubmissionIdInvalid();
        }

        var stamp = StampOf(request);
        return await submit(compactJwe!, submission, ct => flood.AdmitStampedAsync(stamp, ct), cancellationToken) switch
        {
            IntakeResult.Accepted done => accepted(done),
            IntakeResult.Refused refused => Problems.ForFault(refused.Fault),
            IntakeResult.Unavailable unavailable => Problems.Unavailable(request.HttpContext.Response, unavailable.RetryAfter),
            IntakeResult.FloodControlled held => Problems.ForFlood(request.HttpContext.Response, held.Decision),
            var other => throw new InvalidOperationException($"Unknown intake result {other.GetType().Name}."),
        };
    }
}
