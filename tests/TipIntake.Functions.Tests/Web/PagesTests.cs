using System.Text.RegularExpressions;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Intake;
using TipIntake.Core.Tips;
using TipIntake.Functions.Web;

namespace TipIntake.Functions.Tests.Web;

public sealed partial class PagesTests
{
    private static readonly Pages Renderer = WebResources.Pages;

    private static Translator Texts(string lang) => WebResources.Translations.Reporter(lang);

    public static TheoryData<string> Languages() => [.. LanguageChoice.Reporter];

    /// <summary>The test vector's code (docs/follow-up.md, "Test vector") in its two forms.</summary>
    private static readonly FollowUpCodeForms Code = new("SGANX-9ZH79-1RSNG-ZD2HQ", "0986 8871 3197 1941 1136 3478 2626 6346");

    private static string EmptyForm(string lang) => Renderer.Form(lang, WebResources.NoValues(), WebResources.NoValues(), null);

    private static Dictionary<string, string> AllFieldsWith(string text) =>
        TipForm.FieldNames.ToDictionary(f => f, _ => text);

    /// <summary>
    /// Every page in every language, down every branch that shows a text (every field in error, a form-level message):
    /// a key a component asks for and a language lacks fails here, as the old renderer failed when it was built.
    /// </summary>
    [Fact]
    public void Every_page_renders_in_every_language()
    {
        var errors = TipForm.FieldNames.ToDictionary(f => f, _ => "required");
        foreach (var lang in LanguageChoice.Reporter)
        {
            var pages = new[]
            {
                EmptyForm(lang),
                Renderer.Form(lang, AllFieldsWith("x"), errors, "form.error.invalid"),
                Renderer.Form(lang, AllFieldsWith("x"), errors, null),
                Renderer.Receipt(lang, Code),
                Renderer.FollowUp(lang),
            };
            foreach (var page in pages)
            {
                Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
                Assert.Contains($"<html lang=\"{lang}\" dir=\"ltr\">", page, StringComparison.Ordinal);
                Assert.DoesNotContain("{{", page, StringComparison.Ordinal);
                Assert.EndsWith("</html>", page, StringComparison.Ordinal);
            }
        }

        var settings = new TriagePageSettings(TriagePageSettings.EntraMode, "tenant", "client", "api://x/Tips.Read", "https://login.microsoftonline.com/tenant", true);
        foreach (var lang in LanguageChoice.Triage)
        {
            foreach (var page in new[] { Renderer.Triage(lang, settings), Renderer.TriageSignedIn(lang, msalAvailable: true) })
            {
                Assert.Contains($"<html lang=\"{lang}\" dir=\"ltr\">", page, StringComparison.Ordinal);
                Assert.EndsWith("</html>", page, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Typed_values_errors_and_receipts_are_html_encoded(string lang)
    {
        const string Hostile = "<script>alert(\"x\")</script>' onfocus='x' \"><img src=x>";
        var errors = new Dictionary<string, string> { ["narrative"] = "<b>bold</b>", ["region"] = "too-long" };
        var form = Renderer.Form(lang, AllFieldsWith(Hostile), errors, null);
        var receipt = Renderer.Receipt(lang, new FollowUpCodeForms(Hostile, Hostile));

        foreach (var page in new[] { form, receipt })
        {
            Assert.DoesNotContain("<script>alert", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x>", page, StringComparison.Ordinal);
            Assert.DoesNotContain("' onfocus='x'", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>", page, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#x27; onfocus=&#x27;x&#x27;", page, StringComparison.Ordinal);
        }

        // An unknown error code falls back to the generic message rather than showing the code.
        Assert.Contains(Encoded(Texts(lang)["error.invalid"]), form, StringComparison.Ordinal);
        Assert.Contains(Encoded(Texts(lang)["error.region.too-long"]), form, StringComparison.Ordinal);
    }

    [Fact]
    public void Korean_and_Chinese_text_is_kept_readable_and_line_breaks_survive_in_the_narrative()
    {
        var values = new Dictionary<string, string> { ["narrative"] = "\n두만강 근처에서\n脱北者", ["region"] = "吉林省" };
        var form = Renderer.Form("ko", values, WebResources.NoValues(), null);
        Assert.Contains("두만강 근처에서", form, StringComparison.Ordinal);
        Assert.Contains("value=\"吉林省\"", form, StringComparison.Ordinal);
        // The template's own line break after <textarea> is eaten by the parser, so a leading one typed is kept.
        Assert.Contains(">\n&#xA;두만강", form, StringComparison.Ordinal);
        Assert.Contains("제보 보내기", form, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void The_form_posts_exactly_the_schema_fields_the_page_language_its_submission_id_and_its_ticket(string lang)
    {
        var form = EmptyForm(lang);
        var names = ControlTag().Matches(form)
            .Select(m => NameAttribute().Match(m.Value))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToHashSet();
        Assert.True(names.SetEquals([.. TipForm.FieldNames, "lang", "submission", "ticket"]), string.Join(",", names));
        Assert.Contains("<form id=\"tip-form\" method=\"post\" action=\"/submit\" accept-charset=\"UTF-8\" novalidate", form, StringComparison.Ordinal);
        Assert.Contains($"<input type=\"hidden\" name=\"lang\" value=\"{lang}\" />", form, StringComparison.Ordinal);
    }

    [Fact]
    public void The_form_carries_the_ticket_it_is_given_encoded_in_its_hidden_field()
    {
        var form = Renderer.Form("en", new Dictionary<string, string>(), new Dictionary<string, string>(), null, ticket: "AbC_-\"<x>");

        Assert.Contains("<input type=\"hidden\" name=\"ticket\" value=\"AbC_-&quot;&lt;x&gt;\" />", form, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_fresh_form_carries_a_new_submission_id_and_a_returned_form_carries_the_posted_one()
    {
        var posted = SubmissionId.New();

        var fresh = new[] { EmptyForm("en"), EmptyForm("en") }.Select(SubmissionIdOf).ToList();
        var returned = SubmissionIdOf(Renderer.Form("en", new Dictionary<string, string>(), new Dictionary<string, string>(), "form.error.unavailable", posted));

        Assert.All(fresh, id => Assert.True(SubmissionId.TryParse(id, out _), id));
        Assert.NotEqual(fresh[0], fresh[1]);
        Assert.Equal(posted.ToString(), returned);
    }

    private static string SubmissionIdOf(string form) =>
        Regex.Match(form, "<input type=\"hidden\" name=\"submission\" value=\"([^\"]*)\" />").Groups[1].Value;

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_control_has_a_label_help_and_an_error_slot(string lang)
    {
        var form = EmptyForm(lang);
        var ids = IdAttribute().Matches(form).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());

        foreach (Match control in ControlTag().Matches(form))
        {
            if (control.Value.Contains("type=\"hidden\"", StringComparison.Ordinal))
            {
                continue;
            }

            var id = IdAttribute().Match(control.Value);
            Assert.True(id.Success, control.Value);
            Assert.Contains($"<label for=\"{id.Groups[1].Value}\">", form, StringComparison.Ordinal);
        }

        foreach (var field in TipForm.FieldNames)
        {
            Assert.Contains($"<p class=\"error\" id=\"error-{field}\">", form, StringComparison.Ordinal);
            Assert.Contains($"error-{field}\"", DescribedBy().Matches(form).Select(m => m.Value).First(v => v.Contains($"error-{field}\"", StringComparison.Ordinal)), StringComparison.Ordinal);
        }

        foreach (Match describedBy in DescribedBy().Matches(form))
        {
            foreach (var reference in describedBy.Groups[1].Value.Split(' '))
            {
                Assert.Contains(reference, ids);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void The_page_keeps_to_the_content_security_policy(string lang)
    {
        foreach (var page in new[] { EmptyForm(lang), Renderer.Receipt(lang, Code), Renderer.FollowUp(lang) })
        {
            foreach (Match script in ScriptTag().Matches(page))
            {
                Assert.True(
                    script.Value is "<script type=\"module\" src=\"/assets/app.js\">" or "<script type=\"application/json\" id=\"facts\">",
                    script.Value);
            }

            Assert.DoesNotMatch(StyleAttribute(), page);
            Assert.DoesNotMatch("<style", page);
            Assert.DoesNotMatch(EventHandlerAttribute(), page);
            Assert.DoesNotContain("javascript:", page, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(["https://www.wikipedia.org/"], AbsoluteUrl().Matches(page).Select(m => m.Value).Distinct());
            Assert.Contains("<a id=\"quick-exit\" class=\"quick-exit\" href=\"https://www.wikipedia.org/\" rel=\"noreferrer\">", page, StringComparison.Ordinal);
            Assert.Contains("<link rel=\"stylesheet\" href=\"/assets/app.css\">", page, StringComparison.Ordinal);
            Assert.Contains("<link rel=\"icon\" href=\"/assets/favicon.svg\"", page, StringComparison.Ordinal);
            Assert.DoesNotMatch(ProtocolRelativeUrl(), page);
        }
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void The_facts_block_holds_every_error_and_status_text_and_no_angle_bracket(string lang)
    {
        var form = EmptyForm(lang);
        var block = TranslationTests.FactsScript().Match(form).Groups[1].Value;
        Assert.DoesNotContain("<", block, StringComparison.Ordinal);
        var messages = TranslationTests.FactsBlock(form).GetProperty("messages").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        var expected = Texts(lang).Keys.Where(k => ReporterFacts.MessageKeyPrefixes.Any(prefix => k.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.Contains("followUp.notRecognised", expected);
        Assert.True(messages.Keys.ToHashSet().SetEquals(expected));
        Assert.Equal(Texts(lang)["status.tooLong"], messages["status.tooLong"]);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void The_page_has_the_elements_the_script_and_the_browser_tests_rely_on(string lang)
    {
        var form = EmptyForm(lang);
        foreach (var id in new[] { "tip-form", "form-status", "receipt", "receipt-code", "quick-exit", "facts", "submit-button", "encryption-note" })
        {
            Assert.Contains($"id=\"{id}\"", form, StringComparison.Ordinal);
        }

        Assert.Contains("<section id=\"receipt\" class=\"receipt\" hidden", form, StringComparison.Ordinal);
        Assert.Contains("<p class=\"help\" id=\"follow-up-note\">", form, StringComparison.Ordinal);
        Assert.Contains("<noscript>", form, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/?lang=ko\" hreflang=\"ko\" lang=\"ko\">한국어</a>", form, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/?lang=zh-Hans\" hreflang=\"zh-Hans\" lang=\"zh-Hans\">简体中文</a>", form, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/?lang=en\" hreflang=\"en\" lang=\"en\">English</a>", form, StringComparison.Ordinal);
        Assert.Contains("role=\"alert\"", form, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_and_posted_choices_are_shown_as_selected()
    {
        var fresh = EmptyForm("zh-Hans");
        Assert.Contains("value=\"unknown\" checked />", fresh, StringComparison.Ordinal);
        Assert.Contains("<option value=\"zh-Hans\" selected>", fresh, StringComparison.Ordinal);
        Assert.DoesNotContain("<option value=\"ko\" selected>", fresh, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"category\" value=\"detention\" checked", fresh, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(fresh, " selected>"));

        var values = new Dictionary<string, string>
        {
            ["category"] = "forced-marriage",
            ["urgency"] = "imminent",
            ["language"] = "ru",
            ["country"] = "kp",
        };
        var posted = Renderer.Form("ko", values, WebResources.NoValues(), null);
        Assert.Contains("value=\"forced-marriage\" checked />", posted, StringComparison.Ordinal);
        Assert.Contains("value=\"imminent\" checked />", posted, StringComparison.Ordinal);
        Assert.DoesNotContain("value=\"unknown\" checked />", posted, StringComparison.Ordinal);
        Assert.Contains("<option value=\"ru\" selected>", posted, StringComparison.Ordinal);
        Assert.Contains("<option value=\"KP\" selected>북한(조선)</option>", posted, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(posted, " selected>"));

        var bogus = Renderer.Form("en", new Dictionary<string, string> { ["country"] = "\"><x" }, WebResources.NoValues(), null);
        Assert.Single(Regex.Matches(bogus, " selected>"));
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void The_likely_countries_come_first_then_every_other_country_once(string lang)
    {
        var options = CountryOption().Matches(EmptyForm(lang)).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(CountryList.LikelyCodes, options.Take(CountryList.LikelyCodes.Count));
        Assert.Equal(Core.Tips.CountryCodes.Count, options.Count);
        Assert.Equal(options.Count, options.Distinct().Count());
        Assert.Contains($"<option value=\"\">{Encoded(Texts(lang)["country.none"])}</option>", EmptyForm(lang), StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_mark_fields_invalid_and_use_the_most_specific_message()
    {
        var errors = new Dictionary<string, string> { ["narrative"] = "required", ["observedTo"] = "from-after-to", ["urgency"] = "unheard-of" };
        var form = Renderer.Form("en", WebResources.NoValues(), errors, null);
        Assert.Contains("<p class=\"error\" id=\"error-narrative\">Please describe what happened.</p>", form, StringComparison.Ordinal);
        Assert.Contains($"<p class=\"error\" id=\"error-observedTo\">{Encoded(Texts("en")["error.observedTo.from-after-to"])}</p>", form, StringComparison.Ordinal);
        Assert.Contains($"<p class=\"error\" id=\"error-urgency\">{Encoded(Texts("en")["error.invalid"])}</p>", form, StringComparison.Ordinal);
        Assert.Contains("<p class=\"error\" id=\"error-region\"></p>", form, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Count(form, "aria-invalid=\"true\""));
        Assert.Contains($"tabindex=\"-1\">{Encoded(Texts("en")[Pages.FixErrorsKey])}</div>", form, StringComparison.Ordinal);

        var unavailable = Renderer.Form("ko", WebResources.NoValues(), WebResources.NoValues(), "form.error.unavailable");
        Assert.Contains(Texts("ko")["form.error.unavailable"], unavailable, StringComparison.Ordinal);
        Assert.DoesNotContain("aria-invalid", unavailable, StringComparison.Ordinal);
        Assert.Contains("tabindex=\"-1\"></div>", EmptyForm("en"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_receipt_page_shows_the_code_and_links_back_in_the_same_language()
    {
        var page = Renderer.Receipt("zh-Hans", Code);
        Assert.Contains("<p id=\"receipt-code\" class=\"receipt-code\" translate=\"no\">SGANX-9ZH79-1RSNG-ZD2HQ</p>", page, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/?lang=zh-Hans\">", page, StringComparison.Ordinal);
        Assert.Contains(Texts("zh-Hans")["receipt.followUpKeep"], page, StringComparison.Ordinal);
        Assert.Contains("id=\"quick-exit\"", page, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void The_no_script_receipt_shows_the_follow_up_code_in_both_forms_with_every_warning_and_no_intake_receipt(string lang)
    {
        var page = Renderer.Receipt(lang, Code);
        var texts = Texts(lang);

        Assert.Contains("<p id=\"receipt-code\" class=\"receipt-code\" translate=\"no\">SGANX-9ZH79-1RSNG-ZD2HQ</p>", page, StringComparison.Ordinal);
        Assert.Contains("<p id=\"receipt-code-digits\" class=\"receipt-code\" translate=\"no\">0986 8871 3197 1941 1136 3478 2626 6346</p>", page, StringComparison.Ordinal);
        foreach (var key in new[]
        {
            "receipt.followUpLabel", "noScriptReceipt.lettersLabel", "noScriptReceipt.digitsLabel", "noScriptReceipt.eitherForm",
            "receipt.followUpOnly", "receipt.followUpUse", "receipt.followUpLink", "receipt.followUpKeep", "receipt.followUpAnyone",
            "receipt.followUpExpiry", "receipt.close",
        })
        {
            Assert.Contains(Encoded(texts[key]), page, StringComparison.Ordinal);
        }

        Assert.Contains($"<a href=\"/follow-up?lang={lang}\">", page, StringComparison.Ordinal);

        // One code for the reporter, not two: nothing of the intake receipt, and nothing hidden for a script to reveal.
        foreach (var key in new[] { "receipt.codeLabel", "receipt.useCode", "receipt.keepSafe", "receipt.showDigits" })
        {
            Assert.DoesNotContain(Encoded(texts[key]), page, StringComparison.Ordinal);
        }

        var start = page.IndexOf("<section id=\"receipt\"", StringComparison.Ordinal);
        Assert.DoesNotContain(" hidden", page[start..page.IndexOf("</section>", start, StringComparison.Ordinal)], StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_languages_and_unknown_keys_are_refused()
    {
        Assert.Throws<ArgumentException>(() => EmptyForm("fr"));
        Assert.Throws<ArgumentException>(() => Renderer.Receipt("ko-KR", Code));
        Assert.Throws<KeyNotFoundException>(() => Texts("en")["no.such.key"]);
        Assert.Throws<KeyNotFoundException>(() => Renderer.Form("en", WebResources.NoValues(), WebResources.NoValues(), "no.such.key"));
        Assert.Equal("Send report", Texts("en")["form.submit"]);
    }

    [Fact]
    public void A_text_a_page_uses_but_no_language_has_fails_the_render()
    {
        // Every language lacks it alike, so the translations load; the page, which asks for it, does not render.
        string Load(string name) => WebResources.Read(name).Replace("\"form.submit\"", "\"form.submitt\"", StringComparison.Ordinal);
        var pages = new Pages(new Translations(Load), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);

        var exception = Assert.Throws<KeyNotFoundException>(() => pages.Form("en", WebResources.NoValues(), WebResources.NoValues(), null));
        Assert.Contains("form.submit", exception.Message, StringComparison.Ordinal);
        Assert.Contains("ABCDE", pages.Receipt("en", new FollowUpCodeForms("ABCDE", "12345")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_translation_missing_from_one_language_fails_when_the_translations_are_loaded()
    {
        string Load(string name) =>
            name == "Web/i18n/ko.json" ? WebResources.Read(name).Replace("\"form.submit\"", "\"form.submitt\"", StringComparison.Ordinal) : WebResources.Read(name);
        var exception = Assert.Throws<InvalidOperationException>(() => new Translations(Load));
        Assert.Contains("form.submit", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_pages_assets_and_translations_are_embedded_under_their_web_paths()
    {
        var names = WebResources.Names();
        foreach (var name in new[] { "Web/assets/app.css", "Web/assets/app.js", "Web/assets/form.js", "Web/assets/jwe.js", "Web/assets/validation.js", "Web/assets/favicon.svg", "Web/i18n/en.json", "Web/i18n/ko.json", "Web/i18n/zh-Hans.json" })
        {
            Assert.Contains(name, names);
        }

        Assert.DoesNotContain(names, n => n.EndsWith(".cs", StringComparison.Ordinal) || n.EndsWith(".razor", StringComparison.Ordinal) || n.EndsWith(".html", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, null, "en")]
    [InlineData("", "", "en")]
    [InlineData("ko", "en-US,en;q=0.9", "ko")]
    [InlineData("zh-Hans", null, "zh-Hans")]
    [InlineData("ZH-hans", null, "zh-Hans")]
    [InlineData("en", "ko-KR", "en")]
    [InlineData("fr", "ko-KR,ko;q=0.9", "ko")]
    [InlineData("<script>", "zh-CN", "zh-Hans")]
    [InlineData(null, "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "ko")]
    [InlineData(null, "ko", "ko")]
    [InlineData(null, "zh-CN,zh;q=0.9", "zh-Hans")]
    [InlineData(null, "zh-SG", "zh-Hans")]
    [InlineData(null, "zh-TW,zh;q=0.9,en;q=0.8", "zh-Hans")]
    [InlineData(null, "zh-HK", "zh-Hans")]
    [InlineData(null, "zh-Hant-TW", "zh-Hans")]
    [InlineData(null, "zh", "zh-Hans")]
    [InlineData(null, "en-GB", "en")]
    [InlineData(null, "fr-FR,fr;q=0.9,ko;q=0.5,en;q=0.4", "ko")]
    [InlineData(null, "en;q=0.3,zh-CN;q=0.8", "zh-Hans")]
    [InlineData(null, "ko;q=0,zh;q=0.1", "zh-Hans")]
    [InlineData(null, "fr, de", "en")]
    [InlineData(null, "*", "en")]
    [InlineData(null, "kok-IN, kor", "en")]
    [InlineData(null, "ko;q=abc", "ko")]
    [InlineData(null, "en, ko", "en")]
    [InlineData(null, ";;,,;q=", "en")]
    public void ChooseLanguage_prefers_the_explicit_choice_then_the_browsers_languages(string? requested, string? acceptLanguage, string expected) =>
        Assert.Equal(expected, LanguageChoice.Choose(requested, acceptLanguage));

    private static string Encoded(string text) => System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All).Encode(text);

    [GeneratedRegex(@"<(?:input|select|textarea)\b[^>]*>")]
    private static partial Regex ControlTag();

    [GeneratedRegex(@"\bname=""([^""]*)""")]
    private static partial Regex NameAttribute();

    [GeneratedRegex(@"\bid=""([^""]*)""")]
    private static partial Regex IdAttribute();

    [GeneratedRegex(@"aria-describedby=""([^""]*)""")]
    private static partial Regex DescribedBy();

    [GeneratedRegex(@"<script\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"\sstyle\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex StyleAttribute();

    [GeneratedRegex(@"<[^>]*\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandlerAttribute();

    [GeneratedRegex(@"https?://[^""'\s<>]+", RegexOptions.IgnoreCase)]
    private static partial Regex AbsoluteUrl();

    [GeneratedRegex(@"(?:src|href|action)=""//")]
    private static partial Regex ProtocolRelativeUrl();

    [GeneratedRegex(@"<option value=""([A-Z]{2})""")]
    private static partial Regex CountryOption();
}
