using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Routing;
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
public sealed class Pages(Translations translations, ILoggerFactory loggerFactory, IOptions<AttachmentOptions>? attachments = null)
{
    /// <summary>The form-level message when fields have errors and the caller names none.</summary>
    public const string FixErrorsKey = "status.fixErrors";

    // The renderer encodes with the HtmlEncoder it finds here: markup characters, quotes and controls, no letters.
    private readonly IServiceProvider _services = new ServiceCollection().AddSingleton(HtmlEncoder.Create(UnicodeRanges.All)).BuildServiceProvider();
    private readonly FrozenDictionary<string, CountryList> _countries = LanguageChoice.Reporter.ToFrozenDictionary(
        lang => lang, lang => CountryList.For(translations.Reporter(lang)), StringComparer.Ordinal);

    // Without the attachment settings (pages rendered outside the app) the form offers no files, on either path.
    private readonly FrozenDictionary<string, string> _reporterFacts = LanguageChoice.Reporter.ToFrozenDictionary(lang => lang, lang =>
        WebJson.ForScript(ReporterFacts.For(translations.Reporter(lang), attachments?.Value ?? new() { UploadsEnabled = false })), StringComparer.Ordinal);
    private readonly AttachmentOptions? _noScriptFiles = attachments?.Value is { UploadsEnabled: true } files ? files : null;
    private readonly FrozenDictionary<string, string> _triageMessages = LanguageChoice.Triage.ToFrozenDictionary(
        lang => lang, lang => WebJson.ForScript(translations.Triage(lang).Select()), StringComparer.Ordinal);
    private readonly string _triageFacts = WebJson.ForScript(TriageFacts.Current);

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
    public string Form(string lang, IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, string> errorCodes,
        string? formErrorKey, SubmissionId? submission = null, string? ticket = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(errorCodes);
        var texts = translations.Reporter(lang);
        return Render<FormPage>(new
        {
            T = texts,
            Values = values,
            Errors = errorCodes,
            FormError = (formErrorKey ?? (errorCodes.Count > 0 ? FixErrorsKey : null)) is { } key ? texts[key] : null,
            Submission = (submission ?? SubmissionId.New()).ToString(),
            Ticket = ticket ?? "",
            Countries = _countries[lang],
            Facts = _reporterFacts[lang],
            NoScriptFiles = _noScriptFiles,
        });
    }

    /// <summary>
    /// The receipt page of the no-script path, showing the report's follow-up <paramref name="code"/> once, in both
    /// forms, in place of the intake receipt (docs/follow-up.md, "The 202 receipt").
    /// </summary>
    public string Receipt(string lang, FollowUpCodeForms code) =>
        Render<ReceiptPage>(new { T = translations.Reporter(lang), Code = code ?? throw new ArgumentNullException(nameof(code)) });

    /// <summary>
    /// The follow-up page (docs/follow-up.md): the field for the code and the facts its script needs; without scripts,
    /// what the server showed in <paramref name="view"/> (a message, a thread it opened, the answer form again).
    /// </summary>
    public string FollowUp(string lang, FollowUpView? view = null) =>
        Render<FollowUpPage>(new { T = translations.Reporter(lang), Facts = _reporterFacts[lang], View = view ?? FollowUpView.Blank });

    /// <summary>
    /// The staff's triage page in <paramref name="lang"/>, with <paramref name="settings"/> in its
    /// <c>#triage-settings</c> block (public identifiers only), every triage text in <c>#triage-messages</c> and
    /// <see cref="TriageFacts.Current"/> in <c>#triage-facts</c>. MSAL.js is linked only when the page signs in with
    /// Entra ID and the bundle is embedded.
    /// </summary>
    public string Triage(string lang, TriagePageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // triage.js reads an absent identifier as an empty string, as the block has always carried it.
        var published = settings with
        {
            TenantId = settings.TenantId ?? "",
            ClientId = settings.ClientId ?? "",
            Scope = settings.Scope ?? "",
            Authority = settings.Authority ?? "",
        };
        return Render<TriageConsole>(new
        {
            T = translations.Triage(lang),
            WithMsal = settings.AuthMode == TriagePageSettings.EntraMode && settings.MsalAvailable,
            Settings = WebJson.ForScript(published),
            Messages = _triageMessages[lang],
            Facts = _triageFacts,
        });
    }

    /// <summary>The page Entra ID returns to after a sign-in (MSAL.js v5's redirect bridge, <c>/triage/signed-in</c>).</summary>
    public string TriageSignedIn(string lang, bool msalAvailable) =>
        Render<SignedInPage>(new { T = translations.Triage(lang), WithMsalBridge = msalAvailable });

    /// <summary>
    /// Renders with <paramref name="parameters"/>' properties as the component's parameters (read as
    /// <c>RazorComponentResult</c> reads them), on a renderer of its own (a renderer keeps every root component it
    /// rendered until it is disposed). The components do no asynchronous work, so the render completes on this thread
    /// and the function classes stay synchronous.
    /// </summary>
    private string Render<TComponent>(object parameters)
        where TComponent : IComponent
    {
        using var renderer = new HtmlRenderer(_services, loggerFactory);
        return renderer.Dispatcher
            .InvokeAsync(async () => (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(new RouteValueDictionary(parameters)))).ToHtmlString())
            .GetAwaiter().GetResult();
    }
}
