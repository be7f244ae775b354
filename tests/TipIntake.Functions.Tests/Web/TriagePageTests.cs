using System.Text.Json;
using System.Text.RegularExpressions;
using TipIntake.Core.Staff;
using TipIntake.Core.Tips;
using TipIntake.Core.Triage;
using TipIntake.Functions.Triggers;
using TipIntake.Functions.Http;
using TipIntake.Functions.Web;
using TipIntake.Infrastructure.Staff;

namespace TipIntake.Functions.Tests.Web;

/// <summary>
/// The staff's triage page: template, translations, settings and facts blocks, its script modules and its
/// Content-Security-Policy. What the scripts do in a browser is tested in TipIntake.IntegrationTests
/// (Browser.TriagePageTests, Browser.TriageWorkdayTests).
/// </summary>
public sealed partial class TriagePageTests
{
    private static readonly Pages Renderer = WebResources.Pages;

    private static Translator Texts(string lang) => WebResources.Translations.Triage(lang);

    private static readonly TriagePageSettings Development = new(TriagePageSettings.DevelopmentMode, null, null, null, null, MsalAvailable: true);

    private static readonly TriagePageSettings Entra = new(
        TriagePageSettings.EntraMode, "11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000",
        "api://tipintake-triage/Tips.Triage", "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555", MsalAvailable: true);

    public static TheoryData<string> Languages() => [.. LanguageChoice.Triage];

    /// <summary>The triage page's script modules (triage.js and what it imports), by file name, with their text.</summary>
    private static readonly Dictionary<string, string> Modules = WebResources.Names()
        .Where(name => name.StartsWith("Web/assets/triage", StringComparison.Ordinal) && name.EndsWith(".js", StringComparison.Ordinal)
            && name != "Web/assets/triage-signed-in.js")
        .ToDictionary(name => name["Web/assets/".Length..], WebResources.Read, StringComparer.Ordinal);

    private static IEnumerable<string> AllPages(string lang) =>
    [
        Renderer.Triage(lang, Development),
        Renderer.Triage(lang, Entra),
        Renderer.Triage(lang, Entra with { MsalAvailable = false }),
        Renderer.TriageSignedIn(lang, msalAvailable: true),
    ];

    [Fact]
    public void English_and_Korean_have_the_same_keys_and_no_empty_text()
    {
        var english = ReadTranslation("en");
        var korean = ReadTranslation("ko");
        Assert.Equal(english.Keys.Order(StringComparer.Ordinal), korean.Keys.Order(StringComparer.Ordinal));
        Assert.All(english.Concat(korean), pair => Assert.False(string.IsNullOrWhiteSpace(pair.Value), pair.Key));
        Assert.True(Texts("ko").Keys.ToHashSet().SetEquals(english.Keys));
        Assert.Contains(Texts("ko")["error.conflict"], Renderer.Triage("ko", Development), StringComparison.Ordinal);
    }

