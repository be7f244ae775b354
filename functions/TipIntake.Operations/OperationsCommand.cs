using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using TipIntake.Infrastructure.Backup;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Operations;

/// <summary>
/// <c>dotnet run --project functions/TipIntake.Operations -- &lt;command&gt; [options]</c>. Exit codes: 0 done, 1 the
/// operation failed (the message says why), 2 the command line was wrong.
/// </summary>
public static class OperationsCommand
{
    public const int Done = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    public const string HelpText = """
        TipIntake operations: table backups (docs/deploy.md, "Backup and restore").

        Commands:
          list                       complete snapshots in the tips-backup container, newest first
          backup                     take a snapshot of Tips, TipNotes, TipEvents and Quarantine now
          verify <snapshot|latest>   read a snapshot whole and check it against its manifest
          restore <snapshot|latest>  write a snapshot back into the tables, after verifying it
              --replace              replace entities that exist (default: keep them, add only what is missing)
              --tables T1,T2         only these tables (default: all four)
              --create-tables        create missing tables (needs table-creation rights; the templates create them)

        Storage (one of):
          --account <name>           the storage account, signing in with Entra ID (DefaultAzureCredential: az login)
          --endpoint-suffix <suffix> with --account, for other clouds (default core.windows.net)
          --connection-string <cs>   a connection string (Azurite); also read from AzureWebJobsStorage
        """;

    public static async Task<int> RunAsync(
        string[] args, Func<string, string?> environment, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!CommandLine.TryParse(args, out var command, out var problem))
        {
            await error.WriteLineAsync(problem).ConfigureAwait(false);
            await error.WriteLineAsync().ConfigureAwait(false);
            await error.WriteLineAsync(HelpText).ConfigureAwait(false);
            return Usage;
        }

        if (command.Verb == "help")
        {
            await output.WriteLineAsync(HelpText).ConfigureAwait(false);
            return Done;
        }

        if (!TryCreateBackup(command, environment, out var backup, out problem))
        {
            await error.WriteLineAsync(problem).ConfigureAwait(false);
            return Usage;
        }

        try
        {
            return await RunAsync(command, backup, output, error, cancellationToken).ConfigureAwait(false);
        }
        catch (BackupUnusableException unusable)
        {
            await error.WriteLineAsync(unusable.Message).ConfigureAwait(false);
            return Failed;
        }
        catch (Exception ex) when (ex is RequestFailedException or AuthenticationFailedException or CredentialUnavailableException
            or Core.Intake.StorageUnavailableException or AggregateException)
        {
            // Type and status only: SDK messages can carry request details.
            await error.WriteLineAsync($"Storage refused or could not be reached: {Describe(ex)}.").ConfigureAwait(false);
            return Failed;
        }
    }

    private static async Task<int> RunAsync(CommandLine command, TableBackup backup, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        switch (command.Verb)
        {
            case "list":
                foreach (var name in await backup.ListAsync(cancellationToken).ConfigureAwait(false))
                {
                    await output.WriteLineAsync(name).ConfigureAwait(false);
                }

                return Done;

            case "backup":
                var taken = await backup.ExportAsync(cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"Snapshot {taken.Snapshot}: {string.Join(", ", taken.Tables.Select(t => $"{t.Table} {t.Entities}"))}").ConfigureAwait(false);
                return Done;

            case "verify":
                var verified = await backup.VerifyAsync(await ResolveAsync(backup, command.Snapshot!, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                foreach (var table in verified.Tables)
                {
                    await output.WriteLineAsync(
                        $"{table.Table}: {table.Found} of {table.Expected} entities, hash {(table.HashMatches ? "matches" : "differs")}{(table.Problem is null ? "" : $", {table.Problem}")}").ConfigureAwait(false);
                }

                await (verified.IsWhole ? output : error).WriteLineAsync($"Snapshot {verified.Snapshot} is {(verified.IsWhole ? "whole" : "NOT whole")}.").ConfigureAwait(false);
                return verified.IsWhole ? Done : Failed;

            case "restore":
                var restored = await backup.RestoreAsync(
                    await ResolveAsync(backup, command.Snapshot!, cancellationToken).ConfigureAwait(false),
                    command.Replace ? RestoreMode.Replace : RestoreMode.AddMissing,
                    command.Tables,
                    command.CreateTables,
                    cancellationToken).ConfigureAwait(false);
                foreach (var table in restored.Tables)
                {
                    await output.WriteLineAsync(
                        $"{table.Table}: {table.Read} read, {table.Added} added, {table.AlreadyThere} already there (kept), {table.Replaced} replaced").ConfigureAwait(false);
                }

                await output.WriteLineAsync($"Restored from snapshot {restored.Snapshot} ({restored.Mode}).").ConfigureAwait(false);
                return Done;

            default:
                await error.WriteLineAsync($"Unknown command {command.Verb}.").ConfigureAwait(false);
                return Usage;
        }
    }

    private static async Task<string> ResolveAsync(TableBackup backup, string snapshot, CancellationToken cancellationToken)
    {
        if (snapshot != "latest")
        {
            return snapshot;
        }

        var snapshots = await backup.ListAsync(cancellationToken).ConfigureAwait(false);
        return snapshots.Count > 0
            ? snapshots[0]
            : throw new BackupUnusableException($"The {StorageNames.BackupContainer} container holds no complete snapshot.");
    }

    private static bool TryCreateBackup(CommandLine command, Func<string, string?> environment, out TableBackup backup, out string problem)
    {
        backup = null!;
        problem = "";
        var connectionString = command.ConnectionString ?? (command.Account is null ? environment(StorageNames.Connection) : null);
        TableServiceClient tables;
        BlobServiceClient blobs;
        if (command.Account is { } account)
        {
            if (command.ConnectionString is not null)
            {
                problem = "Give --account or --connection-string, not both.";
                return false;
            }

            var suffix = command.EndpointSuffix ?? "core.windows.net";
            TokenCredential credential = new DefaultAzureCredential();
            tables = new TableServiceClient(new Uri($"https://{account}.table.{suffix}"), credential);
            blobs = new BlobServiceClient(new Uri($"https://{account}.blob.{suffix}"), credential);
        }
        else if (connectionString is { Length: > 0 })
        {
            try
            {
                tables = new TableServiceClient(connectionString);
                blobs = new BlobServiceClient(connectionString);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                problem = "The connection string is not one (its text is not repeated here).";
                return false;
            }
        }
        else
        {
            problem = "Which storage? Give --account <name> (Entra ID) or --connection-string, or set AzureWebJobsStorage.";
            return false;
        }

        backup = new TableBackup(tables, blobs, TimeProvider.System, NullLogger<TableBackup>.Instance);
        return true;
    }

    private static string Describe(Exception exception) => exception switch
    {
        RequestFailedException failed => $"HTTP {failed.Status} {failed.ErrorCode}",
        Core.Intake.StorageUnavailableException unavailable => unavailable.Message,
        AggregateException aggregate => string.Join(", ", aggregate.InnerExceptions.Select(Describe).Distinct()),
        _ => exception.GetType().Name,
    };
}
