using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using TipIntake.Core.FloodControl;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Tests.Fakes;
using TipIntake.Core.Tests.Jwe;
using TipIntake.Testing;
using TipIntake.Core.Tips;

namespace TipIntake.Core.Tests.FloodControl;

/// <summary>Where flood control sits in the intake: after the envelope's own checks, before the queue.</summary>
public sealed class IntakeAdmissionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 16, 5, 0, TimeSpan.Zero);
    private readonly FakeIntakeKey _key = new();
    private readonly FakeTipInbox _inbox = new();
    private readonly TipIntakeService _intake;
    private readonly FormIntakeService _form;
    private int _asked;

    public IntakeAdmissionTests()
    {
        var options = Options.Create(new IntakeOptions { ReceiptPepper = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        _intake = new TipIntakeService(_key, _inbox, new FakeClaimCheckStore(), new ReceiptIssuer(options), new FixedTimeProvider(Now), options, new CapturingLogger<TipIntakeService>());
        _form = new FormIntakeService(_intake, _key, new ReceiptIssuer(options), new FormEnrolments(new FollowUpSecrets(options)), new FixedTimeProvider(Now));
    }

    private ValueTask<FloodDecision> Refuse(CancellationToken cancellationToken)
    {
        _asked++;
        return ValueTask.FromResult(new FloodDecision(FloodRefusal.RateLimited, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task Malformed_envelope_gets_its_own_fault_before_flood_control_is_asked()
    {
        var result = await _intake.SubmitAsync("not.a.jwe", SubmissionId.New(), Refuse, CancellationToken.None);

        Assert.IsType<IntakeResult.Refused>(result);
        Assert.Equal(0, _asked);
    }

    [Fact]
    public async Task Held_back_submission_is_not_queued()
    {
        var jwe = JweFactory.Build(JweFactory.HeaderJsonFor(_key.KeyId), wrapKey: _key.Rsa).Compact;

        var result = await _intake.SubmitAsync(jwe, SubmissionId.New(), Refuse, CancellationToken.None);

        Assert.Equal(new IntakeResult.FloodControlled(new FloodDecision(FloodRefusal.RateLimited, TimeSpan.FromSeconds(3))), result);
        Assert.Equal(1, _asked);
        Assert.Empty(_inbox.Envelopes);
    }

    [Fact]
    public async Task Form_over_its_limit_is_busy_and_nothing_is_queued()
    {
        var tip = new TipDocument { Category = "detention", Narrative = "Taken on Monday.", Urgency = "soon" };

        var result = await _form.SubmitAsync(tip, [], SubmissionId.New(), Refuse, CancellationToken.None);

        Assert.Equal(new FormIntakeResult.Busy(TimeSpan.FromSeconds(3)), result);
        Assert.Empty(_inbox.Envelopes);
    }

    [Fact]
    public async Task Invalid_form_gets_its_field_errors_without_spending_a_token()
    {
        var result = await _form.SubmitAsync(new TipDocument(), [], SubmissionId.New(), Refuse, CancellationToken.None);

        Assert.IsType<FormIntakeResult.Invalid>(result);
        Assert.Equal(0, _asked);
    }

    [Fact]
    public async Task Admitted_submission_waits_in_the_lane_flood_control_chose_with_the_effort_its_stamp_achieved()
    {
        var jwe = JweFactory.Build(JweFactory.HeaderJsonFor(_key.KeyId), wrapKey: _key.Rsa).Compact;

        var result = await _intake.SubmitAsync(jwe, SubmissionId.New(), _ => ValueTask.FromResult(FloodDecision.Admitted(13, Core.Intake.Lane.Bulk)), CancellationToken.None);

        Assert.IsType<IntakeResult.Accepted>(result);
        var (envelope, lane) = Assert.Single(_inbox.Queued);
        Assert.Equal(Core.Intake.Lane.Bulk, lane);
        Assert.Equal(13, envelope.Effort);
    }

    [Theory]
    [InlineData(FloodRefusal.TicketInvalid, typeof(FormIntakeResult.PageExpired))]
    [InlineData(FloodRefusal.TicketExpired, typeof(FormIntakeResult.PageExpired))]
    [InlineData(FloodRefusal.TicketUsed, typeof(FormIntakeResult.AlreadyReceived))]
    public async Task Form_with_a_bad_or_used_ticket_is_not_queued_and_says_which(FloodRefusal refusal, Type expected)
    {
        var tip = new TipDocument { Category = "detention", Narrative = "Taken on Monday.", Urgency = "soon" };

        var result = await _form.SubmitAsync(tip, [], SubmissionId.New(), _ => ValueTask.FromResult(new FloodDecision(refusal)), CancellationToken.None);

        Assert.IsType(expected, result);
        Assert.Empty(_inbox.Envelopes);
    }

    [Fact]
    public async Task Form_admitted_goes_to_the_main_lane_without_an_effort()
    {
        var tip = new TipDocument { Category = "detention", Narrative = "Taken on Monday.", Urgency = "soon" };

        var result = await _form.SubmitAsync(tip, [], SubmissionId.New(), _ => ValueTask.FromResult(FloodDecision.Admitted(null, Core.Intake.Lane.Main)), CancellationToken.None);

        Assert.IsType<FormIntakeResult.Accepted>(result);
        var (envelope, lane) = Assert.Single(_inbox.Queued);
        Assert.Equal(Core.Intake.Lane.Main, lane);
        Assert.Null(envelope.Effort);
    }
}
