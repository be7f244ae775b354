using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Infra.Tests;

/// <summary>
/// Every setting an operator may need is a parameter of main.bicep fed from the azd environment (`azd env set`), so a
/// provision writes it again instead of erasing it; and all of them are in docs/deploy.md's settings table.
/// </summary>
[Collection(CompiledTemplateGroup.Name)]
public sealed partial class SettingsTests(CompiledTemplate template)
{
    /// <summary>Parameters azd fills itself, under its own names.</summary>
    private static readonly Dictionary<string, string> AzdVariables = new(StringComparer.Ordinal)
    {
        ["environmentName"] = "AZURE_ENV_NAME",
        ["location"] = "AZURE_LOCATION",
        ["principalId"] = "AZURE_PRINCIPAL_ID",
        ["principalType"] = "AZURE_PRINCIPAL_TYPE",
    };

    /// <summary>Options the template sets itself, or that have no place in Azure, with the reason.</summary>
    private static readonly Dictionary<string, string> NotOperatorSettings = new(StringComparer.Ordinal)
    {
        ["Routing__Rules"] = "the routingRules parameter (Routing__Rules__N__…)",
        ["LocalDevelopmentKey__Folder"] = "the development key exists only in Development",
        ["KeyVault__DisableChallengeResourceVerification"] = "only for a vault whose challenge names another resource; the template's vault does not",
    };

