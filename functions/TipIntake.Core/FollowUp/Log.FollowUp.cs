namespace TipIntake.Core;

/// <summary>Follow-up's log lines: codes and counts only — never <c>L</c>, <c>H</c>, a ref, a code, a key or a tip id.</summary>
internal static partial class Log
{
    /// <summary>Right and wrong codes together, one line a minute: nothing in a log tells them apart, nor dates one reporter's visit.</summary>
    [LoggerMessage(8001, LogLevel.Information, "Follow-up lookups in the last minute: {Total} ({ByCode})")]
    public static partial void FollowUpLookups(ILogger logger, long total, string byCode);

    /// <summary>No tip id: processing happens seconds after arrival (see <see cref="TipStored"/>).</summary>
    [LoggerMessage(8002, LogLevel.Information, "A tip's followUp member was not taken ({Code}); the tip is stored without follow-up")]
    public static partial void FollowUpRejected(ILogger logger, string code);

    [LoggerMessage(8003, LogLevel.Information, "Follow-up access ended after closing (dry run: {DryRun}): {Found} found, {Ended} ended")]
    public static partial void FollowUpExpired(ILogger logger, int found, int ended, bool dryRun);

    /// <summary>Like <see cref="TipStored"/>: the queue, never the tip or the answer.</summary>
    [LoggerMessage(8004, LogLevel.Information, "A reporter's answer was added to a thread of triage queue {TriageQueue}")]
    public static partial void AnswerStored(ILogger logger, string triageQueue);

    /// <summary>The no-script page's lookups and answers, by outcome code, one line a minute: never a code, session, ref or text.</summary>
    [LoggerMessage(8005, LogLevel.Information, "No-script follow-up requests in the last minute: {Total} ({ByCode})")]
    public static partial void FormFollowUps(ILogger logger, long total, string byCode);
}
