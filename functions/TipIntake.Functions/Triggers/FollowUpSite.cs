using TipIntake.Core.FollowUp;

namespace TipIntake.Functions.Triggers;

/// <summary>
/// The page where a reporter comes back with the follow-up code (docs/follow-up.md). <c>GET /follow-up</c> holds no
/// state and reads nothing but the language; with scripts, the code is typed into it and never leaves the browser.
/// Without scripts ("The no-script path") its form posts the code to <c>POST /follow-up</c>, which opens the thread on
/// the server for that visit (<see cref="FormFollowUp"/>), and the thread's answer form posts to
/// <c>POST /follow-up/answer</c> with a session instead of the code (<see cref="FormAnswers"/>). Both are form posts from
/// this site's own page only, answered with the page in the reporter's language; nothing of the body is logged or shown
/// back but the answer's text.
/// </summary>
[ResponsePolicy(ContentPolicy.Strict)]
public sealed class FollowUpSite(Pages pages, FormFollowUp followUp, FormAnswers answers)
{
    public const string CodeField = "code";
    public const string SessionField = "session";
    public const string TextField = "text";

    /// <summary>The code form: a code, a language and form encoding fit many times over.</summary>
    public const int MaxCodeFormBytes = 1024;

    /// <summary>The answer form: 4,000 characters of four UTF-8 bytes each, percent-encoded (12 bytes each), and the hidden fields.</summary>
    public const int MaxAnswerFormBytes = 64 * 1024;

    private static readonly string[] CodeFields = [CodeField, SubmitTipForm.LanguageField];
    private static readonly string[] AnswerFields = [SessionField, SubmitTipForm.SubmissionField, TextField, SubmitTipForm.LanguageField];

