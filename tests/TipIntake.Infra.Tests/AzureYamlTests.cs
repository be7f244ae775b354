using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace TipIntake.Infra.Tests;

/// <summary>azure.yaml is valid for azd (its published JSON schema, offline) and deploys the Functions project.</summary>
[Collection(CompiledTemplateGroup.Name)]
public sealed partial class AzureYamlTests(CompiledTemplate template)
{
    private const string ExtensionsBaseUrl = "https://raw.githubusercontent.com/Azure/azure-dev/main/cli/azd/extensions/";

    private static readonly Lazy<JsonSchema> Schema = new(LoadSchema);

    private static JsonObject AzureYaml => YamlJson.Parse(File.ReadAllText(Repository.Path("azure.yaml")))!.AsObject();

    [Fact]
    public void Azure_yaml_validates_against_the_azd_schema()
    {
        var results = Evaluate(AzureYaml);

        Assert.True(results.IsValid, "azure.yaml does not validate against azure.yaml.json:\n" + Describe(results));
    }

    [Fact]
    public void Schema_check_rejects_an_invalid_azure_yaml()
    {
        // The validator really applies the schema: a bad name and an unknown provider fail.
        var broken = AzureYaml.DeepClone().AsObject();
        broken["name"] = "Not A Valid Name";
        broken["infra"]!["provider"] = "pulumi-of-some-kind";

        Assert.False(Evaluate(broken).IsValid);
    }

    [Fact]
    public void Functions_service_is_a_dotnet_function_app_from_an_existing_project()
    {
        var yaml = AzureYaml;
        var service = Assert.Single(yaml["services"]!.AsObject());

        Assert.Equal("functions", service.Key);
        Assert.Equal("function", service.Value!["host"].Str());
        Assert.Equal("dotnet", service.Value["language"].Str());
        var project = Path.GetFullPath(Path.Combine(Repository.Root, service.Value["project"].Str()!));
        Assert.Equal(Repository.Path("functions", "TipIntake.Functions"), project);
        Assert.True(File.Exists(Path.Combine(project, "TipIntake.Functions.csproj")), $"{project} has no TipIntake.Functions.csproj");
        Assert.Equal("bicep", yaml.At("infra.provider").Str());
        Assert.Equal("infra", yaml.At("infra.path").Str());
        Assert.Equal("main", yaml.At("infra.module").Str());
    }

    [Fact]
    public void Function_app_carries_the_azd_service_name_of_azure_yaml()
    {
        var serviceName = Assert.Single(AzureYaml["services"]!.AsObject()).Key;
        var site = template.Single("Microsoft.Web/sites");
        var match = ServiceNameTag().Match(site["tags"].Str() ?? "");

        Assert.True(match.Success, $"the site's tags do not set azd-service-name: {site["tags"]}");
        var parameter = JsonValue.Create($"[parameters('{match.Groups[1].Value}')]");
        Assert.Equal(serviceName, CompiledTemplate.Resolve(parameter, site.Deployment).Str());
    }

    [Theory]
    [InlineData("prepackage", "npm ci --no-audit --no-fund")]
    [InlineData("preprovision", "node infra/hooks/preprovision.mjs")]
    [InlineData("postprovision", "node infra/hooks/postprovision.mjs")]
    [InlineData("postdeploy", "node infra/hooks/postdeploy.mjs")]
    public void Hooks_run_the_same_command_on_posix_and_windows(string hook, string command)
    {
        var definition = AzureYaml.At($"hooks.{hook}")!;

        Assert.Equal(("sh", command), (definition.At("posix.shell").Str(), definition.At("posix.run").Str()));
        Assert.Equal(("pwsh", command), (definition.At("windows.shell").Str(), definition.At("windows.run").Str()));
        if (command.StartsWith("node ", StringComparison.Ordinal))
        {
            Assert.True(File.Exists(Repository.Path(command["node ".Length..].Split('/'))), $"{command}: no such script");
            // Printed to the operator's console, not folded away by azd.
            Assert.True(definition.At("posix.interactive").Bool());
        }
    }

    [Fact]
    public void A_Release_build_without_MSAL_fails_instead_of_shipping_a_dead_sign_in()
    {
        var project = System.Xml.Linq.XDocument.Load(Repository.Path("functions", "TipIntake.Functions", "TipIntake.Functions.csproj"));
        var error = Assert.Single(project.Descendants("Error"));

        Assert.Contains("'$(Configuration)' == 'Release'", error.Attribute("Condition")!.Value, StringComparison.Ordinal);
        Assert.Contains("!Exists('$(MsalBrowserLib)msal-browser.min.js')", error.Attribute("Condition")!.Value, StringComparison.Ordinal);
        Assert.Equal("EmbedMsalBrowser", error.Parent!.Attribute("Name")!.Value);
    }

    private static EvaluationResults Evaluate(JsonNode instance)
    {
        using var document = JsonDocument.Parse(instance.ToJsonString());
        return Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Describe(EvaluationResults results) =>
        string.Join('\n', (results.Details ?? []).Prepend(results)
            .Where(detail => detail.Errors is { Count: > 0 })
            .SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation} ({detail.EvaluationPath}): {error.Key}: {error.Value}")));

    /// <summary>
    /// The schema and the extension schemas it references by URL, registered under those URLs (Schemas/README.md),
    /// so that nothing is fetched.
    /// </summary>
    private static JsonSchema LoadSchema()
    {
        var folder = Repository.SchemasFolder;
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        var extensions = Path.Combine(folder, "extensions");
        var pending = Directory.GetFiles(extensions, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(pending);

        // Files reference their siblings by relative name; register in rounds until every reference resolves.
        while (pending.Count > 0)
        {
            var failures = new List<(string File, Exception Error)>();
            foreach (var file in pending.ToList())
            {
                var url = new Uri(ExtensionsBaseUrl + Path.GetRelativePath(extensions, file).Replace('\\', '/'));
                try
                {
                    var schema = JsonSchema.FromText(File.ReadAllText(file), options, url);
                    options.SchemaRegistry.Register(url, schema);
                    pending.Remove(file);
                }
                catch (Exception error) when (error is JsonSchemaException or RefResolutionException or InvalidOperationException)
                {
                    failures.Add((file, error));
                }
            }

            if (failures.Count > 0 && failures.Count == pending.Count)
            {
                throw new InvalidOperationException("Extension schemas do not resolve offline:\n" +
                    string.Join('\n', failures.Select(failure => $"{failure.File}: {failure.Error.Message}")));
            }
        }

        return JsonSchema.FromText(File.ReadAllText(Path.Combine(folder, "azure.yaml.json")), options);
    }

    [GeneratedRegex(@"createObject\('azd-service-name', parameters\('(\w+)'\)\)")]
    private static partial Regex ServiceNameTag();
}
