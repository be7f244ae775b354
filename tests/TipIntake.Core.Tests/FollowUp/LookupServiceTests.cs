using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.Tests.FollowUp;

public class LookupServiceTests
{
    /// <summary>Records every storage call by kind, without its keys (what matters is that right and wrong make the same ones).</summary>
    private sealed class RecordingStore : IFollowUpStore, IThreadMessages
    {
        public List<FollowUpThread> Threads { get; } = [];

        public Dictionary<string, string> Statuses { get; } = [];

        public List<string> Calls { get; } = [];

        public bool Down { get; set; }

        public Task PutThreadAsync(FollowUpThread thread, CancellationToken cancellationToken)
        {
            Threads.RemoveAll(t => t.LookupHash == thread.LookupHash && t.TipId == thread.TipId);
            Threads.Add(thread);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<FollowUpThread>> FindThreadsAsync(string lookupHash, int max, CancellationToken cancellationToken)
        {
            Record("query FollowUpKeys");
            return Task.FromResult<IReadOnlyList<FollowUpThread>>([.. Threads.Where(t => t.LookupHash == lookupHash).Take(max)]);
        }

        public Task<string?> ReadStatusAsync(string triageQueue, string tipId, CancellationToken cancellationToken)
        {
            Record("point read Tips");
            return Task.FromResult(Statuses.GetValueOrDefault(triageQueue + "/" + tipId));
        }

        public Task<IReadOnlyList<ThreadMessage>> ReadNewestAsync(string tipId, int max, CancellationToken cancellationToken)
        {
            Record("query TipMessages");
            return Task.FromResult<IReadOnlyList<ThreadMessage>>([]);
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

    private readonly RecordingStore _store = new();
    private readonly FollowUpSecrets _secrets = FollowUpKeysTests.VectorSecrets();
    private readonly byte[] _lookup = RandomNumberGenerator.GetBytes(32);
    private readonly string _tipId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private FollowUpLookup Lookup() => new(_secrets, _store, _store);

    private FollowUpThread Enrol(string status)
    {
        var enrolments = new FollowUpEnrolments(_secrets, _store, Microsoft.Extensions.Logging.Abstractions.NullLogger<FollowUpEnrolments>.Instance);
        var member = FollowUpReaderTests.ValidMember();
        member["lookup"] = JoseBase64.Encode(_lookup);
        var read = FollowUpReader.Read(JsonDocument.Parse(member.ToJsonString()).RootElement);
        var (columns, thread) = enrolments.Prepare(read, _tipId, "detention");
        Assert.Equal(FollowUpStates.Active, columns.State);
        Assert.Equal(thread!.LookupHash, columns.LookupHash);
        _store.PutThreadAsync(thread, default).GetAwaiter().GetResult();
        _store.Statuses["detention/" + _tipId] = status;
        return thread;
    }

    [Theory]
    [InlineData("new", "received", true)]
    [InlineData("in-review", "in-review", true)]
    [InlineData("verified", "in-review", true)]
    [InlineData("escalated", "in-review", true)]
    [InlineData("dismissed", "in-review", true)]
    [InlineData("closed", "closed", false)]
    public async Task A_right_code_gets_its_thread_with_a_coarse_status(string triageStatus, string shown, bool answerable)
    {
        var thread = Enrol(triageStatus);
        var answer = await Lookup().AnswerAsync(_lookup, default);

        var root = JsonDocument.Parse(answer).RootElement;
        var only = Assert.Single(root.GetProperty("threads").EnumerateArray());
        Assert.Equal(thread.Ref, only.GetProperty("ref").GetString());
        Assert.Equal(thread.SealedKey, only.GetProperty("sealedKey").GetString());
        Assert.Equal(shown, only.GetProperty("status").GetString());
        Assert.Equal(answerable, only.GetProperty("answerable").GetBoolean());
        Assert.Equal(0, only.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task A_right_and_a_wrong_code_make_the_same_storage_calls_and_the_same_length()
    {
        Enrol("new");
        var right = await Lookup().AnswerAsync(_lookup, default);
        var rightCalls = _store.Calls.Order().ToList();
        _store.Calls.Clear();

        var wrong = await Lookup().AnswerAsync(RandomNumberGenerator.GetBytes(32), default);

        Assert.Equal(rightCalls, _store.Calls.Order().ToList());
        Assert.Equal("query FollowUpKeys", _store.Calls[0]);
        Assert.Equal(4096, right.Length);
        Assert.Equal(right.Length, wrong.Length);
        var decoy = Assert.Single(JsonDocument.Parse(wrong).RootElement.GetProperty("threads").EnumerateArray());
        Assert.Equal("received", decoy.GetProperty("status").GetString());
        Assert.Equal(FollowUpSecrets.SealedKeyLength, decoy.GetProperty("sealedKey").GetString()!.Length);
        Assert.Equal(FollowUpSecrets.RefLength, decoy.GetProperty("ref").GetString()!.Length);
    }

    [Fact]
    public async Task A_wrong_code_gets_the_same_decoy_every_time()
    {
        var wrong = RandomNumberGenerator.GetBytes(32);
        Assert.Equal(await Lookup().AnswerAsync(wrong, default), await Lookup().AnswerAsync(wrong, default));
    }

    [Fact]
    public async Task A_thread_whose_tip_is_gone_answers_as_a_wrong_code_would()
    {
        Enrol("new");
        _store.Statuses.Clear();
        var answer = await Lookup().AnswerAsync(_lookup, default);
        var decoy = _secrets.DecoyOf(_secrets.LookupHashOf(_lookup));
        Assert.Equal(decoy.Ref, JsonDocument.Parse(answer).RootElement.GetProperty("threads")[0].GetProperty("ref").GetString());
    }

    [Fact]
    public async Task Storage_down_fails_right_and_wrong_alike()
    {
        Enrol("new");
        _store.Down = true;
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Lookup().AnswerAsync(_lookup, default));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Lookup().AnswerAsync(RandomNumberGenerator.GetBytes(32), default));
    }

    [Theory]
    [InlineData("""{"v":1,"lookup":"ZwnZES-yd9dBPAeHpK1OysonRyFV4UUBtK2_Sev1-zM"}""", true)]
    [InlineData("""{ "lookup" : "ZwnZES-yd9dBPAeHpK1OysonRyFV4UUBtK2_Sev1-zM", "v" : 1 }""", true)]
    [InlineData("""{"v":1,"lookup":"ZwnZES-yd9dBPAeHpK1OysonRyFV4UUBtK2_Sev1-z"}""", false)]
    [InlineData("""{"v":1,"lookup":"ZwnZES-yd9dBPAeHpK1OysonRyFV4UUBtK2_Sev1-zMA"}""", false)]
    [InlineData("""{"v":1,"lookup":"ZwnZES-yd9dBPAeHpK1OysonRyFV4UUBtK2_Sev1-zN"}""", false)]
    [InlineData("""{"v":1,"lookup":"ZwnZES+yd9dBPAeHpK1OysonRyFV4UUBtK2/Sev1-zM"}""", false)]
    [InlineData("""{"v":1,"lookup":"ZwnZES-yd9dBPAeHpK1OysonRyFV4UUBtK2_Sev1-zM","x":0}""", false)]
    [InlineData("""{"v":1,"lookup":"ZwnZES-yd9dBPAeHpK1OysonRyFV4UUBtK2_Sev1-zM","lookup":"ZwnZES-yd9dBPAeHpK1OysonRyFV4UUBtK2_Sev1-zM"}""", false)]
    [InlineData("""{"v":2,"lookup":"ZwnZES-yd9dBPAeHpK1OysonRyFV4UUBtK2_Sev1-zM"}""", false)]
    [InlineData("""{"lookup":"ZwnZES-yd9dBPAeHpK1OysonRyFV4UUBtK2_Sev1-zM"}""", false)]
    [InlineData("""["ZwnZES-yd9dBPAeHpK1OysonRyFV4UUBtK2_Sev1-zM"]""", false)]
    [InlineData("not json", false)]
    public void The_request_is_read_strictly(string body, bool valid)
    {
        Assert.Equal(valid, LookupMessages.ReadRequest(Encoding.UTF8.GetBytes(body)) is not null);
    }

    [Fact]
    public void Answers_are_padded_to_their_bucket()
    {
        var big = new ThreadMessage("m", "organisation", "2026-12-02", new string('j', 20_000));
        Assert.Equal(4096, LookupMessages.WriteAnswer([]).Length);
        Assert.Equal(64 * 1024, LookupMessages.WriteAnswer([new LookupThread("r", "received", true, "s", 0, [big])]).Length);
        Assert.Equal(256 * 1024, LookupMessages.WriteAnswer([new LookupThread("r", "received", true, "s", 0, [big, big, big, big])]).Length);
    }
}
