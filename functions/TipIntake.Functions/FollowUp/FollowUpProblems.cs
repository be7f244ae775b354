namespace TipIntake.Functions.FollowUp;

/// <summary>The follow-up lookup's own problems (docs/follow-up.md, "The protocol" §2); the stamp's are <see cref="Problems.ForFlood"/>.</summary>
public static class FollowUpProblems
{
    public static ProblemHttpResult Malformed() => Problems.Of(400, "lookup-malformed", "Malformed lookup",
        """Send exactly {"v":1,"lookup":"<L>"}: L is 43 characters of unpadded base64url (32 bytes), and no other member.""");

    public static ProblemHttpResult TooLarge() => Problems.Of(413, "too-large", "Lookup too large", "A lookup is at most 1 KiB.");

    public static ProblemHttpResult RateLimited(HttpResponse response, TimeSpan retryAfter) => Problems.Retry(response, retryAfter, 429, "rate-limited", "Too many lookups",
        "The service answers only a few lookups a second. Wait as Retry-After says, then ask again with a fresh stamp.");

    public static ProblemHttpResult Unavailable(HttpResponse response, TimeSpan retryAfter) =>
        Problems.Retry(response, retryAfter, 503, "unavailable", "Temporarily unavailable", "Storage is unavailable. Ask again later with a fresh stamp.");

    /// <summary>The code a problem is counted under in the lookups' log line: its type without the prefix.</summary>
    public static string CodeOf(ProblemHttpResult problem) =>
        problem.ProblemDetails.Type?.Replace("urn:tipintake:problem:", "", StringComparison.Ordinal) ?? "problem";
}
