using System.Diagnostics.CodeAnalysis;

namespace TipIntake.Operations;

/// <summary>The parsed command line of <see cref="OperationsCommand"/>.</summary>
internal sealed record CommandLine(
    string Verb,
    string? Snapshot,
    bool Replace,
    IReadOnlyCollection<string>? Tables,
    bool CreateTables,
    string? Account,
    string? EndpointSuffix,
    string? ConnectionString)
{
    private static readonly string[] Verbs = ["list", "backup", "verify", "restore", "help"];

    public static bool TryParse(string[] args, [NotNullWhen(true)] out CommandLine? command, out string problem)
    {
        command = null;
        problem = "";
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            command = new CommandLine("help", null, false, null, false, null, null, null);
            return true;
        }

        var verb = args[0];
        if (!Verbs.Contains(verb, StringComparer.Ordinal))
        {
            problem = $"Unknown command '{verb}'.";
            return false;
        }

        string? snapshot = null, account = null, suffix = null, connectionString = null;
        string[]? tables = null;
        bool replace = false, createTables = false;
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--replace" when verb == "restore":
                    replace = true;
                    break;
                case "--create-tables" when verb == "restore":
                    createTables = true;
                    break;
                case "--tables" when verb == "restore":
                case "--account":
                case "--endpoint-suffix":
                case "--connection-string":
                    if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        problem = $"{arg} needs a value.";
                        return false;
                    }

                    var value = args[++i];
                    switch (arg)
                    {
                        case "--tables":
                            tables = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                            break;
                        case "--account":
                            account = value;
                            break;
                        case "--endpoint-suffix":
                            suffix = value;
                            break;
                        default:
                            connectionString = value;
                            break;
                    }

                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal) || snapshot is not null || verb is not ("verify" or "restore"))
                    {
                        problem = $"Unexpected '{arg}' for {verb}.";
                        return false;
                    }

                    snapshot = arg;
                    break;
            }
        }

        if (verb is "verify" or "restore" && snapshot is null)
        {
            problem = $"{verb} needs a snapshot name (see the list command) or 'latest'.";
            return false;
        }

        if (tables is { Length: 0 })
        {
            problem = "--tables needs at least one table name.";
            return false;
        }

        command = new CommandLine(verb, snapshot, replace, tables, createTables, account, suffix, connectionString);
        return true;
    }
}
