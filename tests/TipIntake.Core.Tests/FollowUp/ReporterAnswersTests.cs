using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Jwe;
using TipIntake.Core.Tests.Triage;
using TipIntake.Core.Triage;
using TipIntake.Core.Triage.Index;
using TipIntake.Core.Triage.Search;

namespace TipIntake.Core.Tests.FollowUp;

/// <summary>A reporter's answer from its decrypted plaintext to its thread: read strictly, matched by code and ref, kept with a copy only the reporter's key opens.</summary>
public sealed class ReporterAnswersTests
{
    private const string Queue = "detention";

    private readonly FollowUpSecrets _secrets = FollowUpKeysTests.VectorSecrets();
    private readonly byte[] _lookup = RandomNumberGenerator.GetBytes(32);
    private readonly string _tipId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private readonly ECDiffieHellman _reporterKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    private readonly Threads _threads = new();
    private readonly Answers _answers = new();
    private readonly FakeTriageStore _tips = new();
    private readonly FakeIndexSets _sets = new();
    private readonly TipFlags _flags;

    public ReporterAnswersTests()
    {
        var indexer = new TriageIndexer(_sets, new FakeTipLocator(), new FakeTipRelations(_tips), new IndexHasher(RandomNumberGenerator.GetBytes(32)), Gazetteer.Default);
        _flags = new TipFlags(_tips, indexer);
        var asked = new TipSummary(_tipId, Queue, "in-review", 1, "detention", "imminent", "CN", null, DateTimeOffset.UnixEpoch, null, [], null, AwaitingReporter: true);
        _tips.Add(asked, new TipContent("narrative", null, null, null, null, "ko", null));

        var q = _reporterKey.ExportParameters(false).Q;
        var key = new ReporterPublicKey(JoseBase64.Encode(q.X), JoseBase64.Encode(q.Y));
        _threads.Items.Add(new FollowUpThread(
            _secrets.LookupHashOf(_lookup), _tipId, _secrets.ThreadRefOf(_tipId), Queue, key.Jwk, JoseBase64.Encode(new byte[204]), 1));
    }

    [Fact]
    public async Task An_answer_to_its_thread_is_kept_with_a_copy_only_the_reporters_key_opens()
    {
        var answerId = NewId();
        var hour = new DateTimeOffset(2026, 12, 3, 11, 0, 0, TimeSpan.Zero);

        var outcome = await Accept(Answer("네, 도문 구류소입니다. 이송은 금요일입니다."), answerId, hour);

        Assert.Equal(new AnswerOutcome.Stored(_tipId, Queue), outcome);
        var stored = Assert.Single(_answers.Items);
        Assert.Equal((_tipId, Queue, answerId, hour), (stored.TipId, stored.TriageQueue, stored.AnswerId, stored.ReceivedHour));
        Assert.Equal("네, 도문 구류소입니다. 이송은 금요일입니다.", stored.Text);
        Assert.Equal("ko", stored.Language);
        var copy = ReporterMessageJwe.Decrypt(stored.ForReporter, _reporterKey);
        Assert.NotNull(copy);
        Assert.Equal(1024, copy.Length);
        using var document = JsonDocument.Parse(copy);
        Assert.Equal(stored.Text, document.RootElement.GetProperty("text").GetString());
        Assert.Equal(_secrets.ThreadRefOf(_tipId), document.RootElement.GetProperty("thread").GetString());
        Assert.DoesNotContain(stored.Text, stored.ForReporter, StringComparison.Ordinal);

        // An answer settles what was asked and is new to staff; the lists and the filter follow the flags.
        var flagged = (await _tips.GetAsync(Queue, _tipId, default))!;
        Assert.Equal((true, false, 0L), (flagged.Summary.NewAnswers, flagged.Summary.AwaitingReporter, flagged.Version));
        Assert.Null(flagged.PendingIndex);
        Assert.Contains(_sets.Entries(TriageSets.NewAnswers), entry => entry.Key == IndexKeys.Order(flagged.Summary));
        Assert.Empty(_sets.Entries(TriageSets.AwaitingReporter));
    }

    [Fact]
    public async Task An_answer_whose_code_or_thread_matches_nothing_is_unmatched_and_nothing_is_kept()
    {
        var wrongCode = Answer("text", lookup: RandomNumberGenerator.GetBytes(32));
        var wrongThread = Answer("text", thread: JoseBase64.Encode(RandomNumberGenerator.GetBytes(16)));

        Assert.IsType<AnswerOutcome.Unmatched>(await Accept(wrongCode, NewId(), DateTimeOffset.UnixEpoch));
        Assert.IsType<AnswerOutcome.Unmatched>(await Accept(wrongThread, NewId(), DateTimeOffset.UnixEpoch));
        Assert.Empty(_answers.Items);
        Assert.False((await _tips.GetAsync(Queue, _tipId, default))!.Summary.NewAnswers);
    }

