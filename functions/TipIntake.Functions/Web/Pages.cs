using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using TipIntake.Core.Attachments;
using TipIntake.Core.FollowUp;
using TipIntake.Functions.Web.Components;

namespace TipIntake.Functions.Web;

/// <summary>
/// Renders the pages — the reporter's form, receipt and follow-up, the staff's triage page and its sign-in bridge — from the
/// Razor components under <c>Web/Components/</c> with <see cref="HtmlRenderer"/>, in the languages of
/// <see cref="LanguageChoice"/>. Everything inserted is HTML-encoded (Korean and Chinese left readable); the JSON data
/// blocks are serialized once per language here. Nothing is logged. Thread-safe; register one instance.
/// </summary>
public sealed class Pages
{
    /// <summary>The form-level message when fields have errors and the caller names none.</summary>
    public const string FixErrorsKey = "status.fixErrors";

    private readonly Translations _translations;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IServiceProvider _services;
    private readonly FrozenDictionary<string, CountryList> _countries;
    private readonly FrozenDictionary<string, string> _reporterFacts;
    private readonly FrozenDictionary<string, string> _triageMessages;
    private readonly string _triageFacts = WebJson.ForScript(TriageFacts.Current);
    private readonly AttachmentOptions? _noScriptFiles;

    public Pages(Translations translations, ILoggerFactory loggerFactory, IOptions<AttachmentOptions>? attachments = null)
    {
        ArgumentNullException.ThrowIfNull(translations);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _translations = translations;
        _loggerFactory = loggerFactory;
        _noScriptFiles = attachments?.Value is { UploadsEnabled: true } files ? files : null;

        // The renderer encodes with the HtmlEncoder it finds here: markup characters, quotes and controls, no letters.
        _services = new ServiceCollection().AddSingleton(HtmlEncoder.Create(UnicodeRanges.All)).BuildServiceProvider();
        _countries = LanguageChoice.Reporter.ToFrozenDictionary(lang => lang, lang => CountryList.For(translations.Reporter(lang)), StringComparer.Ordinal);

        // Without the attachment settings (pages rendered outside the app) the form offers no files, on either path.
        var settings = attachments?.Value ?? new AttachmentOptions { UploadsEnabled = false };
        _reporterFacts = LanguageChoice.Reporter.ToFrozenDictionary(
            lang => lang, lang => WebJson.ForScript(ReporterFacts.For(translations.Reporter(lang), settings)), StringComparer.Ordinal);
        _triageMessages = LanguageChoice.Triage.ToFrozenDictionary(
            lang => lang, lang => WebJson.ForScript(translations.Triage(lang).Select()), StringComparer.Ordinal);
    }

    /// <summary>
    /// The form page. <paramref name="values"/> holds what the reporter typed (form field name → text), for showing it
    /// again after a no-script submission was refused; <paramref name="errorCodes"/> maps a form field name to the
    /// server's error code (e.g. <c>too-long</c>). <paramref name="formErrorKey"/> is a translation key (e.g.
    /// <c>status.unavailable</c>); when null and there are field errors, <see cref="FixErrorsKey"/> is shown.
    /// <paramref name="submission"/> goes into the hidden field that makes a resent or double-posted form keep one tip:
    /// the posted one when the form comes back, a new one (null) for a fresh page. <paramref name="ticket"/> is the
    /// page's single-use ticket for the no-script path (docs/flood-control.md), fresh on every page served.
    /// </summary>
    /// <exception cref="KeyNotFoundException"><paramref name="formErrorKey"/> is not a text of the page language.</exception>
    public string Form(
        string lang,
        IReadOnlyDictionary<string, string> values,
        IReadOnlyDictionary<string, string> errorCodes,
        string? formErrorKey,
        SubmissionId? submission = null,
        string? ticket = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(errorCodes);
        var texts = _translations.Reporter(lang);
        var formError = formErrorKey ?? (errorCodes.Count > 0 ? FixErrorsKey : null);
        return Render<FormPage>(new Dictionary<string, object?>
        {
            [nameof(FormPage.T)] = texts,
            [nameof(FormPage.Values)] = values,
            [nameof(FormPage.Errors)] = errorCodes,
            [nameof(FormPage.FormError)] = formError is null ? null : texts[formError],
            [nameof(FormPage.Submission)] = (submission ?? SubmissionId.New()).ToString(),
            [nameof(FormPage.Ticket)] = ticket ?? "",
            [nameof(FormPage.Countries)] = _countries[lang],
            [nameof(FormPage.Facts)] = _reporterFacts[lang],
            [nameof(FormPage.NoScriptFiles)] = _noScriptFiles,
        });
    }

