using System.Text.Json;
using System.Text.RegularExpressions;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Tips;
using TipIntake.Functions.Triggers;
using TipIntake.Functions.Web;

namespace TipIntake.Functions.Tests.Web;

/// <summary>
/// The reporter form's scripts and the facts the server sends them. The scripts cannot run here (no browser, no node
/// in the unit tests); the browser tests drive them for real. These check that every server fact reaches them from
/// TipIntake.Core through the #facts block — none is copied into a script — and keep risky APIs out of them.
/// </summary>
public sealed partial class ReporterScriptTests
{
    private static readonly Dictionary<string, string> Scripts =
        TranslationTests.ReporterScripts.ToDictionary(name => name, WebResources.Read);

    // JSON.stringify in the browser escapes no letters: Korean takes its three UTF-8 bytes, as in the padded tip.
    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string StampModule = WebResources.Read("Web/assets/stamp.js");

    private static readonly string StampWorker = WebResources.Read("Web/assets/stamp-worker.js");

    private static JsonElement Facts(string lang = "en") =>
        TranslationTests.FactsBlock(WebResources.Pages.Form(lang, WebResources.NoValues(), WebResources.NoValues(), null));

    [Fact]
    public void The_facts_block_carries_the_servers_fields_bounds_and_values()
    {
        var facts = Facts();
        Assert.Equal(TipForm.FieldNames, Strings(facts.GetProperty("fields")));
        var max = facts.GetProperty("maxCharacters");
        Assert.Equal(TipLimits.NarrativeMaxCharacters, max.GetProperty("narrative").GetInt32());
        Assert.Equal(TipLimits.RegionMaxCharacters, max.GetProperty("region").GetInt32());
        Assert.Equal(TipLimits.PlaceMaxCharacters, max.GetProperty("place").GetInt32());
        Assert.Equal(TipLimits.ContactMaxCharacters, max.GetProperty("contact").GetInt32());
        Assert.Equal(TipLimits.PeopleCountMax, facts.GetProperty("peopleCountMax").GetInt32());
        Assert.Equal(TipEnvelope.MaxJweLength, facts.GetProperty("maxJweLength").GetInt32());
        Assert.Equal(JweAlgorithms.TipV1ContentType, facts.GetProperty("contentType").GetString());
        Assert.Equal(TipCategories.All, Strings(facts.GetProperty("categories")));
        Assert.Equal(TipUrgencies.All, Strings(facts.GetProperty("urgencies")));
        Assert.Equal(ReporterFacts.NarrativeLanguageChoices, Strings(facts.GetProperty("narrativeLanguages")));
        Assert.Equal(SubmitTip.SubmissionHeader, facts.GetProperty("submissionHeader").GetString());
    }

    [Fact]
    public void The_padding_buckets_are_the_servers_and_fit_a_queue_message_and_the_server()
    {
        var buckets = Facts().GetProperty("paddingBuckets").EnumerateArray().Select(b => b.GetInt32()).ToArray();
        Assert.Equal(TipPadding.Buckets, buckets);
        Assert.True(buckets[^1] <= TipLimits.PlaintextMaxBytes);

        // The largest JWE: base64url of the padded plaintext, a 4096-bit wrapped key, a long kid, IV and tag.
        const int HeaderJson = 400;
        static int B64(int bytes) => (bytes * 4 + 2) / 3;
        Assert.True(B64(HeaderJson) + B64(512) + B64(12) + B64(buckets[^1]) + B64(16) + 4 <= TipEnvelope.MaxJweLength);
    }