    [Function(nameof(FollowUpSite))]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "follow-up")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Page(request, StatusCodes.Status200OK, LanguageOf(request, null), FollowUpView.Blank);
    }

    /// <summary>POST /follow-up: the code from the page without scripts; the thread, "not recognised", or the form again saying why.</summary>
    [Function("FollowUpForm")]
    public Task<IResult> Open(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "follow-up")] HttpRequest request, CancellationToken cancellationToken) =>
        OwnFormAsync(request, CodeFields, MaxCodeFormBytes, async (fields, lang) => await followUp.OpenAsync(fields.GetValueOrDefault(CodeField), cancellationToken) switch
        {
            FormLookupResult.Opened opened => Page(request, StatusCodes.Status200OK, lang, new FollowUpView
            {
                Threads = opened.Threads,
                Answer = opened.Threads[0].Session is { } session ? new FollowUpView.AnswerBox(session, SubmissionId.New().ToString(), "", null) : null,
            }),

            // The same status as an opened thread: the lookup and the floor were the same work.
            FormLookupResult.NotRecognised => Page(request, StatusCodes.Status200OK, lang, Status("followUp.notRecognised")),
            FormLookupResult.Mistyped mistyped => Page(request, StatusCodes.Status422UnprocessableEntity, lang, Status(mistyped.Status switch
            {
                null => "followUp.empty",
                FollowUpCodeStatus.WrongLength => "followUp.length",
                _ => "followUp.typo",
            })),
            FormLookupResult.RateLimited limited => Retry(request, StatusCodes.Status429TooManyRequests, limited.RetryAfter, lang, Status("followUp.flood")),
            FormLookupResult.Unavailable unavailable => Retry(request, StatusCodes.Status503ServiceUnavailable, unavailable.RetryAfter, lang, Status("followUp.unavailable")),
            var other => throw new InvalidOperationException($"Unknown follow-up result {other.GetType().Name}."),
        }, cancellationToken);

    /// <summary>POST /follow-up/answer: an answer under the session the opened thread's page carried; "sent", or the answer form again.</summary>
    [Function("FollowUpFormAnswer")]
    public Task<IResult> Answer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "follow-up/answer")] HttpRequest request, CancellationToken cancellationToken) =>
        OwnFormAsync(request, AnswerFields, MaxAnswerFormBytes, (fields, lang) => AnswerAsync(request, fields, lang, cancellationToken), cancellationToken);

    private async Task<IResult> AnswerAsync(HttpRequest request, IReadOnlyDictionary<string, string> fields, string lang, CancellationToken cancellationToken)
    {
        if (!SubmissionId.TryParse(fields.GetValueOrDefault(SubmitTipForm.SubmissionField), out var submission))
        {
            return Page(request, StatusCodes.Status400BadRequest, lang, Status("noScriptFollowUp.unsupported"));
        }

        var session = fields.GetValueOrDefault(SessionField);
        var text = fields.GetValueOrDefault(TextField) ?? "";
        FollowUpView Again(string errorKey) => new() { Answer = new FollowUpView.AnswerBox(session!, submission.ToString(), text, errorKey) };
        return await answers.SendAsync(session, text, lang, submission, cancellationToken) switch
        {
            FormAnswerResult.Sent => Page(request, StatusCodes.Status200OK, lang, Status("followUp.answerSent") with { Informational = true }),
            FormAnswerResult.SessionExpired => Page(request, StatusCodes.Status400BadRequest, lang, Status("noScriptFollowUp.sessionExpired")),
            FormAnswerResult.Invalid invalid => Page(request, StatusCodes.Status422UnprocessableEntity, lang, Again(invalid.Fault switch
            {
                AnswerFault.TextTooLong => "followUp.answerTooLong",
                _ when string.IsNullOrWhiteSpace(text) => "followUp.answerEmpty",
                _ => "noScriptFollowUp.answerInvalid",
            })),
            FormAnswerResult.RateLimited limited => Retry(request, StatusCodes.Status429TooManyRequests, limited.RetryAfter, lang, Again("followUp.flood")),
            FormAnswerResult.Unavailable unavailable => Retry(request, StatusCodes.Status503ServiceUnavailable, unavailable.RetryAfter, lang, Again("followUp.answerRetry")),
            var other => throw new InvalidOperationException($"Unknown answer result {other.GetType().Name}."),
        };
    }

    private static FollowUpView Status(string key) => new() { StatusKey = key };

    /// <summary>
    /// A post of this site's own page: <paramref name="answer"/> with its fields and language, or the page that refuses
    /// it — 403 from another site's page, before the body is read (it must not learn whether a code opens anything), or
    /// the status of a body that is not the form.
    /// </summary>
    private async Task<IResult> OwnFormAsync(
        HttpRequest request, string[] names, int maxBytes, Func<IReadOnlyDictionary<string, string>, string, Task<IResult>> answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!FormOrigin.IsOwnPage(request))
        {
            return Page(request, StatusCodes.Status403Forbidden, LanguageOf(request, null), Status("noScriptFollowUp.crossSite"));
        }

        var (fault, fields) = await RequestBody.ReadFormAsync(request, names, maxBytes, cancellationToken);
        var lang = LanguageOf(request, fields);
        return fault == BodyFault.None ? await answer(fields, lang) : Page(request, RequestBody.StatusOf(fault), lang, Status("noScriptFollowUp.unsupported"));
    }

    private static string LanguageOf(HttpRequest request, IReadOnlyDictionary<string, string>? fields) =>
        LanguageChoice.Choose(fields?.GetValueOrDefault(SubmitTipForm.LanguageField) ?? request.Query[SubmitTipForm.LanguageField], request.Headers.AcceptLanguage);

    private ContentHttpResult Retry(HttpRequest request, int status, TimeSpan retryAfter, string lang, FollowUpView view)
    {
        request.HttpContext.Response.Headers.RetryAfter = Problems.RetryAfterSeconds(retryAfter);
        return Page(request, status, lang, view);
    }

    private ContentHttpResult Page(HttpRequest request, int status, string lang, FollowUpView view)
    {
        request.HttpContext.Response.Headers.Vary = "Accept-Language";
        request.HttpContext.Response.Headers.ContentLanguage = lang;
        return TypedResults.Content(pages.FollowUp(lang, view), SubmitTipForm.Html, statusCode: status);
    }
}
