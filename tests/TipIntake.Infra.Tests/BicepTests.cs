using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TipIntake.Infra.Tests;

/// <summary>The Bicep templates build and lint with the pinned Bicep CLI, and the azd parameters file fits them.</summary>
[Collection(CompiledTemplateGroup.Name)]
public sealed partial class BicepTests(CompiledTemplate template)
{
    /// <summary>Depends on the clock (an API version ages into a warning); never a reason to fail CI.</summary>
    private const string ClockDependentRule = "use-recent-api-versions";

    [Fact]
    public void Main_template_builds_to_a_subscription_scope_ARM_template()
    {
        Assert.True(template.BuildExitCode == 0, $"bicep build failed:\n{template.BuildOutput}");
        Assert.Contains("subscriptionDeploymentTemplate.json", template.Root["$schema"].Str(), StringComparison.Ordinal);
        Assert.Single(template.OfType("Microsoft.Resources/resourceGroups"));
    }

    [Fact]
    public async Task Lint_reports_no_errors()
    {
        var (exitCode, output, error) = await BicepCli.RunAsync("lint", Repository.Path("infra", "main.bicep"));
        var diagnostics = (output + error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var errors = diagnostics
            .Where(line => ErrorDiagnostic().IsMatch(line) && !line.Contains(ClockDependentRule, StringComparison.Ordinal))
            .ToList();

        Assert.True(errors.Count == 0, "bicep lint errors:\n" + string.Join('\n', errors));
        // Exit code 1 means errors; only the clock-dependent rule may have caused it.
        Assert.True(exitCode == 0 || diagnostics.Where(line => ErrorDiagnostic().IsMatch(line)).All(line => line.Contains(ClockDependentRule, StringComparison.Ordinal)),
            $"bicep lint exited {exitCode}:\n{output}{error}");
    }

    [Fact]
    public void Only_local_modules_are_used()
    {
        var modules = Directory.GetFiles(Repository.Path("infra"), "*.bicep", SearchOption.AllDirectories)
            .SelectMany(file => ModuleReference().Matches(File.ReadAllText(file)).Select(match => (file, reference: match.Groups[1].Value)))
            .ToList();

        Assert.NotEmpty(modules);
        Assert.All(modules, module =>
        {
            Assert.DoesNotContain(":", module.reference, StringComparison.Ordinal); // br:, br/public:, ts:
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(module.file)!, module.reference)), $"{module.file}: {module.reference} does not exist");
        });
    }

    [Fact]
    public void Parameters_file_matches_the_template_parameters()
    {
        var given = ParametersFile.Parameters;
        var declared = template.Root["parameters"]!.AsObject();

        Assert.All(given, parameter => Assert.True(declared.ContainsKey(parameter.Key), $"main.parameters.json sets {parameter.Key}, which main.bicep does not declare"));
        // Required parameters come from the file, or are generated once by azd and kept in its environment.
        var required = declared.Where(parameter => parameter.Value?["defaultValue"] is null && !IsGeneratedByAzd(parameter.Value))
            .Select(parameter => parameter.Key).ToList();
        // triageIndexKey has no default: the preprovision hook generates it once into the azd environment (docs/deploy.md).
        Assert.Equal(["environmentName", "location", "triageIndexKey"], required.Order(StringComparer.Ordinal));
        Assert.All(required, name => Assert.True(given.ContainsKey(name), $"main.parameters.json must set the required parameter {name}"));

        // azd substitutes its environment: these names are what azd provides.
        Assert.Equal("${AZURE_ENV_NAME}", given["environmentName"]!["value"].Str());
        Assert.Equal("${AZURE_LOCATION}", given["location"]!["value"].Str());
        Assert.Equal("${AZURE_PRINCIPAL_ID}", given["principalId"]!["value"].Str());
        Assert.Equal("${AZURE_PRINCIPAL_TYPE}", given["principalType"]!["value"].Str());
        Assert.Equal("${TRIAGE_INDEX_KEY}", given["triageIndexKey"]!["value"].Str());
    }

    /// <summary>A parameter azd fills in itself on first provisioning (<c>@metadata({ azd: { type: 'generate' } })</c>).</summary>
    private static bool IsGeneratedByAzd(JsonNode? parameter) =>
        parameter?["metadata"]?["azd"]?["type"]?.GetValue<string>() == "generate";

    [Fact]
    public async Task Parameters_file_compiles_with_nothing_set_as_azd_leaves_unset_variables_out()
    {
        // azd drops a parameter whose variable is unset (the template's default applies): an empty environment, but for
        // the index key, which the preprovision hook has set before azd resolves the parameters.
        var compiled = await BuildParamsAsync(new Dictionary<string, string>
        {
            ["AZURE_ENV_NAME"] = "ci",
            ["AZURE_LOCATION"] = "westeurope",
            ["TRIAGE_INDEX_KEY"] = SampleIndexKey,
        });

        Assert.Equal("ci", compiled.At("parameters.environmentName.value").Str());
        Assert.Null(compiled.At("parameters.maximumInstanceCount"));
    }

    [Fact]
    public async Task Parameters_file_compiles_with_every_variable_set_as_an_operator_would()
    {
        var compiled = await BuildParamsAsync(SampleEnvironment);

        Assert.Equal(80, compiled.At("parameters.maximumInstanceCount.value").Long());
        Assert.False(compiled.At("parameters.enableDeleteLocks.value").Bool());
        Assert.Equal("ops@example.org", compiled.At("parameters.alertEmails.value")!.AsArray()[0].Str());
        Assert.Equal("urgent", compiled.At("parameters.routingRules.value")!.AsArray()[0].At("Queue").Str());
    }

    [Fact]
    public async Task A_routing_rule_with_a_misspelt_key_is_refused_before_deployment()
    {
        var environment = new Dictionary<string, string>(SampleEnvironment)
        {
            ["ROUTING_RULES"] = """[{"Urgency":"imminent","Qeue":"urgent"}]""",
        };

        var (exitCode, output) = await TryBuildParamsAsync(environment);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Qeue", output, StringComparison.Ordinal);
    }

    /// <summary>An azd environment that sets every variable the parameters file reads, with values an operator could give.</summary>
    /// <summary>A 32-byte key as the preprovision hook generates it (a test value, never a deployment's).</summary>
    internal static readonly string SampleIndexKey = Convert.ToBase64String(new byte[32]);

    internal static Dictionary<string, string> SampleEnvironment => new()
    {
        ["TRIAGE_INDEX_KEY"] = SampleIndexKey,
        ["AZURE_ENV_NAME"] = "ci",
        ["AZURE_LOCATION"] = "westeurope",
        ["AZURE_PRINCIPAL_ID"] = "00000000-0000-0000-0000-000000000001",
        ["AZURE_PRINCIPAL_TYPE"] = "ServicePrincipal",
        ["MAXIMUM_INSTANCE_COUNT"] = "80",
        ["INSTANCE_MEMORY_MB"] = "4096",
        ["ENABLE_PRIVATE_NETWORKING"] = "false",
        ["INTAKE_KEY_NAME"] = "intake",
        ["KEY_VAULT_PUBLIC_NETWORK_ACCESS"] = "Enabled",
        ["KEY_LIFETIME"] = "P1Y",
        ["KEY_ROTATE_BEFORE_EXPIRY"] = "P60D",
        ["KEY_NOTIFY_BEFORE_EXPIRY"] = "P30D",
        ["STORAGE_SKU_NAME"] = "Standard_ZRS",
        ["ENABLE_DELETE_LOCKS"] = "false",
        ["BLOB_SOFT_DELETE_DAYS"] = "14",
        ["BACKUP_RETENTION_DAYS"] = "60",
        ["LOG_ANALYTICS_RETENTION_DAYS"] = "90",
        ["LOG_ANALYTICS_DAILY_CAP_GB"] = "2",
        ["ALERT_EMAILS"] = """["ops@example.org","oncall@example.org"]""",
        ["IMMINENT_TIP_ALERT_EMAILS"] = """["triage@example.org"]""",
        ["IMMINENT_TIP_ALERT_MUTE_MINUTES"] = "15",
        ["FUNCTION_FAILURE_ALERT_THRESHOLD"] = "3",
        ["TRIAGE_AUTH_TENANT_ID"] = "7f5c1c55-0000-4000-8000-000000000002",
        ["TRIAGE_AUTH_CLIENT_ID"] = "2b8f0e3a-0000-4000-8000-000000000001",
        ["TRIAGE_AUTH_AUDIENCE"] = "2b8f0e3a-0000-4000-8000-000000000001",
        ["TRIAGE_AUTH_SCOPE"] = "api://2b8f0e3a-0000-4000-8000-000000000001/Tips.Triage",
        ["TRIAGE_AUTH_INSTANCE"] = "https://login.microsoftonline.com/",
        ["TRIAGE_OVERDUE_AFTER"] = "01:00:00",
        ["ROUTING_DEFAULT_QUEUE"] = "general",
        ["ROUTING_DEFAULT_PRIORITY"] = "5",
        ["ROUTING_RULES"] = """[{"Urgency":"imminent","Queue":"urgent","Priority":1},{"Category":"trafficking","Queue":"trafficking"}]""",
        ["RETENTION_CLOSED_TIPS_AFTER"] = "730.00:00:00",
        ["RETENTION_QUARANTINE_AFTER"] = "180.00:00:00",
        ["RETENTION_CLAIM_CHECK_ORPHAN_AFTER"] = "60.00:00:00",
        ["RETENTION_DRY_RUN"] = "true",
        ["INTAKE_RETRY_AFTER"] = "00:01:00",
        ["FLOOD_CONTROL_TARGET_ACCEPTED_PER_SECOND"] = "8",
        ["FLOOD_CONTROL_FLOOR_PERIOD"] = "00:00:10",
        ["FLOOD_CONTROL_FLOOR_FALL_AFTER"] = "00:02:00",
        ["FLOOD_CONTROL_MAX_FLOOR"] = "26",
        ["FLOOD_CONTROL_BACKLOG_THRESHOLD"] = "200",
        ["FLOOD_CONTROL_MAX_FORM_SUBMISSIONS_PER_MINUTE"] = "12",
        ["FLOOD_CONTROL_FORM_SUBMISSION_BURST"] = "12",
        ["FLOOD_CONTROL_FORM_TICKET_LIFETIME"] = "12:00:00",
        ["FLOOD_CONTROL_CHALLENGE_LIFETIME"] = "00:10:00",
        ["FLOOD_CONTROL_MAX_SPENT_CHALLENGES"] = "400000",
        ["PROCESSING_UNWRAPS_PER_SECOND"] = "30",
        ["PROCESSING_BULK_WHEN_MAIN_BELOW"] = "32",
        ["PROCESSING_HOLD_FOR"] = "00:00:15",
        ["PROCESSING_MAIN_DEFERRAL"] = "00:00:02",
        ["PROCESSING_BULK_DEFERRAL"] = "00:00:10",
        ["RECEIPT_PEPPER"] = "c2VjcmV0LXBlcHBlci1mb3ItdGhlLWJpY2VwLXRlc3RzLW9ubHk=",
        ["KEY_VAULT_PUBLIC_KEY_REFRESH_INTERVAL"] = "00:10:00",
        ["KEY_VAULT_PUBLIC_KEY_MAX_STALENESS"] = "02:00:00",
        ["KEY_CHECK_WARN_BEFORE"] = "40.00:00:00",
    };

    private async Task<JsonNode> BuildParamsAsync(IReadOnlyDictionary<string, string> environment)
    {
        var (exitCode, output, outFile, folder) = await RunBuildParamsAsync(environment);
        try
        {
            Assert.True(exitCode == 0, $"bicep build-params failed:\n{output}");
            return JsonNode.Parse(await File.ReadAllTextAsync(outFile))!;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<(int ExitCode, string Output)> TryBuildParamsAsync(IReadOnlyDictionary<string, string> environment)
    {
        var (exitCode, output, _, folder) = await RunBuildParamsAsync(environment);
        Directory.Delete(folder, recursive: true);
        return (exitCode, output);
    }

    /// <summary>
    /// main.parameters.json as azd resolves it against <paramref name="environment"/>, written as the equivalent
    /// .bicepparam and compiled against main.bicep (which checks names, types, allowed values and ranges). As azd does:
    /// a parameter whose variable is unset is left out; "80" for an int and "false" for a bool become a number and a
    /// boolean; an array or object parameter's text is parsed as JSON.
    /// </summary>
    private async Task<(int ExitCode, string Output, string OutFile, string Folder)> RunBuildParamsAsync(IReadOnlyDictionary<string, string> environment)
    {
        var folder = Directory.CreateTempSubdirectory("tipintake-params-").FullName;
        var main = Path.GetRelativePath(folder, Repository.Path("infra", "main.bicep")).Replace('\\', '/');
        var lines = new List<string> { $"using '{main}'" };
        foreach (var (name, value) in ParametersFile.Parameters)
        {
            var variable = AzdVariable().Match(value!["value"].Str() ?? "");
            Assert.True(variable.Success, $"{name} is not fed by one azd variable");
            if (environment.TryGetValue(variable.Groups[1].Value, out var text))
            {
                var type = template.Root.At($"parameters.{name}.type").Str();
                lines.Add($"param {name} = {(type is "array" or "object" ? JsonToBicep(JsonNode.Parse(text)) : type is "int" or "bool" ? text : Quoted(text))}");
            }
        }

        // What azd generates itself on first provisioning (a secure parameter with azd "generate" metadata) when the
        // environment does not give it is given here as azd would give it.
        lines.AddRange(template.Root["parameters"]!.AsObject()
            .Where(parameter => IsGeneratedByAzd(parameter.Value) && !lines.Any(line => line.StartsWith($"param {parameter.Key} =", StringComparison.Ordinal)))
            .Select(parameter => $"param {parameter.Key} = '{new string('a', 44)}'"));

        var paramFile = Path.Combine(folder, "main.bicepparam");
        var outFile = Path.Combine(folder, "main.parameters.compiled.json");
        await File.WriteAllLinesAsync(paramFile, lines);
        var (exitCode, output, error) = await BicepCli.RunAsync("build-params", paramFile, "--outfile", outFile);
        return (exitCode, output + error, outFile, folder);
    }

    private static string Quoted(string text) =>
        $"'{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}'";

    private static string JsonToBicep(JsonNode? node) => node switch
    {
        JsonArray array => "[\n" + string.Join("\n", array.Select(JsonToBicep)) + "\n]",
        JsonObject obj => "{\n" + string.Join("\n", obj.Select(p => $"{p.Key}: {JsonToBicep(p.Value)}")) + "\n}",
        JsonValue value when value.TryGetValue<string>(out var text) => Quoted(text),
        _ => node?.ToJsonString() ?? "null",
    };

    [GeneratedRegex(@"^\$\{([A-Z][A-Z0-9_]*)\}$")]
    private static partial Regex AzdVariable();

    [GeneratedRegex(@"\) : Error ")]
    private static partial Regex ErrorDiagnostic();

    [GeneratedRegex(@"^\s*module\s+\w+\s+'([^']+)'", RegexOptions.Multiline)]
    private static partial Regex ModuleReference();
}
