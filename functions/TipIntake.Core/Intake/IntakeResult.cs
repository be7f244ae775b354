using TipIntake.Core.FloodControl;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.Intake;

/// <summary>What became of a submission: queued (with the receipt to show), refused (and why), not now, or held back by flood control.</summary>
public abstract record IntakeResult
{
    private IntakeResult()
    {
    }

    public sealed record Accepted(string ReceiptCode) : IntakeResult;

    public sealed record Refused(JweFault Fault) : IntakeResult;

    public sealed record Unavailable(TimeSpan RetryAfter) : IntakeResult;

    /// <summary>Held back by flood control (docs/flood-control.md): the decision, with its refusal and what to do.</summary>
    public sealed record FloodControlled(FloodDecision Decision) : IntakeResult
    {
        public FloodRefusal Refusal => Decision.Refusal!.Value;

        public TimeSpan RetryAfter => Decision.RetryAfter;
    }
}
