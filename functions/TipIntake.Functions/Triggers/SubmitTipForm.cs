using TipIntake.Core.Attachments;

namespace TipIntake.Functions.Triggers;

/// <summary>
/// POST /submit: the reporter form without JavaScript. The fields are validated, encrypted here under the current
/// intake key and queued like a browser-made JWE, enrolled for follow-up by the server; the answer is a page in the
/// reporter's language — the receipt with the report's follow-up code, or the form again with what they typed and what
/// to fix. This path cannot do proof-of-work, so it has a bounded lane of
/// its own (docs/flood-control.md): when it is full, the form comes back with what was typed and asks to try again
/// shortly. Each page carries a single-use ticket: posting a page whose report was received (reloading the receipt
/// page, going back and sending again) does not show the receipt again. Nothing of the body is logged.
/// </summary>
[ResponsePolicy(ContentPolicy.Strict)]
public sealed class SubmitTipForm(
    FormIntakeService intake, FloodGate flood, Pages pages, FormAttachmentWriter files, IOptions<AttachmentOptions> attachments)
{
    public const string Html = "text/html; charset=utf-8";
    public const string LanguageField = "lang";

    /// <summary>The hidden field carrying the page's <see cref="SubmissionId"/>.</summary>
    public const string SubmissionField = "submission";

    /// <summary>The hidden field carrying the page's single-use ticket (docs/flood-control.md, "The no-script lane").</summary>
    public const string TicketField = "ticket";

    /// <summary>The no-script checkbox "remove location and camera data from photos", ticked by default; it comes before the files.</summary>
    public const string CleanField = "clean";

    /// <summary>Far above the largest valid tip (a narrative of 20,000 characters, URL-encoded), far below harm.</summary>
    public const int MaxBodyBytes = 512 * 1024;

    private static readonly string[] Fields = [.. TipForm.FieldNames, LanguageField, SubmissionField, TicketField, CleanField];

    [Function(nameof(SubmitTipForm))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "submit")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!FormOrigin.IsOwnPage(request))
        {
            // Refused before the body is read: nothing another site's page sent is shown back.
            var language = LanguageChoice.Choose(null, request.Headers.AcceptLanguage);
            return Form(StatusCodes.Status403Forbidden, language, NoErrors, NoErrors, "form.error.crossSite", SubmissionId.New());
        }

        // With files (docs/attachments.md, "The no-script path") the post is multipart, its text fields first.
        var (fault, fields, multipart) = MultipartForm.IsMultipart(request)
            ? await MultipartForm.ReadFieldsAsync(request, Fields, MaxBodyBytes, attachments.Value.FormHardCap, cancellationToken)
            : await ReadUrlEncodedAsync(request, cancellationToken);
        var result = await AnswerAsync(request, fault, fields, multipart, cancellationToken);
        if (multipart is not null)
        {
            // Whatever the answer, the rest of the post is read first (a browser shows a reset, not the page, if the
            // server stops reading), up to the hard cap.
            await multipart.DrainAsync(cancellationToken);
        }

        return result;
    }

    private async Task<IResult> AnswerAsync(
        HttpRequest request, BodyFault fault, IReadOnlyDictionary<string, string> fields, MultipartForm? multipart, CancellationToken cancellationToken)
    {
        var lang = LanguageChoice.Choose(fields.GetValueOrDefault(LanguageField), request.Headers.AcceptLanguage);

        // The page's hidden submission id comes back with every resend of it, so that a resent (or double-posted)
        // form keeps one tip. A post without one (an old page) gets a fresh id; a mangled one is refused.
        var posted = fields.GetValueOrDefault(SubmissionField);
        var submission = SubmissionId.New();
        var submissionValid = posted is null || SubmissionId.TryParse(posted, out submission);
        if (fault != BodyFault.None || !submissionValid)
        {
            // A mangled submission id is a 400 too (RequestBody.StatusOf(None)).
            return Form(RequestBody.StatusOf(fault), lang, fields, NoErrors, fault == BodyFault.TooLarge ? "form.error.too-large" : "form.error.unsupported", submission);
        }

        var ticket = fields.GetValueOrDefault(TicketField);
        var (tip, unwritten) = TipForm.ToDocument(fields);
        Func<IntakePublicKey, CancellationToken, Task<FormFiles>>? storeFiles = multipart is not null && attachments.Value.UploadsEnabled
            ? (key, ct) => multipart.StoreFilesAsync(files, key, attachments.Value, clean: fields.ContainsKey(CleanField), ct)
            : null;
        switch (await intake.SubmitAsync(tip, unwritten, submission, ct => flood.AdmitFormAsync(ticket, ct), storeFiles, cancellationToken))
        {
            case FormIntakeResult.Accepted accepted:
                // The follow-up code in place of the intake receipt; it goes into this page only, never into a URL or a log.
                return TypedResults.Content(pages.Receipt(lang, accepted.FollowUpCode), Html);
            case FormIntakeResult.AlreadyReceived:
                // Nothing of what was posted is shown back, and no receipt: this page's report is kept already.
                return Form(StatusCodes.Status409Conflict, lang, NoErrors, NoErrors, "form.error.alreadyReceived", SubmissionId.New());
            case FormIntakeResult.PageExpired:
                return Form(StatusCodes.Status400BadRequest, lang, fields, NoErrors, "form.error.expired", submission);
            case FormIntakeResult.Invalid invalid:
                return Form(StatusCodes.Status422UnprocessableEntity, lang, fields, TipForm.FieldErrors(invalid.Errors), "form.error.invalid", submission);
            case FormIntakeResult.Unavailable unavailable:
                request.HttpContext.Response.Headers.RetryAfter = Problems.RetryAfterSeconds(unavailable.RetryAfter);
                return Form(StatusCodes.Status503ServiceUnavailable, lang, fields, NoErrors, "form.error.unavailable", submission);
            case FormIntakeResult.FilesRefused { Refusal: FormFilesRefusal.Unreadable }:
                return Form(StatusCodes.Status400BadRequest, lang, fields, NoErrors, "form.error.unsupported", submission);
            case FormIntakeResult.FilesRefused refused:
                return Form(refused.Refusal switch
                    {
                        FormFilesRefusal.TypeNotAllowed => StatusCodes.Status415UnsupportedMediaType,
                        FormFilesRefusal.NotCleanable => StatusCodes.Status422UnprocessableEntity,
                        _ => StatusCodes.Status413PayloadTooLarge,
                    },
                    lang, fields, NoErrors, "form.error.files." + Core.Codes.Of(refused.Refusal), submission);
            case FormIntakeResult.Busy busy:
                request.HttpContext.Response.Headers.RetryAfter = Problems.RetryAfterSeconds(busy.RetryAfter);
                return Form(StatusCodes.Status429TooManyRequests, lang, fields, NoErrors, "form.error.busy", submission);
            default:
                throw new InvalidOperationException("Unknown form intake result.");
        }
    }

    private static readonly Dictionary<string, string> NoErrors = [];

    private static async Task<(BodyFault Fault, IReadOnlyDictionary<string, string> Fields, MultipartForm? Files)> ReadUrlEncodedAsync(
        HttpRequest request, CancellationToken cancellationToken)
    {
        var (fault, fields) = await RequestBody.ReadFormAsync(request, Fields, MaxBodyBytes, cancellationToken);
        return (fault, fields, null);
    }

    private ContentHttpResult Form(
        int status,
        string lang,
        IReadOnlyDictionary<string, string> fields,
        IReadOnlyDictionary<string, string> errors,
        string formErrorKey,
        SubmissionId submission) =>
        TypedResults.Content(pages.Form(lang, fields, errors, formErrorKey, submission, flood.IssueFormTicket()), Html, statusCode: status);
}
