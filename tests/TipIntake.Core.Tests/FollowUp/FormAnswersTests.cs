using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Tests.Fakes;
using TipIntake.Testing;

namespace TipIntake.Core.Tests.FollowUp;

/// <summary>An answer from the no-script page: the session instead of the code, the script path's plaintext, encrypted on arrival and queued.</summary>
public sealed class FormAnswersTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
    private readonly FakeIntakeKey _key = new();
    private readonly FakeTipInbox _inbox = new();
    private readonly FormFollowUpGate _gate;
    private readonly FollowUpSessions _sessions;
    private readonly FormAnswers _answers;
    private readonly byte[] _lookup = RandomNumberGenerator.GetBytes(32);
    private readonly string _ref = JoseBase64.Encode(RandomNumberGenerator.GetBytes(16));

    public FormAnswersTests()
    {
        var options = Options.Create(new FollowUpOptions { MaxFormLookupsPerMinute = 3 });
        var intakeOptions = Options.Create(new IntakeOptions { ReceiptPepper = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), RetryAfter = TimeSpan.FromSeconds(9) });
        var receipts = new ReceiptIssuer(intakeOptions);
        var intake = new TipIntakeService(_key, _inbox, new FakeClaimCheckStore(), receipts, _time, intakeOptions, new CapturingLogger<TipIntakeService>());
        _gate = new FormFollowUpGate(options, new FakeBucketStore(_time), _time, NullLogger<FormFollowUpGate>.Instance);
        _sessions = new FollowUpSessions(FollowUpKeysTests.VectorSecrets(), options, _time);
        _answers = new FormAnswers(_sessions, _gate, intake, _key, receipts);
    }

    public void Dispose() => _gate.Dispose();

    [Fact]
    public async Task An_answer_is_queued_as_the_script_paths_answer_JWE_and_the_processor_reads_it()
    {
        var text = "도문 구류소입니다.\r\n금요일입니다.";
        var result = await _answers.SendAsync(_sessions.Seal(_lookup, _ref), text, "ko", SubmissionId.New(), default);

        Assert.IsType<FormAnswerResult.Sent>(result);
        var envelope = Assert.Single(_inbox.Envelopes);
        Assert.True(JweParser.TryParse(envelope.Jwe!, TipEnvelope.MaxAnswerJweLength, out var jwe, out _));
        Assert.Equal(JweContent.Answer, jwe.Header.Content);
        Assert.True(JweDecryptor.TryDecrypt(jwe, _key.Rsa.Decrypt(jwe.EncryptedKey, RSAEncryptionPadding.OaepSHA256), out var plaintext));
        Assert.Equal(1024, plaintext.Length);
        var json = Encoding.UTF8.GetString(plaintext);
        Assert.StartsWith($$"""{"v":1,"lookup":"{{JoseBase64.Encode(_lookup)}}","thread":"{{_ref}}","text":"도문 구류소입니다.\n금요일입니다.","language":"ko","padding":"   """, json, StringComparison.Ordinal);
        var answer = AnswerReader.Read(plaintext).Answer!;
        Assert.Equal(_lookup, answer.Lookup);
        Assert.Equal((_ref, "도문 구류소입니다.\n금요일입니다.", "ko"), (answer.Thread, answer.Text, answer.Language));
    }

    [Fact]
    public async Task The_plaintext_is_what_JSON_stringify_writes_so_an_answer_of_emoji_fits_the_bucket_it_fits_in_the_browser()
    {
        var text = "🙂 \t \"quoted\" \\ 도문 \u2028 <&> \u007f";
        var session = new FollowUpSession(_lookup, _ref);
        Assert.Equal(
            "{\"v\":1,\"lookup\":\"" + JoseBase64.Encode(_lookup) + "\",\"thread\":\"" + _ref + "\",\"text\":\"🙂 \\t \\\"quoted\\\" \\\\ 도문 \u2028 <&> \u007f\",\"language\":\"en\",\"padding\":",
            Encoding.UTF8.GetString(FormAnswers.Plaintext(session, text, "en")!).TrimEnd(' ', '"', '}'));

        // Unlike .NET's JSON encoders, nothing outside quote, backslash and C0 controls is escaped (U+2028 and DEL neither).
        // 4,000 emoji are 16,000 bytes of UTF-8: the largest bucket holds them, as in the browser.
        var emoji = string.Concat(Enumerable.Repeat("🙂", 4000));
        var plaintext = FormAnswers.Plaintext(session, emoji, "en")!;
        Assert.Equal(16 * 1024, plaintext.Length);
        Assert.Equal(emoji, AnswerReader.Read(plaintext).Answer!.Text);
        Assert.IsType<FormAnswerResult.Sent>(await _answers.SendAsync(_sessions.Seal(_lookup, _ref), emoji, "en", SubmissionId.New(), default));
    }

    [Fact]
    public async Task The_same_page_posted_twice_is_one_answer_and_another_page_is_another()
    {
        var session = _sessions.Seal(_lookup, _ref);
        var submission = SubmissionId.New();
        await _answers.SendAsync(session, "Friday", "en", submission, default);
        await _answers.SendAsync(session, "Friday", "en", submission, default);
        await _answers.SendAsync(session, "Friday", "en", SubmissionId.New(), default);

        var ids = _inbox.Envelopes.Select(e => e.TipId).ToList();
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(ids[0], ids[2]);
        Assert.NotEqual(_inbox.Envelopes[0].Jwe, _inbox.Envelopes[1].Jwe);
    }

    [Theory]
    [InlineData(1, 1024)]
    [InlineData(1000, 4096)]
    [InlineData(4000, 16384)]
    public async Task Answers_are_padded_to_the_buckets_the_page_uses(int characters, int bucket)
    {
        Assert.IsType<FormAnswerResult.Sent>(await _answers.SendAsync(_sessions.Seal(_lookup, _ref), new string('가', characters), "ko", SubmissionId.New(), default));
        Assert.True(JweParser.TryParse(Assert.Single(_inbox.Envelopes).Jwe!, TipEnvelope.MaxAnswerJweLength, out var jwe, out _));
        Assert.True(JweDecryptor.TryDecrypt(jwe, _key.Rsa.Decrypt(jwe.EncryptedKey, RSAEncryptionPadding.OaepSHA256), out var plaintext));
        Assert.Equal(bucket, plaintext.Length);
    }

    [Fact]
    public async Task An_expired_or_forged_session_is_refused_before_anything_is_queued()
    {
        var session = _sessions.Seal(_lookup, _ref);
        _time.Advance(TimeSpan.FromMinutes(15));

        Assert.IsType<FormAnswerResult.SessionExpired>(await _answers.SendAsync(session, "text", "en", SubmissionId.New(), default));
        Assert.IsType<FormAnswerResult.SessionExpired>(await _answers.SendAsync(JoseBase64.Encode(RandomNumberGenerator.GetBytes(84)), "text", "en", SubmissionId.New(), default));
        Assert.IsType<FormAnswerResult.SessionExpired>(await _answers.SendAsync(null, "text", "en", SubmissionId.New(), default));
        Assert.Empty(_inbox.Envelopes);
    }

    [Theory]
    [InlineData("", AnswerFault.TextInvalid)]
    [InlineData(" \r\n ", AnswerFault.TextInvalid)]
    [InlineData("bell \u0007", AnswerFault.TextInvalid)]
    public async Task A_text_an_answer_may_not_hold_is_refused_with_its_fault(string text, AnswerFault fault)
    {
        var result = await _answers.SendAsync(_sessions.Seal(_lookup, _ref), text, "en", SubmissionId.New(), default);
        Assert.Equal(fault, Assert.IsType<FormAnswerResult.Invalid>(result).Fault);
        Assert.Empty(_inbox.Envelopes);
    }

    [Fact]
    public async Task A_lone_surrogate_is_refused()
    {
        var result = await _answers.SendAsync(_sessions.Seal(_lookup, _ref), "lone " + '\uD800' + " surrogate", "en", SubmissionId.New(), default);
        Assert.Equal(AnswerFault.TextInvalid, Assert.IsType<FormAnswerResult.Invalid>(result).Fault);
    }

    [Fact]
    public async Task A_text_over_4000_characters_is_too_long()
    {
        var result = await _answers.SendAsync(_sessions.Seal(_lookup, _ref), new string('x', 4001), "en", SubmissionId.New(), default);
        Assert.Equal(AnswerFault.TextTooLong, Assert.IsType<FormAnswerResult.Invalid>(result).Fault);
    }

    [Fact]
    public async Task Answers_take_tokens_of_the_no_script_bucket_and_an_unavailable_queue_says_so()
    {
        var session = _sessions.Seal(_lookup, _ref);
        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<FormAnswerResult.Sent>(await _answers.SendAsync(session, "text", "en", SubmissionId.New(), default));
        }

        Assert.Equal(TimeSpan.FromSeconds(20), Assert.IsType<FormAnswerResult.RateLimited>(await _answers.SendAsync(session, "text", "en", SubmissionId.New(), default)).RetryAfter);
        _time.Advance(TimeSpan.FromSeconds(20));
        _inbox.Unavailable = true;
        Assert.IsType<FormAnswerResult.Unavailable>(await _answers.SendAsync(session, "text", "en", SubmissionId.New(), default));
    }
}
