using TipIntake.Core.FollowUp;
using TipIntake.Functions.Web;

namespace TipIntake.Functions.Tests.Web;

/// <summary>The follow-up page's no-script views (docs/follow-up.md, "The no-script path"), in every language.</summary>
public sealed class FollowUpPageTests
{
    private static readonly Pages Renderer = WebResources.Pages;

    /// <summary>Every status the no-script routes show in the code form, and every one the answer form shows again.</summary>
    private static readonly string[] StatusKeys =
    [
        "noScriptFollowUp.crossSite", "noScriptFollowUp.unsupported", "noScriptFollowUp.sessionExpired", "followUp.notRecognised",
        "followUp.empty", "followUp.length", "followUp.typo", "followUp.flood", "followUp.unavailable", "followUp.answerSent",
    ];

    private static readonly string[] AnswerErrorKeys =
        ["followUp.answerTooLong", "followUp.answerEmpty", "noScriptFollowUp.answerInvalid", "followUp.flood", "followUp.answerRetry"];

    private static readonly FormThread Open = new(
        LookupStatuses.InReview,
        [new("organisation", "2026-12-02", "Which facility? <b>now</b>"), new("reporter", "2026-12-03", "도문"), new("organisation", "2026-12-03", null)],
        "session");

    public static TheoryData<string> Languages() => [.. LanguageChoice.Reporter];

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_no_script_view_renders_with_its_text(string lang)
    {
        var texts = WebResources.Translations.Reporter(lang);
        foreach (var key in StatusKeys)
        {
            Assert.Contains(Encoded(texts[key]), Renderer.FollowUp(lang, new FollowUpView { StatusKey = key }), StringComparison.Ordinal);
        }

        foreach (var key in AnswerErrorKeys)
        {
            var page = Renderer.FollowUp(lang, new FollowUpView { Answer = new("session", "submission", "typed", key) });
            Assert.Contains(Encoded(texts[key]), page, StringComparison.Ordinal);
            Assert.Contains(">typed</textarea>", page, StringComparison.Ordinal);
        }

        var thread = Renderer.FollowUp(lang, new FollowUpView { Threads = [Open], Answer = new("session", "submission", "", null) });
        Assert.Contains(Encoded(texts["followUp.status.in-review"]), thread, StringComparison.Ordinal);
        Assert.Contains(Encoded(texts["followUp.unreadable"]), thread, StringComparison.Ordinal);
        Assert.Contains(Encoded(texts["noScriptFollowUp.answerHelp"]), thread, StringComparison.Ordinal);
        var closed = Renderer.FollowUp(lang, new FollowUpView { Threads = [Open with { Status = LookupStatuses.Closed, Messages = [], Session = null }] });
        Assert.Contains(Encoded(texts["followUp.closedNoAnswers"]), closed, StringComparison.Ordinal);
        Assert.Contains(Encoded(texts["followUp.noMessages"]), closed, StringComparison.Ordinal);
        Assert.DoesNotContain("form-answer", closed, StringComparison.Ordinal);
    }

    [Fact]
    public void The_code_form_posts_without_scripts_and_its_script_button_waits_for_the_script()
    {
        var page = Renderer.FollowUp("ko");
        Assert.Contains("<form id=\"follow-up-form\" method=\"post\" action=\"/follow-up\"", page, StringComparison.Ordinal);
        Assert.Contains("name=\"lang\" value=\"ko\"", page, StringComparison.Ordinal);
        Assert.Contains("id=\"follow-up-code\" name=\"code\"", page, StringComparison.Ordinal);
        Assert.Contains("autocomplete=\"off\"", page, StringComparison.Ordinal);
        Assert.Contains("spellcheck=\"false\"", page, StringComparison.Ordinal);
        Assert.Contains("<button type=\"submit\" id=\"follow-up-open\" class=\"submit\" hidden disabled>", page, StringComparison.Ordinal);
        Assert.Contains("<noscript><button type=\"submit\" id=\"follow-up-post\"", page, StringComparison.Ordinal);
        Assert.Contains(Encoded(WebResources.Translations.Reporter("ko")["noScriptFollowUp.limits"]), page, StringComparison.Ordinal);
    }

    [Fact]
    public void The_opened_thread_shows_messages_encoded_and_its_answer_form_carries_a_session_never_a_code_field()
    {
        var page = Renderer.FollowUp("en", new FollowUpView { Threads = [Open], Answer = new("the-session", "the-submission", "", null) });
        Assert.Contains("Which facility? &lt;b&gt;now&lt;/b&gt;", page, StringComparison.Ordinal);
        Assert.Contains("도문", page, StringComparison.Ordinal);
        Assert.Contains("<form id=\"form-answer\" method=\"post\" action=\"/follow-up/answer\"", page, StringComparison.Ordinal);
        Assert.Contains("name=\"session\" value=\"the-session\"", page, StringComparison.Ordinal);
        Assert.Contains("name=\"submission\" value=\"the-submission\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"code\"", page, StringComparison.Ordinal);

        // The script's own thread and answer form are not on this page: it must not take over the server's form.
        Assert.DoesNotContain("id=\"answer-form\"", page, StringComparison.Ordinal);
    }

    private static string Encoded(string text) => System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All).Encode(text);
}
