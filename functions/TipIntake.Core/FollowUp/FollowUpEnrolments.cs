namespace TipIntake.Core.FollowUp;

/// <summary>
/// The processor's part of enrolment (docs/follow-up.md, "The protocol" §1): what a tip's <c>followUp</c> member
/// becomes in its row, and the <c>FollowUpKeys</c> row written with it. <c>L</c> is hashed here and goes no further.
/// </summary>
public sealed partial class FollowUpEnrolments(FollowUpSecrets secrets, IFollowUpStore store, ILogger<FollowUpEnrolments> logger)
{
    public (TipFollowUp Columns, FollowUpThread? Thread) Prepare(FollowUpRead read, string tipId, string triageQueue)
    {
        if (read.Rejection is { } rejection)
        {
            Log.FollowUpRejected(logger, Codes.Of(rejection));
            return (new TipFollowUp(FollowUpStates.Rejected(rejection), null, null), null);
        }

        if (read.Enrolment is not { } enrolment)
        {
            return (new TipFollowUp(FollowUpStates.None, null, null), null);
        }

        var hash = secrets.LookupHashOf(enrolment.Lookup.Span);
        var thread = new FollowUpThread(
            hash, tipId, secrets.ThreadRefOf(tipId), triageQueue, enrolment.Key.Jwk, enrolment.SealedKey, enrolment.Version);
        return (new TipFollowUp(FollowUpStates.Active, enrolment.Key.Thumbprint, hash), thread);
    }

    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    public Task SaveAsync(FollowUpThread thread, CancellationToken cancellationToken) => store.PutThreadAsync(thread, cancellationToken);

    private static partial class Log
    {
        /// <summary>No tip id: processing happens seconds after arrival (see <see cref="Processing.TipProcessor"/>'s <c>TipStored</c>).</summary>
        [LoggerMessage(8002, LogLevel.Information, "A tip's followUp member was not taken ({Code}); the tip is stored without follow-up")]
        public static partial void FollowUpRejected(ILogger logger, string code);
    }
}
