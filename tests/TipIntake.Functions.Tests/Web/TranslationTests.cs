using System.Text.Json;
using System.Text.RegularExpressions;
using TipIntake.Core.Attachments;
using TipIntake.Core.Tips;
using TipIntake.Functions.Web;

namespace TipIntake.Functions.Tests.Web;

public sealed partial class TranslationTests
{
    private static readonly string[] ErrorCodes =
        ["required", "too-long", "not-allowed", "not-iso-3166", "in-future", "from-after-to", "out-of-range", "not-a-date", "invalid-characters"];

    private static Dictionary<string, string> Load(string lang)
    {
        using var document = JsonDocument.Parse(WebResources.Read($"Web/i18n/{lang}.json"));
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    [Fact]
    public void Every_language_has_exactly_the_same_keys()
    {
        var english = Load("en").Keys.ToHashSet();
        foreach (var lang in LanguageChoice.Reporter)
        {
            var keys = Load(lang).Keys.ToHashSet();
            Assert.Empty(english.Except(keys));
            Assert.Empty(keys.Except(english));
        }
    }

    [Fact]
    public void No_text_is_empty_and_no_text_contains_markup()
    {
        foreach (var lang in LanguageChoice.Reporter)
        {
            foreach (var (key, text) in Load(lang))
            {
                Assert.False(string.IsNullOrWhiteSpace(text), $"{lang}: {key} is empty");
                Assert.DoesNotContain("<", text, StringComparison.Ordinal);
                Assert.DoesNotContain("{{", text, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("ko")]
    [InlineData("zh-Hans")]
    public void Korean_and_Chinese_texts_are_written_in_their_own_script(string lang)
    {
        var script = lang == "ko" ? Hangul() : Han();
        var untranslated = Load(lang).Where(p => !script.IsMatch(p.Value)).Select(p => p.Key).ToList();
        Assert.Empty(untranslated);
    }

    [Fact]
    public void Every_message_the_scripts_name_exists_in_every_language_and_in_the_facts_block()
    {
        var named = ReporterScripts
            .SelectMany(name => ScriptMessageKey().Matches(WebResources.Read(name)).Select(m => m.Groups[1].Value))
            .ToHashSet();
        Assert.Contains("status.sending", named);
        Assert.Contains("status.tooLong", named);
        foreach (var lang in LanguageChoice.Reporter)
        {
            var messages = FactsBlock(WebResources.Pages.Form(lang, WebResources.NoValues(), WebResources.NoValues(), null)).GetProperty("messages")
                .EnumerateObject().Select(p => p.Name);
            Assert.Empty(named.Except(Load(lang).Keys));
            Assert.Empty(named.Except(messages));
        }
    }

    /// <summary>The reporter's page scripts (not the image scrubber, which a later page uses).</summary>
    internal static readonly string[] ReporterScripts =
        ["Web/assets/app.js", "Web/assets/facts.js", "Web/assets/follow-up.js", "Web/assets/follow-up-code.js", "Web/assets/follow-up-keys.js",
         "Web/assets/form.js", "Web/assets/jwe.js", "Web/assets/quick-exit.js", "Web/assets/validation.js",
         "Web/assets/attachments.js", "Web/assets/attachment-crypto.js", "Web/assets/uploads.js"];

    /// <summary>
    /// The attachment note's codes (what the scrubber removed and kept, docs/attachments.md) and the upload states, which
    /// attachments.js names by prefix: each has its text in every language.
    /// </summary>
    [Fact]
    public void Every_attachment_code_and_upload_state_has_a_text_in_every_language()
    {
        var keys = AttachmentManifestReader.RemovedCodes.Select(code => "attachments.code." + code)
            .Concat(new[] { "orientation", "colour-profile" }.Select(code => "attachments.keptCode." + code))
            .Concat(new[] { "preparing", "uploading", "paused", "done", "refused", "choice" }.Select(state => "attachments.state." + state))
            .ToList();
        var script = WebResources.Read("Web/assets/attachments.js");
        foreach (var state in new[] { "'preparing'", "'uploading'", "'paused'", "'done'", "'refused'", "'choice'" })
        {
            Assert.Contains(state, script, StringComparison.Ordinal);
        }

        foreach (var lang in LanguageChoice.Reporter)
        {
            Assert.Empty(keys.Except(Load(lang).Keys));
        }
    }

    [Fact]
    public void Every_error_code_has_a_generic_message_and_field_messages_name_real_fields()
    {
        foreach (var lang in LanguageChoice.Reporter)
        {
            var strings = Load(lang);
            foreach (var code in ErrorCodes.Concat(["not-a-number", "not-bcp47", "invalid"]))
            {
                Assert.True(strings.ContainsKey($"error.{code}"), $"{lang}: error.{code}");
            }

            foreach (var key in strings.Keys.Where(k => k.StartsWith("error.", StringComparison.Ordinal) && k.Count(c => c == '.') == 2))
            {
                Assert.Contains(key.Split('.')[1], TipForm.FieldNames);
            }

            Assert.True(strings.ContainsKey("error.narrative.too-long"));
            Assert.True(strings.ContainsKey("error.country.required"));
            Assert.True(strings.ContainsKey("error.observedTo.from-after-to"));
        }
    }

    [Fact]
    public void The_country_names_cover_exactly_the_assigned_iso_codes()
    {
        foreach (var lang in LanguageChoice.Reporter)
        {
            var codes = Load(lang).Keys.Where(k => CountryKey().IsMatch(k)).Select(k => k[^2..]).ToList();
            Assert.Equal(CountryCodes.Count, codes.Count);
            Assert.All(codes, code => Assert.True(CountryCodes.IsAssigned(code), code));
        }
    }

    [Fact]
    public void The_form_error_keys_the_no_script_endpoint_uses_exist()
    {
        foreach (var lang in LanguageChoice.Reporter)
        {
            foreach (var key in new[] { "form.error.invalid", "form.error.unavailable", "form.error.too-large", "form.error.unsupported", Pages.FixErrorsKey })
            {
                Assert.False(string.IsNullOrEmpty(WebResources.Translations.Reporter(lang)[key]));
            }
        }
    }

    /// <summary>The page's #facts data block, parsed.</summary>
    internal static JsonElement FactsBlock(string html)
    {
        var match = FactsScript().Match(html);
        Assert.True(match.Success, "no #facts data block");
        using var document = JsonDocument.Parse(match.Groups[1].Value);
        return document.RootElement.Clone();
    }

    [GeneratedRegex(@"'((?:status|error|followUp|attachments)\.[A-Za-z.-]*[A-Za-z-])'")]
    private static partial Regex ScriptMessageKey();

    [GeneratedRegex(@"^country\.[A-Z]{2}$")]
    private static partial Regex CountryKey();

    [GeneratedRegex(@"<script type=""application/json"" id=""facts"">(.*?)</script>", RegexOptions.Singleline)]
    internal static partial Regex FactsScript();

    [GeneratedRegex(@"[\uAC00-\uD7A3]")]
    private static partial Regex Hangul();

    [GeneratedRegex(@"[\u4E00-\u9FFF]")]
    private static partial Regex Han();
}
