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
        var file = JsonNode.Parse(File.ReadAllText(Repository.Path("infra", "main.parameters.json")))!;
        var given = file["parameters"]!.AsObject();
        var declared = template.Root["parameters"]!.AsObject();

        Assert.All(given, parameter => Assert.True(declared.ContainsKey(parameter.Key), $"main.parameters.json sets {parameter.Key}, which main.bicep does not declare"));
        // Required parameters come from the file, or are generated once by azd and kept in its environment.
        var required = declared.Where(parameter => parameter.Value?["defaultValue"] is null && !IsGeneratedByAzd(parameter.Value))
            .Select(parameter => parameter.Key).ToList();
        Assert.Equal(["environmentName", "location"], required.Order(StringComparer.Ordinal));
        Assert.All(required, name => Assert.True(given.ContainsKey(name), $"main.parameters.json must set the required parameter {name}"));

        // azd substitutes its environment: these names are what azd provides.
        Assert.Equal("${AZURE_ENV_NAME}", given["environmentName"]!["value"].Str());
        Assert.Equal("${AZURE_LOCATION}", given["location"]!["value"].Str());
        Assert.Equal("${AZURE_PRINCIPAL_ID}", given["principalId"]!["value"].Str());
    }

    /// <summary>A parameter azd fills in itself on first provisioning (<c>@metadata({ azd: { type: 'generate' } })</c>).</summary>
    private static bool IsGeneratedByAzd(JsonNode? parameter) =>
        parameter?["metadata"]?["azd"]?["type"]?.GetValue<string>() == "generate";

    [Fact]
    public async Task Parameters_file_can_be_compiled_as_bicepparam()
    {
        // build-params only reads .bicepparam: write the equivalent with concrete values and compile it against main.bicep,
        // which checks the names and types against the template.
        var file = JsonNode.Parse(File.ReadAllText(Repository.Path("infra", "main.parameters.json")))!["parameters"]!.AsObject();
        var values = new Dictionary<string, string>
        {
            ["${AZURE_ENV_NAME}"] = "ci",
            ["${AZURE_LOCATION}"] = "westeurope",
            ["${AZURE_PRINCIPAL_ID}"] = "",
        };
        var folder = Directory.CreateTempSubdirectory("tipintake-params-").FullName;
        var main = Path.GetRelativePath(folder, Repository.Path("infra", "main.bicep")).Replace('\\', '/');
        var lines = new List<string> { $"using '{main}'" };
        lines.AddRange(file.Select(parameter => $"param {parameter.Key} = {BicepLiteral(parameter.Value!["value"], values)}"));

        // What azd generates itself (a secure parameter with azd "generate" metadata) is given here as azd would.
        lines.AddRange(template.Root["parameters"]!.AsObject()
            .Where(parameter => IsGeneratedByAzd(parameter.Value) && !file.ContainsKey(parameter.Key))
            .Select(parameter => $"param {parameter.Key} = '{new string('a', 44)}'"));
        var paramFile = Path.Combine(folder, "main.bicepparam");
        var outFile = Path.Combine(folder, "main.parameters.compiled.json");
        await File.WriteAllLinesAsync(paramFile, lines);
        try
        {
            var (exitCode, output, error) = await BicepCli.RunAsync("build-params", paramFile, "--outfile", outFile);
            Assert.True(exitCode == 0, $"bicep build-params failed:\n{output}{error}");
            var compiled = JsonNode.Parse(await File.ReadAllTextAsync(outFile))!;
            Assert.Equal("ci", compiled.At("parameters.environmentName.value").Str());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A parameters-file value as a Bicep literal: azd's <c>${VAR}</c> placeholders become sample values.</summary>
    private static string BicepLiteral(JsonNode? value, Dictionary<string, string> placeholders) =>
        value.Str() is { } text
            ? $"'{placeholders.GetValueOrDefault(text, text).Replace("'", "\\'", StringComparison.Ordinal)}'"
            : value?.ToJsonString() ?? "null";

    [GeneratedRegex(@"\) : Error ")]
    private static partial Regex ErrorDiagnostic();

    [GeneratedRegex(@"^\s*module\s+\w+\s+'([^']+)'", RegexOptions.Multiline)]
    private static partial Regex ModuleReference();
}
