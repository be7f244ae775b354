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

    /// <summary>Held back by flood control (docs/flood-control.md); <see cref="RetryAfter"/> is zero for stamp faults.</summary>
    public sealed record FloodControlled(FloodRefusal Refusal, TimeSpan RetryAfter) : IntakeResult;
}
