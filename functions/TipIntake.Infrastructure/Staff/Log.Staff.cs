namespace TipIntake.Infrastructure;

/// <summary>Staff sign-in: reason codes and object ids only; never a token, a name, a role list or another claim.</summary>
internal static partial class Log
{
    [LoggerMessage(3101, LogLevel.Warning, "Triage sign-in is not configured (Triage:Auth): every triage request is refused with 'not-configured'. Reporters' intake is unaffected. See docs/staff-auth.md")]
    public static partial void StaffAuthNotConfigured(ILogger logger);

    [LoggerMessage(3102, LogLevel.Warning, "Development sign-in is on (Development environment only): POST /dev/token issues staff tokens signed by an in-memory key")]
    public static partial void DevelopmentSignInEnabled(ILogger logger);

    /// <summary>Debug: anyone can send bad tokens as fast as they like; <see cref="StaffTokensRejected"/> counts them.</summary>
    [LoggerMessage(3103, LogLevel.Debug, "Staff token rejected ({Reason})")]
    public static partial void StaffTokenRejected(ILogger logger, string reason);

    [LoggerMessage(3104, LogLevel.Debug, "Staff member {ObjectId} authenticated")]
    public static partial void StaffAuthenticated(ILogger logger, string objectId);

    [LoggerMessage(3105, LogLevel.Warning, "Could not fetch Entra ID's OpenID Connect metadata or signing keys; staff tokens are refused until it can ({FailureType})")]
    public static partial void StaffAuthMetadataUnavailable(ILogger logger, string failureType);

    [LoggerMessage(3203, LogLevel.Information, "Staff tokens rejected in the last minute: {Total} ({ByReason})")]
    public static partial void StaffTokensRejected(ILogger logger, long total, string byReason);

    [LoggerMessage(3106, LogLevel.Information, "Development token issued for {ObjectId}")]
    public static partial void DevelopmentTokenIssued(ILogger logger, string objectId);
}