    public static TheoryData<string, AnswerFault> Invalid() => new()
    {
        { "not json", AnswerFault.NotJson },
        { "[]", AnswerFault.NotJson },
        { """{"v":1,"lookup":"L","thread":"T","text":"x","extra":1}""", AnswerFault.UnknownMember },
        { """{"v":1,"lookup":"L","thread":"T"}""", AnswerFault.MissingMember },
        { """{"v":2,"lookup":"L","thread":"T","text":"x"}""", AnswerFault.UnsupportedVersion },
        { """{"v":1.0,"lookup":"L","thread":"T","text":"x"}""", AnswerFault.UnsupportedVersion },
        { """{"v":1,"lookup":"short","thread":"T","text":"x"}""", AnswerFault.LookupInvalid },
        { """{"v":1,"lookup":"L","thread":"too-short","text":"x"}""", AnswerFault.ThreadInvalid },
        { """{"v":1,"lookup":"L","thread":"T","text":"   "}""", AnswerFault.TextInvalid },
        { """{"v":1,"lookup":"L","thread":"T","text":"a\u0000b"}""", AnswerFault.TextInvalid },
        { """{"v":1,"lookup":"L","thread":"T","text":"x","language":"not a tag"}""", AnswerFault.LanguageInvalid },
        { """{"v":1,"lookup":"L","thread":"T","text":"x","padding":"..."}""", AnswerFault.PaddingInvalid },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task A_plaintext_that_is_not_a_v1_answer_is_named_and_nothing_is_kept(string json, AnswerFault fault)
    {
        var filled = json.Replace("\"L\"", $"\"{JoseBase64.Encode(_lookup)}\"", StringComparison.Ordinal)
            .Replace("\"T\"", $"\"{_secrets.ThreadRefOf(_tipId)}\"", StringComparison.Ordinal);

        var outcome = await Accept(Encoding.UTF8.GetBytes(filled), NewId(), DateTimeOffset.UnixEpoch);

        Assert.Equal(new AnswerOutcome.Invalid(fault), outcome);
        Assert.Empty(_answers.Items);
    }

    [Fact]
    public async Task Text_is_counted_in_characters_not_bytes()
    {
        var korean = new string('가', AnswerReader.MaxTextCharacters);
        var tooLong = korean + "가";

        Assert.IsType<AnswerOutcome.Stored>(await Accept(Answer(korean), NewId(), DateTimeOffset.UnixEpoch));
        Assert.Equal(new AnswerOutcome.Invalid(AnswerFault.TextTooLong), await Accept(Answer(tooLong), NewId(), DateTimeOffset.UnixEpoch));
        Assert.Equal(16 * 1024, ReporterMessageJwe.Decrypt(_answers.Items[0].ForReporter, _reporterKey)!.Length);
    }

    private Task<AnswerOutcome> Accept(byte[] plaintext, string answerId, DateTimeOffset hour) =>
        new ReporterAnswers(_secrets, _threads, _answers, _flags).AcceptAsync(answerId, hour, plaintext, default);

    private byte[] Answer(string text, byte[]? lookup = null, string? thread = null) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["v"] = 1,
        ["lookup"] = JoseBase64.Encode(lookup ?? _lookup),
        ["thread"] = thread ?? _secrets.ThreadRefOf(_tipId),
        ["text"] = text,
        ["language"] = "ko",
        ["padding"] = "   ",
    }.ToJsonString(Unescaped));

    /// <summary>As a browser writes JSON: Korean as itself, three bytes a character.</summary>
    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private sealed class Threads : IFollowUpStore
    {
        public List<FollowUpThread> Items { get; } = [];

        public Task PutThreadAsync(FollowUpThread thread, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<FollowUpThread>> FindThreadsAsync(string lookupHash, int max, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<FollowUpThread>>([.. Items.Where(t => t.LookupHash == lookupHash).Take(max)]);

        public Task<string?> ReadStatusAsync(string triageQueue, string tipId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class Answers : IAnswerStore
    {
        public List<StoredAnswer> Items { get; } = [];

        public Task AppendAsync(StoredAnswer answer, CancellationToken cancellationToken)
        {
            Items.Add(answer);
            return Task.CompletedTask;
        }
    }
}
