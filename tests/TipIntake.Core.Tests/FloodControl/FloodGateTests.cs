using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.FloodControl;
using TipIntake.Core.Intake;
using TipIntake.Core.Tests.Fakes;
using TipIntake.Testing;

namespace TipIntake.Core.Tests.FloodControl;

public sealed class FloodGateTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 16, 5, 0, TimeSpan.Zero));
    private readonly CapturingLogger<FloodGate> _logger = new();
    private readonly FakeFloodLedger _ledger = new();
    private readonly FakeBucketStore _buckets;
    private FloodState _state = null!;

    public FloodGateTests() => _buckets = new FakeBucketStore(_time);

    private FloodGate Gate(Action<FloodControlOptions>? configure = null, FakeFloodLedger? ledger = null)
    {
        var options = new FloodControlOptions { ChallengeKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        configure?.Invoke(options);
        _state = new FloodState(Options.Create(options));
        return new FloodGate(Options.Create(options), _state, ledger ?? _ledger, _buckets, _time, _logger);
    }

    private static string Solved(FloodGate gate)
    {
        var issued = gate.IssueChallenge();
        return Stamps.Solve(issued.Challenge, issued.SuggestedEffort);
    }

    private static FloodDecision Admit(FloodGate gate, string? stamp) => gate.AdmitStampedAsync(stamp, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    private static FloodDecision AdmitForm(FloodGate gate, string? ticket) => gate.AdmitFormAsync(ticket, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [Fact]
    public void Quiet_intake_asks_for_no_work_and_any_counter_is_admitted_once_everywhere()
    {
        var gate = Gate();
        var issued = gate.IssueChallenge();
        Assert.Equal(0, issued.Difficulty);
        Assert.Equal(0, issued.SuggestedEffort);
        Assert.Equal(_time.GetUtcNow().AddMinutes(5), issued.ExpiresAt);

        var admitted = Admit(gate, issued.Challenge + ":7");
        Assert.True(admitted.IsAdmitted);
        Assert.Equal(Lane.Main, admitted.Lane);
        Assert.Equal(ChallengeCodec.Work(issued.Challenge + ":7"), admitted.Effort);
        Assert.Equal(FloodRefusal.StampReused, Admit(gate, issued.Challenge + ":7").Refusal);
        Assert.Equal(FloodRefusal.StampReused, Admit(gate, issued.Challenge + ":8").Refusal);
        Assert.Equal(1, _ledger.Spends); // a replay on the same instance costs no storage operation
    }

    [Fact]
    public void A_stamp_replayed_on_another_instance_is_refused_by_the_shared_ledger()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var first = Gate(o => o.ChallengeKey = key);
        var second = Gate(o => o.ChallengeKey = key);
        var stamp = Solved(first);

        Assert.True(Admit(first, stamp).IsAdmitted);
        Assert.Equal(FloodRefusal.StampReused, Admit(second, stamp).Refusal);
        Assert.Equal(FloodRefusal.StampReused, Admit(second, stamp).Refusal);
        Assert.Equal(2, _ledger.Spends); // the second replay on that instance is refused from its own memory
    }

    [Fact]
    public void Below_the_floor_a_valid_stamp_is_told_the_effort_accepted_now_and_may_go_on_searching_on_the_same_challenge()
    {
        var gate = Gate();
        var issued = gate.IssueChallenge();
        _state.SetFloor(6);
        var cheap = Stamps.Unsolved(issued.Challenge, 6);

        var refused = Admit(gate, cheap);

        Assert.Equal(FloodRefusal.EffortTooLow, refused.Refusal);
        Assert.Equal(6, refused.RequiredEffort);
        Assert.Equal(6, refused.SuggestedEffort);
        Assert.Equal(0, _ledger.Spends); // refused: no storage operation

        // Not spent: the same challenge, searched further, is accepted.
        Assert.True(Admit(gate, Stamps.Solve(issued.Challenge, 6)).IsAdmitted);
    }

    [Fact]
    public void Challenges_carry_the_floor_and_the_suggested_effort_which_rises_one_bit_over_a_backlog()
    {
        var gate = Gate(o => o.BacklogThreshold = 100);
        _state.SetFloor(5);
        Assert.Equal((5, 5), (gate.IssueChallenge().Difficulty, gate.IssueChallenge().SuggestedEffort));

        _state.SetMainBacklog(101);
        var issued = gate.IssueChallenge();
        Assert.Equal((5, 6), (issued.Difficulty, issued.SuggestedEffort));

        // Accepted at the floor, but processed in the bulk lane; at the suggested effort, in the main lane.
        var atFloor = Stamps.Solve(issued.Challenge, 5);
        var lane = ChallengeCodec.Work(atFloor) >= 6 ? Lane.Main : Lane.Bulk;
        Assert.Equal(lane, Admit(gate, atFloor).Lane);
        Assert.Equal(Lane.Main, Admit(gate, Stamps.Solve(gate.IssueChallenge().Challenge, 6)).Lane);
    }

    [Fact]
    public async Task A_lookup_stamp_is_checked_and_spent_like_a_submissions_but_never_counted_toward_the_floor()
    {
        var gate = Gate(o => o.FloorPeriod = TimeSpan.FromSeconds(5));
        var period = gate.PeriodOf(_time.GetUtcNow());
        _state.SetFloor(2);
        var stamp = Stamps.Solve(gate.IssueChallenge().Challenge, 2);

        Assert.True((await gate.AdmitLookupAsync(stamp, default)).IsAdmitted);
        Assert.Equal(FloodRefusal.StampReused, (await gate.AdmitLookupAsync(stamp, default)).Refusal);
        Assert.Equal(FloodRefusal.StampReused, Admit(gate, stamp).Refusal);
        Assert.Equal(FloodRefusal.StampInsufficient, (await gate.AdmitLookupAsync(Stamps.Unsolved(gate.IssueChallenge().Challenge, 2), default)).Refusal);
        Assert.Equal((0L, 0.0), (gate.AcceptedIn(period), gate.WorkIn(period)));

        Assert.True(Admit(gate, Solved(gate)).IsAdmitted);
        Assert.Equal(1, gate.AcceptedIn(period));
    }

    [Fact]
    public void Accepted_submissions_are_counted_by_period_for_the_floor_and_refusals_are_not()
    {
        var gate = Gate(o => o.FloorPeriod = TimeSpan.FromSeconds(5));
        var period = gate.PeriodOf(_time.GetUtcNow());
        for (var i = 0; i < 4; i++)
        {
            Assert.True(Admit(gate, Solved(gate)).IsAdmitted);
        }

        Admit(gate, "x");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(Admit(gate, Solved(gate)).IsAdmitted);

        Assert.Equal(4, gate.AcceptedIn(period));
        Assert.Equal(1, gate.AcceptedIn(period + 1));
        Assert.Equal(4.0, gate.WorkIn(period)); // 2^0 each: the floor was 0
        _state.SetFloor(3);
        Assert.True(Admit(gate, Solved(gate)).IsAdmitted);
        Assert.Equal(1 + 8.0, gate.WorkIn(period + 1));
    }

    [Fact]
    public void Stateless_faults_come_back_from_the_gate_without_a_storage_operation()
    {
        var gate = Gate();
        var other = Gate();
        Assert.Equal(FloodRefusal.StampRequired, Admit(gate, null).Refusal);
        Assert.Equal(FloodRefusal.StampMalformed, Admit(gate, "x").Refusal);
        Assert.Equal(FloodRefusal.StampInvalid, Admit(gate, other.IssueChallenge().Challenge + ":0").Refusal);

        var issued = gate.IssueChallenge();
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(FloodRefusal.StampExpired, Admit(gate, issued.Challenge + ":0").Refusal);
        Assert.Equal(0, _ledger.Spends);
    }

    [Fact]
    public void No_script_lane_is_bounded_by_its_shared_bucket_and_says_when_to_come_back()
    {
        var gate = Gate(o =>
        {
            o.MaxFormSubmissionsPerMinute = 2;
            o.FormSubmissionBurst = 2;
        });
        Assert.True(AdmitForm(gate, gate.IssueFormTicket()).IsAdmitted);
        Assert.True(AdmitForm(gate, gate.IssueFormTicket()).IsAdmitted);
        var refused = AdmitForm(gate, gate.IssueFormTicket());
        Assert.Equal(FloodRefusal.RateLimited, refused.Refusal);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.RetryAfter);

        // While it is known empty, refusals cost no storage operation.
        var takes = _buckets.Takes;
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(FloodRefusal.RateLimited, AdmitForm(gate, gate.IssueFormTicket()).Refusal);
        }

        Assert.Equal(takes, _buckets.Takes);

        // A script-path flood draws nothing from it, nor it from the script path.
        Assert.True(Admit(gate, Solved(gate)).IsAdmitted);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(AdmitForm(gate, gate.IssueFormTicket()).IsAdmitted);
    }

    [Fact]
    public void A_form_ticket_is_good_for_one_accepted_report_on_every_instance_and_not_when_expired_or_altered()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var gate = Gate(o => o.ChallengeKey = key);
        var other = Gate(o => o.ChallengeKey = key);
        var ticket = gate.IssueFormTicket();

        var admitted = AdmitForm(gate, ticket);
        Assert.True(admitted.IsAdmitted);
        Assert.Null(admitted.Effort);
        Assert.Equal(Lane.Main, admitted.Lane);
        Assert.Equal(FloodRefusal.TicketUsed, AdmitForm(gate, ticket).Refusal);
        Assert.Equal(FloodRefusal.TicketUsed, AdmitForm(other, ticket).Refusal);
        Assert.Equal(FloodRefusal.TicketInvalid, AdmitForm(gate, null).Refusal);
        Assert.Equal(FloodRefusal.TicketInvalid, AdmitForm(gate, ticket[..^2] + "AA").Refusal);

        var old = gate.IssueFormTicket();
        _time.Advance(TimeSpan.FromHours(6));
        Assert.Equal(FloodRefusal.TicketExpired, AdmitForm(gate, old).Refusal);
    }

    [Fact]
    public void A_ticket_refused_for_room_is_not_spent_and_its_page_can_be_sent_again()
    {
        var gate = Gate(o =>
        {
            o.MaxFormSubmissionsPerMinute = 1;
            o.FormSubmissionBurst = 1;
        });
        Assert.True(AdmitForm(gate, gate.IssueFormTicket()).IsAdmitted);
        var ticket = gate.IssueFormTicket();
        Assert.Equal(FloodRefusal.RateLimited, AdmitForm(gate, ticket).Refusal);

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.True(AdmitForm(gate, ticket).IsAdmitted);
    }

    [Fact]
    public void A_storage_failure_while_spending_surfaces_as_unavailable_and_spends_nothing()
    {
        var gate = Gate();
        var stamp = Solved(gate);
        _ledger.Unavailable = true;

        Assert.Throws<StorageUnavailableException>(() => Admit(gate, stamp));

        _ledger.Unavailable = false;
        Assert.True(Admit(gate, stamp).IsAdmitted);
    }

    [Fact]
    public void Spent_nonces_are_swept_on_a_timer_without_any_further_submission()
    {
        using var gate = Gate();
        for (var i = 0; i < 50; i++)
        {
            Assert.True(Admit(gate, Solved(gate)).IsAdmitted);
        }

        Assert.Equal(50, gate.SpentCount);
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Equal(50, gate.SpentCount);
        _time.Advance(TimeSpan.FromSeconds(1) + SpentChallenges.BucketWidth);
        Assert.Equal(0, gate.SpentCount);
    }

    [Fact]
    public void One_collection_is_asked_for_once_a_large_surge_has_expired_and_none_for_ordinary_traffic()
    {
        using var gate = Gate();
        for (var i = 0; i < 1_000; i++)
        {
            Assert.True(Admit(gate, Solved(gate)).IsAdmitted);
        }

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(0, gate.SpentCount);
        Assert.Equal(0, gate.CollectionsRequested);

        for (var i = 0; i < FloodGate.CollectAfterDropped; i++)
        {
            Assert.True(Admit(gate, gate.IssueChallenge().Challenge + ":0").IsAdmitted);
        }

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(0, gate.SpentCount);
        Assert.Equal(1, gate.CollectionsRequested);
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, gate.CollectionsRequested);
    }

    [Fact]
    public void A_full_spent_set_refuses_until_its_oldest_challenges_expire()
    {
        using var gate = Gate(o => o.MaxSpentChallenges = 1_000);
        for (var i = 0; i < 1_000; i++)
        {
            Assert.True(Admit(gate, gate.IssueChallenge().Challenge + ":0").IsAdmitted);
        }

        var refused = Admit(gate, Solved(gate));
        Assert.Equal(FloodRefusal.RateLimited, refused.Refusal);
        Assert.Equal(SpentChallenges.BucketWidth, refused.RetryAfter);

        _time.Advance(TimeSpan.FromMinutes(5) + SpentChallenges.BucketWidth);
        Assert.True(Admit(gate, Solved(gate)).IsAdmitted);
    }

    [Fact]
    public void Logs_hold_codes_at_debug_never_a_stamp_or_a_ticket()
    {
        var gate = Gate();
        var secrets = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var stamp = Solved(gate);
            secrets.Add(stamp.Split(':')[0]);
            Admit(gate, stamp);
            Admit(gate, stamp);
            var ticket = gate.IssueFormTicket();
            secrets.Add(ticket);
            AdmitForm(gate, ticket);
            AdmitForm(gate, ticket);
        }

        Assert.NotEmpty(_logger.Lines);
        Assert.All(_logger.Lines, line => Assert.StartsWith("Debug", line, StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, _logger.AllText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Without_a_configured_key_each_gate_signs_with_its_own_and_says_so()
    {
        var first = Gate(o => o.ChallengeKey = null);
        var second = Gate(o => o.ChallengeKey = null);

        Assert.Equal(FloodRefusal.StampInvalid, Admit(second, first.IssueChallenge().Challenge + ":0").Refusal);
        Assert.True(Admit(first, first.IssueChallenge().Challenge + ":0").IsAdmitted);
        Assert.Contains("valid on this instance only", _logger.AllText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("c2hvcnQ=", false)]
    [InlineData("not base64!", false)]
    [InlineData(null, true)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", true)]
    public void Options_validate_the_challenge_key(string? key, bool valid)
    {
        var options = new FloodControlOptions { ChallengeKey = key };
        var results = new List<ValidationResult>();
        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
    }
}