    [Fact]
    public void A_triage_translation_missing_from_Korean_fails_when_the_translations_are_loaded()
    {
        string Load(string name) => name == "Web/i18n/triage.ko.json"
            ? WebResources.Read(name).Replace("\"notes.add\"", "\"notes.addd\"", StringComparison.Ordinal)
            : WebResources.Read(name);
        var exception = Assert.Throws<InvalidOperationException>(() => new Translations(Load));
        Assert.Contains("notes.add", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_text_the_triage_page_uses_but_no_language_has_fails_the_render()
    {
        string Load(string name) => WebResources.Read(name).Replace("\"notes.add\"", "\"notes.addd\"", StringComparison.Ordinal);
        var pages = new Pages(new Translations(Load), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        Assert.Throws<KeyNotFoundException>(() => pages.Triage("en", Development));
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_page_renders_with_its_language_set(string lang)
    {
        foreach (var page in AllPages(lang))
        {
            Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
            Assert.Contains($"<html lang=\"{lang}\" dir=\"ltr\">", page, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void The_page_has_no_inline_script_style_or_handler_and_nothing_from_another_origin(string lang)
    {
        foreach (var page in AllPages(lang))
        {
            foreach (Match script in ScriptTag().Matches(page))
            {
                Assert.True(
                    script.Value is "<script type=\"module\" src=\"/assets/triage.js\">"
                        or "<script src=\"/assets/msal-browser.min.js\" defer>"
                        or "<script src=\"/assets/triage-signed-in.js\" defer>"
                        or "<script src=\"/assets/msal-redirect-bridge.min.js\" defer>"
                        or "<script type=\"application/json\" id=\"triage-settings\">"
                        or "<script type=\"application/json\" id=\"triage-facts\">"
                        or "<script type=\"application/json\" id=\"triage-messages\">",
                    script.Value);
            }

            Assert.DoesNotMatch(StyleAttribute(), page);
            Assert.DoesNotMatch("<style", page);
            Assert.DoesNotMatch(EventHandlerAttribute(), page);
            Assert.DoesNotContain("javascript:", page, StringComparison.OrdinalIgnoreCase);
            // Only the settings block may name another origin (the Entra ID authority, as data for MSAL.js).
            Assert.DoesNotMatch(AbsoluteUrl(), SettingsScript().Replace(page, ""));
            Assert.DoesNotMatch(ProtocolRelativeUrl(), page);
        }

        var triage = Renderer.Triage(lang, Development);
        Assert.Contains("<link rel=\"stylesheet\" href=\"/assets/app.css\">", triage, StringComparison.Ordinal);
        Assert.Contains("<link rel=\"stylesheet\" href=\"/assets/triage.css\">", triage, StringComparison.Ordinal);
    }

    [Fact]
    public void Msal_is_linked_only_for_entra_sign_in_and_only_when_it_is_embedded()
    {
        const string Msal = "<script src=\"/assets/msal-browser.min.js\" defer></script>";
        // MSAL.js, a classic deferred script, runs before the module triage.js: both wait for the parser, in order.
        Assert.Contains(Msal + "<script type=\"module\" src=\"/assets/triage.js\"></script>", Renderer.Triage("en", Entra), StringComparison.Ordinal);
        Assert.DoesNotContain(Msal, Renderer.Triage("en", Entra with { MsalAvailable = false }), StringComparison.Ordinal);
        Assert.DoesNotContain(Msal, Renderer.Triage("en", Development), StringComparison.Ordinal);
        Assert.DoesNotContain("msal-redirect-bridge", Renderer.TriageSignedIn("en", msalAvailable: false), StringComparison.Ordinal);
        Assert.Contains("msal-redirect-bridge.min.js", Renderer.TriageSignedIn("en", msalAvailable: true), StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_are_rendered_as_escaped_json_that_round_trips()
    {
        const string Hostile = "</script><script>alert(1)</script>&\"'";
        var settings = Entra with { ClientId = Hostile, Scope = "api://x/<y>" };
        var page = Renderer.Triage("ko", settings);

        var block = SettingsScript().Match(page);
        Assert.True(block.Success);
        Assert.DoesNotContain("<", block.Groups[1].Value, StringComparison.Ordinal);
        Assert.DoesNotContain(">", block.Groups[1].Value, StringComparison.Ordinal);
        Assert.DoesNotContain("&", block.Groups[1].Value, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", page, StringComparison.Ordinal);
        Assert.DoesNotContain("</script><script>", page, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(block.Groups[1].Value);
        Assert.Equal(Hostile, json.RootElement.GetProperty("clientId").GetString());
        Assert.Equal("api://x/<y>", json.RootElement.GetProperty("scope").GetString());
        Assert.Equal("entra", json.RootElement.GetProperty("authMode").GetString());
        Assert.Equal(
            ["authMode", "tenantId", "clientId", "scope", "authority", "msalAvailable"],
            json.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void The_messages_block_holds_every_triage_text_and_no_angle_bracket(string lang)
    {
        var page = Renderer.Triage(lang, Development);
        var block = MessagesScript().Match(page).Groups[1].Value;
        Assert.DoesNotContain("<", block, StringComparison.Ordinal);
        var messages = JsonSerializer.Deserialize<Dictionary<string, string>>(block)!;
        Assert.True(messages.Keys.ToHashSet().SetEquals(Texts(lang).Keys));
        Assert.Equal(Texts(lang)["error.conflict"], messages["error.conflict"]);
    }

    [Fact]
    public void The_facts_block_holds_the_workflow_the_schema_values_the_editor_role_and_the_page_size_from_core()
    {
        var block = FactsScript().Match(Renderer.Triage("en", Development)).Groups[1].Value;
        Assert.Equal(
            """{"statuses":["new","in-review","verified","escalated","dismissed","closed"],"categories":["detention","forced-repatriation","trafficking","forced-marriage","other"],"urgencies":["imminent","soon","unknown"],"editorRole":"TipTriage.Editor","pageSize":25,"followUpMessages":{"maxCharacters":4000,"paddingBuckets":[1024,4096,16384],"maxJweLength":24576,"contentType":"application/vnd.tipintake.message.v1\u002Bjson"}}""",
            block);
        using var json = JsonDocument.Parse(block);
        Assert.Equal(Core.Triage.TriageStatuses.All, json.RootElement.GetProperty("statuses").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(Core.Tips.TipCategories.All, json.RootElement.GetProperty("categories").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(Core.Tips.TipUrgencies.All, json.RootElement.GetProperty("urgencies").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(Core.Staff.StaffRoles.Editor, json.RootElement.GetProperty("editorRole").GetString());
        Assert.Equal(Core.Triage.TriageInput.DefaultPageSize, json.RootElement.GetProperty("pageSize").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_key_the_scripts_ask_for_and_every_fact_they_name_has_a_text(string lang)
    {
        var keys = Texts(lang).Keys.ToHashSet();
        var used = Modules.Values.SelectMany(script => ScriptKey().Matches(script)).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(used);
        Assert.All(used, key => Assert.Contains(key, keys));

        // The scripts name statuses, categories and urgencies from #triage-facts (named('status', …) and the filters).
        var facts = TriageFacts.Current;
        Assert.All(facts.Statuses, status => Assert.Contains($"status.{status}", keys));
        Assert.All(facts.Categories, category => Assert.Contains($"category.{category}", keys));
        Assert.All(facts.Urgencies, urgency => Assert.Contains($"urgency.{urgency}", keys));
    }

    [Fact]
    public void The_scripts_write_text_only_and_never_markup()
    {
        Assert.True(Modules.Count >= 5, string.Join(", ", Modules.Keys));
        foreach (var (name, script) in Modules)
        {
            foreach (var sink in new[] { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "localStorage" })
            {
                Assert.False(script.Contains(sink, StringComparison.Ordinal), $"{name} uses {sink}");
            }
        }

        Assert.Contains("textContent", Modules["triage-page.js"], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_module_the_entry_reaches_is_embedded_and_served_as_javascript()
    {
        var assets = new WebAssets();
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>(["triage.js"]);
        while (pending.TryDequeue(out var name))
        {
            if (!reached.Add(name))
            {
                continue;
            }

            var asset = assets.Find(name);
            Assert.True(asset is not null, $"/assets/{name} is not served");
            Assert.StartsWith("text/javascript", asset.ContentType, StringComparison.Ordinal);

            // The page shares the reporter's WebCrypto modules (JWE to the intake key, messages to a reporter's key).
            var script = Modules.TryGetValue(name, out var triageModule) ? triageModule : WebResources.Read("Web/assets/" + name);
            foreach (Match import in ModuleImport().Matches(script))
            {
                pending.Enqueue(import.Groups[1].Value);
            }
        }

        // Every module is in use: none is left behind by a split.
        Assert.Equal(Modules.Keys.Order(StringComparer.Ordinal), reached.Where(Modules.ContainsKey).Order(StringComparer.Ordinal));
        Assert.Equal(["follow-up-keys.js", "jwe.js"], reached.Where(name => !Modules.ContainsKey(name)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_scripts_keep_no_copy_of_the_server_facts()
    {
        // Where a tip may move comes with the tip (nextStatuses); the other facts from #triage-facts. Only "new" is
        // named, as the API's rule for a bulk dismissal (docs/triage.md, "Dismissing a flood").
        var facts = TriageFacts.Current;
        var copies = facts.Statuses.Where(status => status != TriageStatuses.New).Concat(facts.Categories).Append(facts.EditorRole).ToList();
        foreach (var (name, script) in Modules)
        {
            foreach (var value in copies)
            {
                Assert.False(script.Contains($"'{value}'", StringComparison.Ordinal), $"{name} names '{value}'");
            }

            Assert.DoesNotContain("TRANSITIONS", script, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_facts_are_cores()
    {
        var facts = TriageFacts.Current;
        Assert.Equal(TriageStatuses.All, facts.Statuses);
        Assert.Equal(TipCategories.All, facts.Categories);
        Assert.Equal([TipUrgencies.Imminent, TipUrgencies.Soon, TipUrgencies.Unknown], facts.Urgencies);
        Assert.Equal(StaffRoles.Editor, facts.EditorRole);
        Assert.Equal(TriageInput.DefaultPageSize, facts.PageSize);

        // Workflow order: every status the workflow knows, from "new" to the final "closed", and nothing it does not.
        Assert.All(facts.Statuses, status => Assert.True(TriageWorkflow.IsKnown(status), status));
        Assert.Equal(TriageStatuses.New, facts.Statuses[0]);
        Assert.Empty(TriageWorkflow.NextOf(facts.Statuses[^1]));
        Assert.All(facts.Statuses.SelectMany(TriageWorkflow.NextOf), next => Assert.Contains(next, facts.Statuses));
    }

    [Fact]
    public void The_facts_block_is_camel_case_json_without_angle_brackets()
    {
        var block = FactsScript().Match(Renderer.Triage("ko", Development));
        Assert.True(block.Success);
        Assert.DoesNotContain("<", block.Groups[1].Value, StringComparison.Ordinal);
        Assert.Equal(
            """{"statuses":["new","in-review","verified","escalated","dismissed","closed"],"categories":["detention","forced-repatriation","trafficking","forced-marriage","other"],"urgencies":["imminent","soon","unknown"],"editorRole":"TipTriage.Editor","pageSize":25,"followUpMessages":{"maxCharacters":4000,"paddingBuckets":[1024,4096,16384],"maxJweLength":24576,"contentType":"application/vnd.tipintake.message.v1\u002Bjson"}}""",
            block.Groups[1].Value);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void The_page_has_the_elements_the_script_and_the_browser_test_rely_on(string lang)
    {
        var page = Renderer.Triage(lang, Development);
        var ids = Modules.Values.SelectMany(script => ScriptId().Matches(script)).Select(m => m.Groups[1].Value).Distinct().ToList();
        foreach (var id in ids)
        {
            Assert.Contains($"id=\"{id}\"", page, StringComparison.Ordinal);
        }

        Assert.Contains("<a href=\"/triage?lang=ko\" hreflang=\"ko\" lang=\"ko\">한국어</a>", page, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/triage?lang=en\" hreflang=\"en\" lang=\"en\">English</a>", page, StringComparison.Ordinal);
        Assert.Contains("role=\"alert\"", page, StringComparison.Ordinal);
        Assert.Contains("aria-live=\"polite\"", page, StringComparison.Ordinal);
        foreach (Match label in LabelFor().Matches(page))
        {
            Assert.Contains($"id=\"{label.Groups[1].Value}\"", page, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("ko", null, "ko")]
    [InlineData("zh-Hans", "ko-KR", "en")]
    [InlineData(null, "zh-CN,zh;q=0.9", "en")]
    [InlineData(null, "ko-KR,ko;q=0.9", "ko")]
    [InlineData("fr", null, "en")]
    [InlineData("EN", "ko", "en")]
    public void The_triage_language_is_korean_or_english(string? requested, string? acceptLanguage, string expected) =>
        Assert.Equal(expected, LanguageChoice.ChooseTriage(requested, acceptLanguage));

    [Fact]
    public void Unsupported_triage_languages_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Renderer.Triage("zh-Hans", Development));
        Assert.Throws<KeyNotFoundException>(() => Texts("en")["form.submit"]);
    }

    [Fact]
    public void The_triage_policy_adds_the_entra_instance_for_connect_and_frame_only()
    {
        var policy = SecurityHeaders.ContentSecurityPolicyOf(ContentPolicy.Triage, new Uri("https://login.microsoftonline.us/some/path/"));
        var directives = Directives(policy);
        var strict = Directives(SecurityHeaders.ContentSecurityPolicyOf(ContentPolicy.Strict));

        Assert.Equal("'self' https://login.microsoftonline.us", directives["connect-src"]);
        Assert.Equal("'self' https://login.microsoftonline.us", directives["frame-src"]);
        foreach (var (name, value) in strict.Where(d => d.Key != "connect-src"))
        {
            Assert.Equal(value, directives[name]);
        }

        Assert.Equal(strict.Count + 1, directives.Count);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("*", policy, StringComparison.Ordinal);
        Assert.Equal("'self'", strict["connect-src"]);
        Assert.DoesNotContain("frame-src", SecurityHeaders.ContentSecurityPolicyOf(ContentPolicy.Strict), StringComparison.Ordinal);
        Assert.DoesNotContain("microsoftonline", SecurityHeaders.ContentSecurityPolicyOf(ContentPolicy.Strict), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://login.microsoftonline.com/")]
    [InlineData("https://user@login.microsoftonline.com/")]
    public void An_instance_that_is_not_plain_https_is_refused(string instance) =>
        Assert.Throws<ArgumentException>(() => SecurityHeaders.ContentSecurityPolicyOf(ContentPolicy.Triage, new Uri(instance)));

    [Fact]
    public void The_sign_in_bridge_may_be_framed_by_this_origin_only_and_calls_nothing()
    {
        var directives = Directives(SecurityHeaders.ContentSecurityPolicyOf(ContentPolicy.SignInBridge));
        Assert.Equal("'self'", directives["frame-ancestors"]);
        Assert.Equal("'none'", directives["connect-src"]);
        Assert.Equal("'self'", directives["script-src"]);
        Assert.Equal("'none'", directives["default-src"]);
    }

    [Fact]
    public void Development_sign_in_only_in_development_without_entra_configuration()
    {
        var unconfigured = new StaffAuthOptions();
        var configured = new StaffAuthOptions
        {
            TenantId = "tenant-1",
            ClientId = "client-1",
            Audience = "api://tipintake-triage",
            Scope = "api://tipintake-triage/Tips.Triage",
            Instance = new Uri("https://login.microsoftonline.com/"),
        };

        Assert.Equal("development", TriagePage.Settings(unconfigured, isDevelopment: true, msalAvailable: false).AuthMode);
        Assert.Equal("entra", TriagePage.Settings(unconfigured, isDevelopment: false, msalAvailable: true).AuthMode);
        var entra = TriagePage.Settings(configured, isDevelopment: true, msalAvailable: true);
        Assert.Equal("entra", entra.AuthMode);
        Assert.Equal("https://login.microsoftonline.com/tenant-1", entra.Authority);
        Assert.Equal("client-1", entra.ClientId);
        Assert.Equal("api://tipintake-triage/Tips.Triage", entra.Scope);
    }

    private static Dictionary<string, string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => d.Split(' ', 2))
            .ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "", StringComparer.Ordinal);

    private static Dictionary<string, string> ReadTranslation(string lang)
    {
        using var document = JsonDocument.Parse(WebResources.Read($"Web/i18n/triage.{lang}.json"));
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"\sstyle\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex StyleAttribute();

    [GeneratedRegex(@"\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandlerAttribute();

    [GeneratedRegex(@"https?://")]
    private static partial Regex AbsoluteUrl();

    [GeneratedRegex(@"(src|href|action)=""//")]
    private static partial Regex ProtocolRelativeUrl();

    [GeneratedRegex(@"<script type=""application/json"" id=""triage-settings"">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex SettingsScript();

    [GeneratedRegex(@"<script type=""application/json"" id=""triage-messages"">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex MessagesScript();

    [GeneratedRegex(@"<script type=""application/json"" id=""triage-facts"">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex FactsScript();

    [GeneratedRegex(@"\bfrom '\./([a-z-]+\.js)';")]
    private static partial Regex ModuleImport();

    [GeneratedRegex(@"\bt\('([a-zA-Z.-]+)'\)")]
    private static partial Regex ScriptKey();

    [GeneratedRegex(@"\$\('([a-z-]+)'\)")]
    private static partial Regex ScriptId();

    [GeneratedRegex(@"<label for=""([^""]+)""")]
    private static partial Regex LabelFor();
}
