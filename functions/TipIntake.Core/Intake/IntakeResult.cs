using TipIntake.Core.Jwe;

namespace TipIntake.Core.Intake;

/// <summary>What became of a submission: queued (with the receipt to show), refused (and why), or not now.</summary>
public abstract record IntakeResult
{
    private IntakeResult()
    {
    }

    public sealed record Accepted(string ReceiptCode) : IntakeResult;

    public sealed record Refused(JweFault Fault) : IntakeResult;

    public sealed record Unavailable(TimeSpan RetryAfter) : IntakeResult;
}