    /// <summary>
    /// The receipt page of the no-script path, showing the report's follow-up <paramref name="code"/> once, in both
    /// forms, in place of the intake receipt (docs/follow-up.md, "The 202 receipt").
    /// </summary>
    public string Receipt(string lang, FollowUpCodeForms code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return Render<ReceiptPage>(new Dictionary<string, object?>
        {
            [nameof(ReceiptPage.T)] = _translations.Reporter(lang),
            [nameof(ReceiptPage.Code)] = code,
        });
    }

    /// <summary>
    /// The follow-up page (docs/follow-up.md): the field for the code and the facts its script needs; without scripts,
    /// what the server showed in <paramref name="view"/> (a message, a thread it opened, the answer form again).
    /// </summary>
    public string FollowUp(string lang, FollowUpView? view = null) =>
        Render<FollowUpPage>(new Dictionary<string, object?>
        {
            [nameof(FollowUpPage.T)] = _translations.Reporter(lang),
            [nameof(FollowUpPage.Facts)] = _reporterFacts[lang],
            [nameof(FollowUpPage.View)] = view ?? FollowUpView.Blank,
        });

    /// <summary>
    /// The staff's triage page in <paramref name="lang"/>, with <paramref name="settings"/> in its
    /// <c>#triage-settings</c> block (public identifiers only), every triage text in <c>#triage-messages</c> and
    /// <see cref="TriageFacts.Current"/> in <c>#triage-facts</c>. MSAL.js is linked only when the page signs in with
    /// Entra ID and the bundle is embedded.
    /// </summary>
    public string Triage(string lang, TriagePageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var texts = _translations.Triage(lang);

        // triage.js reads an absent identifier as an empty string, as the block has always carried it.
        var published = settings with
        {
            TenantId = settings.TenantId ?? "",
            ClientId = settings.ClientId ?? "",
            Scope = settings.Scope ?? "",
            Authority = settings.Authority ?? "",
        };
        return Render<TriageConsole>(new Dictionary<string, object?>
        {
            [nameof(TriageConsole.T)] = texts,
            [nameof(TriageConsole.WithMsal)] = settings.AuthMode == TriagePageSettings.EntraMode && settings.MsalAvailable,
            [nameof(TriageConsole.Settings)] = WebJson.ForScript(published),
            [nameof(TriageConsole.Messages)] = _triageMessages[lang],
            [nameof(TriageConsole.Facts)] = _triageFacts,
        });
    }

    /// <summary>The page Entra ID returns to after a sign-in (MSAL.js v5's redirect bridge, <c>/triage/signed-in</c>).</summary>
    public string TriageSignedIn(string lang, bool msalAvailable) =>
        Render<SignedInPage>(new Dictionary<string, object?>
        {
            [nameof(SignedInPage.T)] = _translations.Triage(lang),
            [nameof(SignedInPage.WithMsalBridge)] = msalAvailable,
        });

    /// <summary>
    /// Renders on a renderer of its own (a renderer keeps every root component it rendered until it is disposed). The
    /// components do no asynchronous work, so the render completes on this thread and the function classes stay
    /// synchronous.
    /// </summary>
    private string Render<TComponent>(Dictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        using var renderer = new HtmlRenderer(_services, _loggerFactory);
        return renderer.Dispatcher
            .InvokeAsync(async () => (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString())
            .GetAwaiter().GetResult();
    }
}