    [Fact]
    public void Every_parameter_but_the_random_seed_is_fed_from_the_azd_environment_by_its_own_variable()
    {
        var declared = template.Root["parameters"]!.AsObject().Select(p => p.Key).Where(name => name != "floodControlKeySeed").ToList();
        var given = ParametersFile.Parameters;

        Assert.Equal(declared.Order(StringComparer.Ordinal), given.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.All(declared, name => Assert.Equal($"${{{VariableOf(name)}}}", given[name]!["value"].Str()));
        Assert.Equal("MAXIMUM_INSTANCE_COUNT", VariableOf("maximumInstanceCount"));
        Assert.Equal("INSTANCE_MEMORY_MB", VariableOf("instanceMemoryMB"));
    }

    [Fact]
    public void Every_option_of_the_app_is_written_by_the_template_or_fed_by_a_parameter()
    {
        var fixedSettings = CompiledTemplate.FixedAppSettings(template.Single("Microsoft.Web/sites")).Keys.ToHashSet(StringComparer.Ordinal);
        var operatorSettings = OperatorSettings(template);
        var options = AppOptionSettings().ToList();

        Assert.Contains("Triage__Auth__TenantId", options);
        Assert.Contains("Retention__ClosedTipsAfter", options);
        Assert.Contains("KeyCheck__WarnBefore", options);
        Assert.All(options, setting => Assert.True(
            fixedSettings.Contains(setting) || operatorSettings.ContainsKey(setting) || NotOperatorSettings.ContainsKey(setting),
            $"{setting} can only be set by hand in the portal, and the next provision would erase it: make it a parameter of main.bicep"));
        Assert.Empty(fixedSettings.Intersect(operatorSettings.Keys));
    }

    [Fact]
    public void Operator_settings_are_string_parameters_that_default_to_the_app_default_and_empty_ones_are_left_out()
    {
        foreach (var (setting, parameter) in OperatorSettings(template))
        {
            var declaration = template.Root.At($"parameters.{parameter}")!;
            Assert.Equal("string", declaration["type"].Str());
            Assert.Equal("", declaration["defaultValue"].Str());
            Assert.Contains(setting, declaration.At("metadata.description").Str(), StringComparison.Ordinal);
        }

        // The module writes the fixed settings plus only the operator's non-empty ones (so the app's defaults apply).
        var site = template.Single("Microsoft.Web/sites");
        Assert.Equal(
            "[concat(variables('fixedSettings'), map(filter(items(parameters('operatorSettings')), lambda('setting', not(empty(lambdaVariables('setting').value)))), lambda('setting', createObject('name', lambdaVariables('setting').key, 'value', lambdaVariables('setting').value))))]",
            site["properties.siteConfig.appSettings"].Str());
        var functionApp = template.OfType("Microsoft.Resources/deployments").Single(d => d.Node["name"].Str() == "functionapp");
        Assert.Equal("[variables('operatorSettings')]", functionApp["properties.parameters.operatorSettings.value"].Str());
    }

    [Fact]
    public void A_deployment_lets_reporters_attach_files_unless_the_operator_turns_attachments_off()
    {
        // Left empty, the parameter writes no setting, and the app's default applies: on, bounded by MaxOpenUploads.
        var parameter = template.Root.At("parameters.attachmentsUploadsEnabled")!;
        Assert.Equal("", parameter["defaultValue"].Str());
        Assert.Equal("attachmentsUploadsEnabled", OperatorSettings(template)["Attachments__UploadsEnabled"]);
        Assert.Contains("default true", parameter.At("metadata.description").Str(), StringComparison.Ordinal);
        var defaults = new AttachmentOptions();
        Assert.True(defaults.UploadsEnabled);
        Assert.Equal(2_000, defaults.MaxOpenUploads);
        Assert.Equal("attachmentsMaxOpenUploads", OperatorSettings(template)["Attachments__MaxOpenUploads"]);
    }

    [Fact]
    public void Routing_rules_are_a_typed_array_that_becomes_indexed_settings()
    {
        var rules = template.Root.At("parameters.routingRules")!;
        var type = template.Root.At("definitions.routingRule")!;

        Assert.Equal("array", rules["type"].Str());
        Assert.Equal("#/definitions/routingRule", rules.At("items.$ref").Str());
        Assert.Equal(["Category", "Priority", "Queue", "Urgency"], type["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.False(type["additionalProperties"].Bool());
        Assert.Contains("format('Routing__Rules__{0}__{1}'", template.Root.At("variables.operatorSettings").Str(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_settings_table_of_docs_deploy_names_every_parameter_and_its_variable()
    {
        var rows = File.ReadAllLines(Repository.Path("docs", "deploy.md")).Where(line => line.StartsWith('|')).ToList();

        foreach (var parameter in ParametersFile.Parameters.Select(p => p.Key))
        {
            var variable = VariableOf(parameter);
            Assert.True(
                rows.Any(row => row.Contains($"`{variable}`", StringComparison.Ordinal) && row.Contains($"`{parameter}`", StringComparison.Ordinal)),
                $"docs/deploy.md has no table row with `{variable}` and `{parameter}`");
        }

        foreach (var (setting, parameter) in OperatorSettings(template))
        {
            Assert.True(
                rows.Any(row => row.Contains($"`{parameter}`", StringComparison.Ordinal) && row.Contains(setting, StringComparison.Ordinal)),
                $"docs/deploy.md's row for `{parameter}` does not name the app setting {setting}");
        }
    }

    /// <summary>The azd variable of a parameter: azd's own name, or the parameter's name in upper snake case.</summary>
    internal static string VariableOf(string parameter) =>
        AzdVariables.TryGetValue(parameter, out var variable)
            ? variable
            : UpperSnake().Replace(parameter, "_$1").ToUpperInvariant();

    /// <summary>App setting → parameter, from main.bicep's operatorSettings variable.</summary>
    internal static Dictionary<string, string> OperatorSettings(CompiledTemplate template) =>
        SettingPair().Matches(template.Root.At("variables.operatorSettings").Str() ?? "")
            .ToDictionary(match => match.Groups["setting"].Value, match => match.Groups["parameter"].Value, StringComparer.Ordinal);

    internal static IEnumerable<string> OperatorSettingNames(CompiledTemplate template) => OperatorSettings(template).Keys;

    /// <summary>Every bindable property of every options class of the app, as an app setting name (Section__Property).</summary>
    private static IEnumerable<string> AppOptionSettings() =>
        from assembly in (Assembly[])[typeof(IntakeOptions).Assembly, typeof(StorageNames).Assembly]
        from type in assembly.GetTypes()
        let section = type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string
        where section is not null && type.Name.EndsWith("Options", StringComparison.Ordinal)
        from property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        where property.SetMethod?.IsPublic == true || property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(IList<>)
        select $"{section.Replace(":", "__", StringComparison.Ordinal)}__{property.Name}";

    [GeneratedRegex(@"(?<=[a-z0-9])([A-Z])")]
    private static partial Regex UpperSnake();

    [GeneratedRegex(@"'(?<setting>[A-Za-z]+(?:__[A-Za-z]+)+)', parameters\('(?<parameter>\w+)'\)")]
    private static partial Regex SettingPair();
}
