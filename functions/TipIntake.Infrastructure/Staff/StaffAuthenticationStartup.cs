namespace TipIntake.Infrastructure.Staff;

/// <summary>Says once, at start-up, when staff sign-in is off (not configured) or the development sign-in is on.</summary>
internal sealed partial class StaffAuthenticationStartup(
    IOptions<StaffAuthOptions> options, IHostEnvironment environment, ILogger<StaffAuthenticationStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (environment.IsDevelopment())
        {
            Log.DevelopmentSignInEnabled(logger);
        }
        else if (!options.Value.IsConfigured)
        {
            Log.StaffAuthNotConfigured(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(3101, LogLevel.Warning, "Triage sign-in is not configured (Triage:Auth): every triage request is refused with 'not-configured'. Reporters' intake is unaffected. See docs/staff-auth.md")]
        public static partial void StaffAuthNotConfigured(ILogger logger);

        [LoggerMessage(3102, LogLevel.Warning, "Development sign-in is on (Development environment only): POST /dev/token issues staff tokens signed by an in-memory key")]
        public static partial void DevelopmentSignInEnabled(ILogger logger);
    }
}
