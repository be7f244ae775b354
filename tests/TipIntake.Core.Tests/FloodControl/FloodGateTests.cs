using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.FloodControl;
using TipIntake.Testing;

namespace TipIntake.Core.Tests.FloodControl;

public sealed class FloodGateTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 16, 5, 0, TimeSpan.Zero));
    private readonly CapturingLogger<FloodGate> _logger = new();

    private FloodGate Gate(Action<FloodControlOptions>? configure = null)
    {
        var options = new FloodControlOptions
        {
            ChallengeKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            QuietRatePerMinute = 4,
            MaxDifficulty = 8,
            MaxSubmissionsPerSecond = 1000,
            SubmissionBurst = 1000,
        };
        configure?.Invoke(options);
        return new FloodGate(Options.Create(options), _time, _logger);
    }

    private static string Solved(FloodGate gate)
    {
        var issued = gate.IssueChallenge();
        return Stamps.Solve(issued.Challenge, issued.Difficulty);
    }

    [Fact]
    public void Quiet_intake_asks_for_no_work_and_any_counter_is_admitted_once()
    {
        var gate = Gate();
        var issued = gate.IssueChallenge();
        Assert.Equal(0, issued.Difficulty);
        Assert.Equal(_time.GetUtcNow().AddMinutes(5), issued.ExpiresAt);

        Assert.True(gate.AdmitStamped(issued.Challenge + ":7").IsAdmitted);
        Assert.Equal(new FloodDecision(FloodRefusal.StampReused, TimeSpan.Zero), gate.AdmitStamped(issued.Challenge + ":7"));
        Assert.Equal(FloodRefusal.StampReused, gate.AdmitStamped(issued.Challenge + ":8").Refusal);
    }

    [Fact]
    public void Difficulty_rises_with_the_stamped_rate_and_falls_back_after_a_quiet_minute()
    {
        var gate = Gate();
        var seen = new List<int>();
        for (var i = 0; i < 40; i++)
        {
            var issued = gate.IssueChallenge();
            seen.Add(issued.Difficulty);
            Assert.True(gate.AdmitStamped(Stamps.Solve(issued.Challenge, issued.Difficulty)).IsAdmitted);
        }

        // quiet = 4: 0 below 4, 1 from 4, 2 from 8, 3 from 16, 4 from 32 submissions in the minute.
        Assert.Equal(0, seen[3]);
        Assert.Equal(1, seen[4]);
        Assert.Equal(2, seen[8]);
        Assert.Equal(3, seen[16]);
        Assert.Equal(4, seen[32]);
        Assert.Equal(4, gate.CurrentDifficulty);
        Assert.Contains("difficulty now 4 bits", _logger.AllText, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, gate.CurrentDifficulty);
    }

    [Fact]
    public void Difficulty_never_exceeds_the_cap()
    {
        var gate = Gate(o => o.MaxDifficulty = 2);
        for (var i = 0; i < 64; i++)
        {
            Assert.True(gate.AdmitStamped(Solved(gate)).IsAdmitted);
        }

        Assert.Equal(2, gate.CurrentDifficulty);
    }

    [Fact]
    public void Challenges_hoarded_while_quiet_are_stale_once_the_difficulty_has_risen()
    {
        var gate = Gate();
        var hoarded = gate.IssueChallenge();
        Assert.Equal(0, hoarded.Difficulty);
        for (var i = 0; i < 32; i++)
        {
            Assert.True(gate.AdmitStamped(Solved(gate)).IsAdmitted);
        }

        Assert.Equal(4, gate.CurrentDifficulty);
        Assert.Equal(FloodRefusal.StampStale, gate.AdmitStamped(Stamps.Unsolved(hoarded.Challenge, 2)).Refusal);

        // Work within the tolerance still counts.
        Assert.True(gate.AdmitStamped(Stamps.Solve(hoarded.Challenge, 4 - FloodGate.StaleTolerance)).IsAdmitted);
    }

    [Fact]
    public void Stateless_faults_come_back_from_the_gate()
    {
        var gate = Gate();
        var other = Gate();
        Assert.Equal(FloodRefusal.StampRequired, gate.AdmitStamped(null).Refusal);
        Assert.Equal(FloodRefusal.StampMalformed, gate.AdmitStamped("x").Refusal);
        Assert.Equal(FloodRefusal.StampInvalid, gate.AdmitStamped(other.IssueChallenge().Challenge + ":0").Refusal);

        var issued = gate.IssueChallenge();
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(FloodRefusal.StampExpired, gate.AdmitStamped(issued.Challenge + ":0").Refusal);
    }

    [Fact]
    public void Global_limit_refuses_with_retry_after_and_recovers()
    {
        var gate = Gate(o =>
        {
            o.MaxSubmissionsPerSecond = 0.5;
            o.SubmissionBurst = 3;
        });
        for (var i = 0; i < 3; i++)
        {
            Assert.True(gate.AdmitStamped(Solved(gate)).IsAdmitted);
        }

        var limited = Solved(gate);
        Assert.Equal(new FloodDecision(FloodRefusal.RateLimited, TimeSpan.FromSeconds(2)), gate.AdmitStamped(limited));
        Assert.Contains("1 submissions refused", _logger.AllText, StringComparison.Ordinal);

        // A stamp refused by the limit was not spent: it may be sent again once a token is there.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(gate.AdmitStamped(limited).IsAdmitted);
    }

    [Fact]
    public void No_script_path_has_its_own_stricter_limit_and_draws_on_the_global_one()
    {
        var gate = Gate(o =>
        {
            o.MaxFormSubmissionsPerMinute = 2;
            o.FormSubmissionBurst = 2;
            o.MaxSubmissionsPerSecond = 0.001;
            o.SubmissionBurst = 3;
        });
        Assert.True(gate.AdmitForm().IsAdmitted);
        Assert.True(gate.AdmitForm().IsAdmitted);
        var refused = gate.AdmitForm();
        Assert.Equal(FloodRefusal.RateLimited, refused.Refusal);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.RetryAfter);

        // Two of the three global tokens went to the form; one is left for a stamped submission.
        Assert.True(gate.AdmitStamped(Solved(gate)).IsAdmitted);
        Assert.Equal(FloodRefusal.RateLimited, gate.AdmitStamped(Solved(gate)).Refusal);
    }

    [Fact]
    public void Spent_nonces_are_forgotten_once_their_challenge_has_expired()
    {
        var gate = Gate();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(gate.AdmitStamped(Solved(gate)).IsAdmitted);
        }

        Assert.Equal(3, gate.SpentCount);
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.True(gate.AdmitStamped(Solved(gate)).IsAdmitted);
        Assert.Equal(1, gate.SpentCount);
    }

    [Fact]
    public void Spent_nonces_are_swept_on_a_timer_without_any_further_submission()
    {
        using var gate = Gate();
        for (var i = 0; i < 50; i++)
        {
            Assert.True(gate.AdmitStamped(Solved(gate)).IsAdmitted);
        }

        Assert.Equal(50, gate.SpentCount);

        // Still held just before their challenges expire, though the sweeper has run many times since.
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Equal(50, gate.SpentCount);

        // Nothing is submitted any more: the timer alone lets them go, one bucket width after the last expiry at most.
        _time.Advance(TimeSpan.FromSeconds(1) + SpentChallenges.BucketWidth);
        Assert.Equal(0, gate.SpentCount);
    }

    [Fact]
    public void One_collection_is_asked_for_once_a_large_surge_has_expired_and_none_for_ordinary_traffic()
    {
        using var gate = Gate(o =>
        {
            o.QuietRatePerMinute = 1_000_000;
            o.MaxSubmissionsPerSecond = 10_000;
            o.SubmissionBurst = 100_000;
        });
        for (var i = 0; i < 1_000; i++)
        {
            Assert.True(gate.AdmitStamped(Solved(gate)).IsAdmitted);
        }

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(0, gate.SpentCount);
        Assert.Equal(0, gate.CollectionsRequested);

        for (var i = 0; i < FloodGate.CollectAfterDropped; i++)
        {
            Assert.True(gate.AdmitStamped(Solved(gate)).IsAdmitted);
        }

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(0, gate.SpentCount);
        Assert.Equal(1, gate.CollectionsRequested);

        // Nothing more to give back: the sweeper keeps running without asking again.
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, gate.CollectionsRequested);
    }

    [Fact]
    public void A_spent_stamp_stays_refused_until_its_challenge_expires_while_the_sweeper_runs()
    {
        using var gate = Gate();
        var stamp = Solved(gate);
        Assert.True(gate.AdmitStamped(stamp).IsAdmitted);
        for (var elapsed = 7; elapsed < 300; elapsed += 7)
        {
            _time.Advance(TimeSpan.FromSeconds(7));
            Assert.Equal(FloodRefusal.StampReused, gate.AdmitStamped(stamp).Refusal);
        }

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(FloodRefusal.StampExpired, gate.AdmitStamped(stamp).Refusal);
    }

    [Fact]
    public void A_full_spent_set_limits_until_its_oldest_challenges_expire()
    {
        using var gate = Gate(o => o.MaxSpentChallenges = 1_000);
        for (var i = 0; i < 1_000; i++)
        {
            Assert.True(gate.AdmitStamped(Solved(gate)).IsAdmitted);
        }

        Assert.Equal(new FloodDecision(FloodRefusal.RateLimited, SpentChallenges.BucketWidth), gate.AdmitStamped(Solved(gate)));

        // Still full a minute later; a challenge issued then is admitted once the first thousand have expired and
        // their bucket has been let go (within one bucket width of their expiry).
        _time.Advance(TimeSpan.FromMinutes(1));
        var later = Solved(gate);
        Assert.Equal(FloodRefusal.RateLimited, gate.AdmitStamped(later).Refusal);
        _time.Advance(TimeSpan.FromMinutes(4) + SpentChallenges.BucketWidth);
        Assert.True(gate.AdmitStamped(later).IsAdmitted);
        Assert.Equal(1, gate.SpentCount);
    }

    [Fact]
    public void Logs_hold_counts_and_codes_never_a_stamp()
    {
        var gate = Gate(o => o.SubmissionBurst = 1);
        var stamps = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var stamp = Solved(gate);
            stamps.Add(stamp);
            gate.AdmitStamped(stamp);
            gate.AdmitStamped(stamp);
        }

        Assert.NotEmpty(_logger.Lines);
        foreach (var stamp in stamps)
        {
            Assert.DoesNotContain(stamp.Split(':')[0], _logger.AllText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Without_a_configured_key_each_gate_signs_with_its_own_and_says_so()
    {
        var first = Gate(o => o.ChallengeKey = null);
        var second = Gate(o => o.ChallengeKey = null);

        Assert.Equal(FloodRefusal.StampInvalid, second.AdmitStamped(first.IssueChallenge().Challenge + ":0").Refusal);
        Assert.True(first.AdmitStamped(first.IssueChallenge().Challenge + ":0").IsAdmitted);
        Assert.Contains("valid on this instance only", _logger.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void Instances_sharing_a_configured_key_accept_each_others_challenges()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var first = Gate(o => o.ChallengeKey = key);
        var second = Gate(o => o.ChallengeKey = key);

        Assert.True(second.AdmitStamped(first.IssueChallenge().Challenge + ":0").IsAdmitted);
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
