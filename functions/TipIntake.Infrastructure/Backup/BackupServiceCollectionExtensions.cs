namespace TipIntake.Infrastructure.Backup;

/// <summary>Registers the table backup (its clients are the app's own storage clients).</summary>
public static class BackupServiceCollectionExtensions
{
    public static IServiceCollection AddTableBackup(this IServiceCollection services) => services.AddSingleton<TableBackup>();
}
