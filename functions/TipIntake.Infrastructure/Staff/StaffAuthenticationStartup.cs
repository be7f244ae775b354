namespace TipIntake.Infrastructure.Staff;

/// <summary>Says once, at start-up, when staff sign-in is off (not configured) or the development sign-in is on.</summary>
internal sealed class StaffAuthenticationStartup(
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
}