    [Fact]
    public void The_facts_block_carries_the_attachment_limits_layout_and_types_of_the_server()
    {
        var limits = new AttachmentLimits();
        var off = Facts().GetProperty("attachments");
        Assert.False(off.GetProperty("enabled").GetBoolean());

        var options = new AttachmentOptions { UploadsEnabled = true, MaxFileBytes = 32L * 1024 * 1024 };
        var pages = new Pages(WebResources.Translations, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, Microsoft.Extensions.Options.Options.Create(options));
        var files = TranslationTests.FactsBlock(pages.Form("ko", WebResources.NoValues(), WebResources.NoValues(), null)).GetProperty("attachments");
        Assert.True(files.GetProperty("enabled").GetBoolean());
        Assert.Equal(limits.MaxFilesPerTip, files.GetProperty("maxFiles").GetInt32());
        Assert.Equal(options.MaxFileBytes, files.GetProperty("maxFileBytes").GetInt64());
        Assert.Equal(limits.MaxBytesPerTip, files.GetProperty("maxBytes").GetInt64());
        Assert.Equal(ChunkLayout.SmallChunkBytes, files.GetProperty("smallChunkBytes").GetInt32());
        Assert.Equal(ChunkLayout.LargeChunkBytes, files.GetProperty("largeChunkBytes").GetInt32());
        Assert.Equal(ChunkLayout.TagBytes, files.GetProperty("tagBytes").GetInt32());
        Assert.Equal(ChunkLayout.Ladder, files.GetProperty("ladder").EnumerateArray().Select(n => n.GetInt32()));
        Assert.Equal(AttachmentManifestReader.Types.OrderBy(t => t.Key, StringComparer.Ordinal), files.GetProperty("types").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)));
    }

    /// <summary>
    /// The tip is padded to a bucket with its files named in it (docs/attachments.md, "Name the files in the tip"): a
    /// report at every text field's limit in Korean (three bytes a character), with a follow-up member and ten files whose
    /// entries are as long as the reader allows (a 256-character kid, an RSA-4096 wrap, every removed code), still fits
    /// the largest bucket.
    /// </summary>
    [Fact]
    public void A_report_at_its_limits_with_ten_files_still_fits_the_largest_padding_bucket()
    {
        var entry = new
        {
            upload = new string('u', 22), digest = new string('d', 43), chunks = 256, chunkBytes = ChunkLayout.LargeChunkBytes,
            key = new { alg = "RSA-OAEP-256", kid = new string('k', AttachmentManifestReader.MaxKeyIdLength), ek = new string('e', 683) },
            size = 268_435_455L, sha256 = new string('s', 43), type = "application/pdf", name = "document-10.pdf", handling = "re-encoded",
            removed = AttachmentManifestReader.RemovedCodes,
        };
        var tip = new
        {
            category = TipCategories.All.MaxBy(c => c.Length), narrative = new string('한', TipLimits.NarrativeMaxCharacters),
            location = new { country = "CN", region = new string('한', TipLimits.RegionMaxCharacters), place = new string('한', TipLimits.PlaceMaxCharacters) },
            observed = new { from = "2026-11-01", to = "2026-11-02" }, peopleCount = TipLimits.PeopleCountMax, urgency = TipUrgencies.All.MaxBy(u => u.Length),
            language = "zh-Hant", contact = new string('한', TipLimits.ContactMaxCharacters),
            followUp = new { v = 1, lookup = new string('l', 43), key = new { kty = "EC", crv = "P-256", x = new string('x', 43), y = new string('y', 43) }, sealedKey = new string('w', 1024) },
            attachments = Enumerable.Repeat(entry, new AttachmentLimits().MaxFilesPerTip),
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(tip, Unescaped);

        Assert.True(bytes.Length + ",\"padding\":\"\"".Length <= TipPadding.Buckets[^1], $"{bytes.Length} bytes");
    }

    [Fact]
    public void The_bidirectional_controls_the_script_refuses_are_exactly_what_the_server_refuses()
    {
        var controls = Facts().GetProperty("bidiControls").GetString()!;
        for (var c = '\u2000'; c <= '\u206F'; c++)
        {
            Assert.Equal(TipReader.BidiControls.Contains(c), controls.Contains(c, StringComparison.Ordinal));
        }

        // The short fields and the contact refuse them; the narrative may keep them (TipReader does the same).
        var validation = Scripts["Web/assets/validation.js"];
        Assert.Contains("textProblem(data[field], max[field], shortField)", validation, StringComparison.Ordinal);
        Assert.Contains("textProblem(data.contact, max.contact, { multiline: true, bidiControls: facts.bidiControls })", validation, StringComparison.Ordinal);
        Assert.Contains("textProblem(data.narrative, max.narrative, { multiline: true })", validation, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ServerFactLiterals))]
    public void No_script_keeps_a_copy_of_a_server_fact(string literal)
    {
        foreach (var (name, script) in Scripts)
        {
            Assert.False(script.Contains(literal, StringComparison.Ordinal), $"{name} holds {literal}");
        }
    }

    public static TheoryData<string> ServerFactLiterals() =>
    [
        .. new[]
            {
                TipLimits.NarrativeMaxCharacters, TipLimits.RegionMaxCharacters, TipLimits.ContactMaxCharacters, TipLimits.PeopleCountMax, TipEnvelope.MaxJweLength,
                ChunkLayout.SmallChunkBytes, ChunkLayout.LargeChunkBytes, ChunkLayout.SmallPlaintextBytes, ChunkLayout.LargePlaintextBytes,
            }
            .Concat(TipPadding.Buckets).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        JweAlgorithms.TipV1ContentType,
        SubmitTip.SubmissionHeader,
        .. TipCategories.All.Select(c => $"'{c}'"),
        .. TipUrgencies.All.Select(u => $"'{u}'"),
        "'observedFrom', 'observedTo', 'peopleCount'",
        "\\u202A",
        "5, 6, 8, 10",
        "'image/heic'",
        "'audio/mpeg'",
    ];

    [Fact]
    public void It_encrypts_with_webcrypto_exactly_as_contract_2_says()
    {
        var jwe = Scripts["Web/assets/jwe.js"];
        Assert.Contains("fetch('/api/intake-key'", jwe, StringComparison.Ordinal);
        Assert.Equal(1, Scripts.Values.Sum(script => Regex.Count(script, "fetch\\('")));
        Assert.Contains("credentials: 'omit'", jwe, StringComparison.Ordinal);
        Assert.Contains("cache: 'no-store'", jwe, StringComparison.Ordinal);
        Assert.Contains("referrerPolicy: 'no-referrer'", jwe, StringComparison.Ordinal);
        Assert.Contains("{ kty: jwk.kty, n: jwk.n, e: jwk.e, alg: 'RSA-OAEP-256', ext: true }", jwe, StringComparison.Ordinal);
        Assert.Contains("{ name: 'RSA-OAEP', hash: 'SHA-256' }", jwe, StringComparison.Ordinal);
        Assert.Contains("{ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: jwk.kid, cty: contentType }", jwe, StringComparison.Ordinal);
        Assert.Contains("encryptToCompactJwe(plaintext, await fetchIntakeKey(), facts.contentType)", jwe, StringComparison.Ordinal);
        Assert.Contains("await resend.send(plaintext, facts)", Scripts["Web/assets/form.js"], StringComparison.Ordinal);
        Assert.Contains("{ name: 'AES-GCM', length: 256 }", jwe, StringComparison.Ordinal);
        Assert.Contains("new Uint8Array(12)", jwe, StringComparison.Ordinal);
        Assert.Contains("additionalData: utf8(encodedHeader), tagLength: 128", jwe, StringComparison.Ordinal);
        Assert.Contains("location.replace(", Scripts["Web/assets/quick-exit.js"], StringComparison.Ordinal);
        Assert.DoesNotContain("key_ops", jwe, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stamp_module_asks_for_a_challenge_and_posts_the_tip_as_contract_2_says_and_nothing_else()
    {
        Assert.Contains("fetchFn(origin + '/api/challenge', { ...REQUEST, ...(signal ? { signal } : {}) })", StampModule, StringComparison.Ordinal);
        Assert.Contains("fetchFn(origin + path, {\n          ...REQUEST,", StampModule.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("path = '/api/tips', contentType = 'application/jose'", StampModule, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(StampModule, "fetchFn\\("));
        Assert.Contains("const REQUEST = { credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' };", StampModule, StringComparison.Ordinal);
        Assert.Contains($"'Content-Type': contentType, '{SubmitTip.StampHeader}': stamp", StampModule, StringComparison.Ordinal);
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
    [InlineData("import(")]
    public void It_uses_no_storage_logging_markup_injection_or_other_origins(string forbidden)
    {
        foreach (var (name, script) in Scripts)
        {
            // The uploads' back-off waits with setTimeout (docs/attachments.md, "The form's flow"); nothing else there.
            if (forbidden == "setTimeout(" && name == "Web/assets/uploads.js")
            {
                continue;
            }

            Assert.False(script.Contains(forbidden, StringComparison.Ordinal), $"{name} uses {forbidden}");
        }

        // The stamp code yields with setTimeout between slices of hashing; nothing else is allowed there either.
        if (forbidden != "setTimeout(")
        {
            Assert.DoesNotContain(forbidden, StampModule, StringComparison.Ordinal);
            Assert.DoesNotContain(forbidden, StampWorker, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_modules_import_only_each_other_from_this_origin()
    {
        var embedded = new WebAssets();
        foreach (var (name, script) in Scripts)
        {
            foreach (Match import in ImportStatement().Matches(script))
            {
                var path = import.Groups[1].Value;
                Assert.StartsWith("./", path, StringComparison.Ordinal);
                Assert.NotNull(embedded.Find(path[2..]));
            }
        }

        Assert.Contains("import { browserStampWorkers, sendStamped } from './stamp.js';", Scripts["Web/assets/form.js"], StringComparison.Ordinal);
        Assert.Equal(["import { CounterSearch } from './stamp.js';"], Regex.Matches(StampWorker, "^import .*$", RegexOptions.Multiline).Select(m => m.Value));
        Assert.DoesNotMatch(new Regex("^import ", RegexOptions.Multiline), StampModule);
    }

    [Fact]
    public void It_sends_the_submission_id_header_the_server_reads_with_every_attempt()
    {
        Assert.Contains("headers: { [facts.submissionHeader]: submissionId },", Scripts["Web/assets/form.js"], StringComparison.Ordinal);
        var form = WebResources.Pages.Form("en", WebResources.NoValues(), WebResources.NoValues(), null);
        var id = Regex.Match(form, "name=\"submission\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.True(SubmissionId.TryParse(id, out _), id);
    }

    [Fact]
    public void It_solves_in_module_workers_of_the_embedded_stamp_worker()
    {
        Assert.Contains("new URL('./stamp-worker.js', import.meta.url)", StampModule, StringComparison.Ordinal);
        Assert.Contains("new Worker(worker, { type: 'module' })", StampModule, StringComparison.Ordinal);
        Assert.Contains("...browserStampWorkers(),", Scripts["Web/assets/form.js"], StringComparison.Ordinal);
        Assert.NotNull(new WebAssets().Find("stamp-worker.js"));
        Assert.NotNull(new WebAssets().Find("stamp.js"));

        // The page loads one script, the entry module; the others are its imports.
        var page = WebResources.Pages.Form("en", WebResources.NoValues(), WebResources.NoValues(), null);
        Assert.Equal(["<script type=\"module\" src=\"/assets/app.js\">"], Regex.Matches(page, "<script [^>]*src=[^>]*>").Select(m => m.Value));
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
    public void Every_element_the_scripts_look_up_is_on_their_page()
    {
        var form = WebResources.Pages.Form("en", WebResources.NoValues(), WebResources.NoValues(), null);
        var followUp = WebResources.Pages.FollowUp("en");
        // app.js looks up each page's root to know which page it is on.
        var ids = Scripts.Where(s => !s.Key.Contains("follow-up", StringComparison.Ordinal)).SelectMany(s => ElementIds(s.Value)).Except(["follow-up-form"]).ToHashSet();
        var followUpIds = ElementIds(Scripts["Web/assets/follow-up.js"]).Append("follow-up-form").ToHashSet();
        // The follow-up note is no longer the script's to show: both paths give a code (FormPage shows it, PagesTests).
        Assert.Superset(new HashSet<string> { "tip-form", "form-status", "receipt", "receipt-code", "receipt-code-form", "quick-exit", "facts", "submit-button", "stamp-status", "stamp-progress", "stamp-text" }, ids);
        Assert.Superset(new HashSet<string> { "follow-up-form", "follow-up-code", "follow-up-open", "follow-up-status", "thread", "thread-messages", "thread-forget", "answer-form", "answer-text", "answer-send", "answer-status", "thread-closed" }, followUpIds);
        foreach (var id in ids)
        {
            Assert.Contains($"id=\"{id}\"", form, StringComparison.Ordinal);
        }

        foreach (var id in followUpIds.Concat(["quick-exit", "facts", "stamp-status", "stamp-progress", "stamp-text"]))
        {
            Assert.Contains($"id=\"{id}\"", followUp, StringComparison.Ordinal);
        }
    }

    private static IEnumerable<string> ElementIds(string script) =>
        Regex.Matches(script, @"getElementById\('([^']+)'\)").Select(m => m.Groups[1].Value);

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    [GeneratedRegex(@"^import [^;]* from '([^']+)';$", RegexOptions.Multiline)]
    private static partial Regex ImportStatement();
}
