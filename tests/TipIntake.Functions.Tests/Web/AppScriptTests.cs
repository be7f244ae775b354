using System.Globalization;
using System.Text.RegularExpressions;
using TipIntake.Core.Intake;
using TipIntake.Core.Tips;
using TipIntake.Functions.Web;

namespace TipIntake.Functions.Tests.Web;

/// <summary>
/// Static checks of app.js, which cannot run here (no browser, no node in the unit tests); the browser tests drive
/// it for real. These keep it in step with the server's limits and the page, and keep risky APIs out of it.
/// </summary>
public sealed partial class AppScriptTests
{
    private static readonly string Script = WebResources.Read("Web/assets/app.js");

    [Theory]
    [InlineData("NARRATIVE_MAX", TipLimits.NarrativeMaxCharacters)]
    [InlineData("REGION_MAX", TipLimits.RegionMaxCharacters)]
    [InlineData("PLACE_MAX", TipLimits.PlaceMaxCharacters)]
    [InlineData("CONTACT_MAX", TipLimits.ContactMaxCharacters)]
    [InlineData("PEOPLE_COUNT_MAX", TipLimits.PeopleCountMax)]
    [InlineData("MAX_JWE_LENGTH", TipEnvelope.MaxJweLength)]
    public void The_limits_match_the_servers(string constant, int expected)
    {
        var match = Regex.Match(Script, $@"const {constant} = (\d+);");
        Assert.True(match.Success, constant);
        Assert.Equal(expected, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Its_bidirectional_control_check_refuses_exactly_what_the_server_refuses()
    {
        var pattern = new Regex(Regex.Match(Script, @"const BIDI_CONTROL = /(.+)/;").Groups[1].Value);
        for (var c = '\u2000'; c <= '\u206F'; c++)
        {
            Assert.Equal(TipReader.BidiControls.Contains(c), pattern.IsMatch(c.ToString()));
        }

        Assert.Contains("textProblem(data[field], max, false, true)", Script, StringComparison.Ordinal);
        Assert.Contains("textProblem(data.contact, CONTACT_MAX, true, true)", Script, StringComparison.Ordinal);
        Assert.Contains("textProblem(data.narrative, NARRATIVE_MAX, true)", Script, StringComparison.Ordinal);
    }

    [Fact]
    public void The_padding_buckets_fit_a_queue_message_and_the_server()
    {
        var buckets = Regex.Match(Script, @"const PADDING_BUCKETS = \[([\d, ]+)\];").Groups[1].Value
            .Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(TipForm.PaddingBuckets, buckets);
        Assert.True(buckets[^1] <= TipLimits.PlaintextMaxBytes);

        // The largest JWE: base64url of the padded plaintext, a 4096-bit wrapped key, a long kid, IV and tag.
        const int HeaderJson = 400;
        static int B64(int bytes) => (bytes * 4 + 2) / 3;
        Assert.True(B64(HeaderJson) + B64(512) + B64(12) + B64(buckets[^1]) + B64(16) + 4 <= TipEnvelope.MaxJweLength);
    }

    [Fact]
    public void The_field_list_and_the_schema_values_match_the_server()
    {
        Assert.Equal(PageRenderer.FormFields, Strings(ArrayOf("FIELDS")));
        Assert.Equal(TipCategories.All, Strings(ArrayOf("CATEGORIES")));
        Assert.Equal(TipUrgencies.All, Strings(ArrayOf("URGENCIES")));
        Assert.Contains("const CONTENT_TYPE = 'application/vnd.tipintake.tip.v1+json';", Script, StringComparison.Ordinal);
    }

    private static readonly string StampModule = WebResources.Read("Web/assets/stamp.js");

    private static readonly string StampWorker = WebResources.Read("Web/assets/stamp-worker.js");

    [Fact]
    public void It_encrypts_with_webcrypto_exactly_as_contract_2_says()
    {
        Assert.Contains("fetch('/api/intake-key'", Script, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(Script, "fetch\\('"));
        Assert.Contains("credentials: 'omit'", Script, StringComparison.Ordinal);
        Assert.Contains("cache: 'no-store'", Script, StringComparison.Ordinal);
        Assert.Contains("referrerPolicy: 'no-referrer'", Script, StringComparison.Ordinal);
        Assert.Contains("{ kty: jwk.kty, n: jwk.n, e: jwk.e, alg: 'RSA-OAEP-256', ext: true }", Script, StringComparison.Ordinal);
        Assert.Contains("{ name: 'RSA-OAEP', hash: 'SHA-256' }", Script, StringComparison.Ordinal);
        Assert.Contains("{ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: jwk.kid, cty: CONTENT_TYPE }", Script, StringComparison.Ordinal);
        Assert.Contains("{ name: 'AES-GCM', length: 256 }", Script, StringComparison.Ordinal);
        Assert.Contains("new Uint8Array(12)", Script, StringComparison.Ordinal);
        Assert.Contains("additionalData: utf8(encodedHeader), tagLength: 128", Script, StringComparison.Ordinal);
        Assert.Contains("location.replace(", Script, StringComparison.Ordinal);
        Assert.DoesNotContain("key_ops", Script, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stamp_module_asks_for_a_challenge_and_posts_the_tip_as_contract_2_says_and_nothing_else()
    {
        Assert.Contains("fetchFn(origin + '/api/challenge', { ...REQUEST, ...(signal ? { signal } : {}) })", StampModule, StringComparison.Ordinal);
        Assert.Contains("fetchFn(origin + '/api/tips', {\n          ...REQUEST,", StampModule.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(StampModule, "fetchFn\\("));
        Assert.Contains("const REQUEST = { credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' };", StampModule, StringComparison.Ordinal);
        Assert.Contains($"'Content-Type': 'application/jose', '{TipIntake.Functions.Functions.SubmitTip.StampHeader}': stamp", StampModule, StringComparison.Ordinal);
        Assert.Contains("problem.code === 'effort-too-low'", StampModule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localStorage")]
    [InlineData("sessionStorage")]
    [InlineData("indexedDB")]
    [InlineData("document.cookie")]
    [InlineData("caches.")]
    [InlineData("history.pushState")]
    [InlineData("history.replaceState")]
    [InlineData("location.hash")]
    [InlineData("location.search")]
    [InlineData("console.")]
    [InlineData("eval(")]
    [InlineData("new Function")]
    [InlineData("innerHTML")]
    [InlineData("outerHTML")]
    [InlineData("insertAdjacentHTML")]
    [InlineData("document.write")]
    [InlineData("setTimeout(")]
    [InlineData("sendBeacon")]
    [InlineData("XMLHttpRequest")]
    [InlineData("http://")]
    [InlineData("https://")]
    [InlineData("serviceWorker")]
    public void It_uses_no_storage_logging_markup_injection_or_other_origins(string forbidden)
    {
        Assert.DoesNotContain(forbidden, Script, StringComparison.Ordinal);

        // The stamp code yields with setTimeout between slices of hashing; nothing else is allowed there either.
        if (forbidden != "setTimeout(")
        {
            Assert.DoesNotContain(forbidden, StampModule, StringComparison.Ordinal);
            Assert.DoesNotContain(forbidden, StampWorker, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void It_imports_only_the_stamp_module_of_this_origin()
    {
        Assert.Equal(1, Regex.Count(Script, "import\\("));
        Assert.Contains("import(STAMP_MODULE)", Script, StringComparison.Ordinal);
        Assert.Contains("const STAMP_MODULE = '/assets/stamp.js';", Script, StringComparison.Ordinal);
        Assert.Equal(["import { CounterSearch } from './stamp.js';"], Regex.Matches(StampWorker, "^import .*$", RegexOptions.Multiline).Select(m => m.Value));
        Assert.DoesNotMatch(new Regex("^import ", RegexOptions.Multiline), StampModule);
        Assert.DoesNotContain("import(", StampModule, StringComparison.Ordinal);
    }

    [Fact]
    public void It_sends_the_submission_id_header_the_server_reads_with_every_attempt()
    {
        Assert.Contains($"const SUBMISSION_HEADER = '{TipIntake.Functions.Functions.SubmitTip.SubmissionHeader}';", Script, StringComparison.Ordinal);
        Assert.Contains("headers: { [SUBMISSION_HEADER]: submissionId },", Script, StringComparison.Ordinal);

        // The script's own check of the page's id accepts exactly what the server's parser accepts.
        var pattern = new Regex(Regex.Match(Script, @"const SUBMISSION_PATTERN = /(.+)/;").Groups[1].Value);
        foreach (var candidate in new[] { SubmissionId.New().ToString(), "AAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAB", "AAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAA+A", "_____________________w" })
        {
            Assert.Equal(SubmissionId.TryParse(candidate, out _), pattern.IsMatch(candidate));
        }
    }

    [Fact]
    public void It_solves_in_module_workers_of_the_embedded_stamp_worker()
    {
        var worker = Regex.Match(Script, @"const STAMP_WORKER = '/assets/([^']+)';");
        Assert.True(worker.Success);
        Assert.NotNull(new WebAssets().Find(worker.Groups[1].Value));
        Assert.NotNull(new WebAssets().Find("stamp.js"));
        Assert.Contains("new Worker(STAMP_WORKER, { type: 'module' })", Script, StringComparison.Ordinal);

        // Neither is a classic script of the page (a module in a classic script tag fails to load).
        var form = WebResources.Renderer.RenderForm("en", WebResources.NoValues(), WebResources.NoValues(), null);
        Assert.DoesNotContain("/assets/stamp", form, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fetch(")]
    [InlineData("importScripts")]
    [InlineData("XMLHttpRequest")]
    [InlineData("WebSocket")]
    [InlineData("indexedDB")]
    [InlineData("caches.")]
    [InlineData("console.")]
    [InlineData("eval(")]
    [InlineData("http://")]
    [InlineData("https://")]
    public void The_stamp_worker_only_hashes(string forbidden) =>
        Assert.DoesNotContain(forbidden, StampWorker, StringComparison.Ordinal);

    [Fact]
    public void Every_element_it_looks_up_is_on_the_form_page()
    {
        var form = WebResources.Renderer.RenderForm("en", WebResources.NoValues(), WebResources.NoValues(), null);
        var ids = Regex.Matches(Script, @"getElementById\('([^']+)'\)").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Superset(new HashSet<string> { "tip-form", "form-status", "receipt", "receipt-code", "quick-exit", "messages", "submit-button", "stamp-status", "stamp-progress", "stamp-text" }, ids);
        foreach (var id in ids)
        {
            Assert.Contains($"id=\"{id}\"", form, StringComparison.Ordinal);
        }
    }

    private static string ArrayOf(string constant)
    {
        var match = Regex.Match(Script, $@"const {constant} = \[([^\]]*)\];", RegexOptions.Singleline);
        Assert.True(match.Success, constant);
        return match.Groups[1].Value;
    }

    private static string[] Strings(string list) => [.. Regex.Matches(list, "'([^']*)'").Select(m => m.Groups[1].Value)];
}
