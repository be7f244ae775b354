using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Tests.Fakes;

namespace TipIntake.Core.Tests.FollowUp;

/// <summary>The no-script lookup with fakes of its ports: a code typed, its thread opened on the server.</summary>
public sealed class FormFollowUpTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
    private readonly FollowUpSecrets _secrets = FollowUpKeysTests.VectorSecrets();
    private readonly Store _store = new();
    private readonly LookupGate _floor;
    private readonly FormFollowUpGate _gate;
    private readonly FollowUpSessions _sessions;

    public FormFollowUpTests()
    {
        var options = Options.Create(new FollowUpOptions { LookupFloor = TimeSpan.Zero, MaxFormLookupsPerMinute = 2 });
        var buckets = new FakeBucketStore(_time);
        _floor = new LookupGate(options, buckets, _time, NullLogger<LookupGate>.Instance);
        _gate = new FormFollowUpGate(options, buckets, _time, NullLogger<FormFollowUpGate>.Instance);
        _sessions = new FollowUpSessions(_secrets, options, _time);
    }

    public void Dispose()
    {
        _floor.Dispose();
        _gate.Dispose();
    }

    private FormFollowUp Service() => new(new FollowUpLookup(_secrets, _store, _store), _floor, _gate, _sessions, _time);

    [Fact]
    public async Task The_right_code_in_any_form_opens_the_thread_with_its_messages_and_a_session_for_answers()
    {
        var reporter = Enrol("in-review");
        var question = Message(reporter, "어느 시설입니까?", reporter.Ref);
        var moved = Message(reporter, "another thread's", JoseBase64.Encode(RandomNumberGenerator.GetBytes(16)));
        _store.Messages.AddRange([new("1", "organisation", "2026-12-02", question), new("2", "organisation", "2026-12-03", moved), new("3", "organisation", "2026-12-03", "not.a.jwe")]);

        var result = Assert.IsType<FormLookupResult.Opened>(await Service().OpenAsync(reporter.Letters.ToLowerInvariant().Replace('-', ' '), default));

        var thread = Assert.Single(result.Threads);
        Assert.Equal(LookupStatuses.InReview, thread.Status);
        Assert.Equal(["어느 시설입니까?", null, null], thread.Messages.Select(m => m.Text));
        Assert.Equal("2026-12-02", thread.Messages[0].Day);
        var session = _sessions.Open(thread.Session)!;
        Assert.Equal(reporter.Lookup, session.Lookup);
        Assert.Equal(reporter.Ref, session.Ref);
        Assert.IsType<FormLookupResult.Opened>(await Service().OpenAsync(reporter.Digits, default));
    }

    [Fact]
    public async Task A_closed_thread_opens_without_a_session()
    {
        var reporter = Enrol("closed");
        var thread = Assert.Single(Assert.IsType<FormLookupResult.Opened>(await Service().OpenAsync(reporter.Letters, default)).Threads);
        Assert.Equal(LookupStatuses.Closed, thread.Status);
        Assert.Null(thread.Session);
    }

    [Fact]
    public async Task A_wrong_code_does_the_same_storage_work_and_is_not_recognised()
    {
        var reporter = Enrol("new");
        Assert.IsType<FormLookupResult.Opened>(await Service().OpenAsync(reporter.Letters, default));
        var rightCalls = _store.Calls.Order().ToList();
        _store.Calls.Clear();
        _time.Advance(TimeSpan.FromMinutes(1));

        var wrong = new byte[12];
        RandomNumberGenerator.Fill(wrong.AsSpan(1));
        Assert.IsType<FormLookupResult.NotRecognised>(await Service().OpenAsync(FollowUpCode.FormatLetters(wrong), default));
        Assert.Equal(rightCalls, _store.Calls.Order());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("  ", null)]
    [InlineData("SGANX-9ZH79", FollowUpCodeStatus.WrongLength)]
    [InlineData("SGANX-9ZH79-1RSNG-ZD2HR", FollowUpCodeStatus.Typo)]
    public async Task A_mistyped_code_is_named_without_a_token_or_a_lookup(string? typed, FollowUpCodeStatus? status)
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(status, Assert.IsType<FormLookupResult.Mistyped>(await Service().OpenAsync(typed, default)).Status);
        }

        // Nothing was asked of storage, and the bucket (2 a minute) still holds both its tokens.
        Assert.Empty(_store.Calls);
        Assert.IsType<FormLookupResult.NotRecognised>(await Service().OpenAsync("SGANX-9ZH79-1RSNG-ZD2HQ", default));
        Assert.IsType<FormLookupResult.NotRecognised>(await Service().OpenAsync("SGANX-9ZH79-1RSNG-ZD2HQ", default));
    }

    [Fact]
    public async Task An_empty_bucket_refuses_before_the_KDF_and_the_lookup()
    {
        var reporter = Enrol("new");
        Assert.IsType<FormLookupResult.Opened>(await Service().OpenAsync(reporter.Letters, default));
        Assert.IsType<FormLookupResult.Opened>(await Service().OpenAsync(reporter.Letters, default));
        _store.Calls.Clear();

        var refused = Assert.IsType<FormLookupResult.RateLimited>(await Service().OpenAsync(reporter.Letters, default));
        Assert.Equal(TimeSpan.FromSeconds(30), refused.RetryAfter);
        Assert.Empty(_store.Calls);
    }

    [Fact]
    public async Task Storage_down_is_unavailable()
    {
        var reporter = Enrol("new");
        _store.Down = true;
        Assert.IsType<FormLookupResult.Unavailable>(await Service().OpenAsync(reporter.Letters, default));
    }

    private Reporter Enrol(string status)
    {
        var value = new byte[12];
        RandomNumberGenerator.Fill(value.AsSpan(1));
        var master = new byte[32];
        var lookup = new byte[32];
        var sealing = new byte[32];
        FollowUpKeys.DeriveMaster(value, master);
        FollowUpKeys.DeriveLookup(master, lookup);
        FollowUpKeys.DeriveSealingKey(master, sealing);
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var point = key.ExportParameters(false).Q;
        var (x, y) = (JoseBase64.Encode(point.X), JoseBase64.Encode(point.Y));
        var tipId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var threadRef = _secrets.ThreadRefOf(tipId);
        _store.Threads.Add(new FollowUpThread(_secrets.LookupHashOf(lookup), tipId, threadRef, "detention",
            $$"""{"crv":"P-256","kty":"EC","x":"{{x}}","y":"{{y}}"}""", JoseBase64.Encode(SealedReporterKey.Seal(key, sealing)), 1));
        _store.Status = status;
        return new Reporter(FollowUpCode.FormatLetters(value), FollowUpCode.FormatDigits(value), lookup, threadRef, x, y);
    }

    private static string Message(Reporter reporter, string text, string threadRef) =>
        ReporterMessageJwe.Encrypt(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { v = 1, text, language = "ko", thread = threadRef })), reporter.X, reporter.Y);

    private sealed record Reporter(string Letters, string Digits, byte[] Lookup, string Ref, string X, string Y);

    /// <summary>One tip's thread and messages; records each storage call by kind.</summary>
    private sealed class Store : IFollowUpStore, IThreadMessages
    {
        public List<FollowUpThread> Threads { get; } = [];

        public List<ThreadMessage> Messages { get; } = [];

        public List<string> Calls { get; } = [];

        public string Status { get; set; } = "new";

        public bool Down { get; set; }

        public Task PutThreadAsync(FollowUpThread thread, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<FollowUpThread>> FindThreadsAsync(string lookupHash, int max, CancellationToken cancellationToken)
        {
            Record("query FollowUpKeys");
            return Task.FromResult<IReadOnlyList<FollowUpThread>>([.. Threads.Where(t => t.LookupHash == lookupHash).Take(max)]);
        }

        public Task<string?> ReadStatusAsync(string triageQueue, string tipId, CancellationToken cancellationToken)
        {
            Record("point read Tips");
            return Task.FromResult(Threads.Exists(t => t.TipId == tipId) ? Status : null);
        }

        public Task<IReadOnlyList<ThreadMessage>> ReadNewestAsync(string tipId, int max, CancellationToken cancellationToken)
        {
            Record("query TipMessages");
            return Task.FromResult<IReadOnlyList<ThreadMessage>>(Threads.Exists(t => t.TipId == tipId) ? [.. Messages] : []);
        }

        private void Record(string call)
        {
            if (Down)
            {
                throw new StorageUnavailableException("down", new IOException());
            }

            lock (Calls)
            {
                Calls.Add(call);
            }
        }
    }
}
