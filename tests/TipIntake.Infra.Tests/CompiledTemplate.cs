using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TipIntake.Infra.Tests;

/// <summary>A nested deployment (a Bicep module) or the main template: its template and the parameters passed to it.</summary>
internal sealed record Deployment(string Name, JsonObject Template, JsonObject? PassedParameters, Deployment? Parent);

/// <summary>One resource of the compiled template, with the deployment (module) that declares it.</summary>
internal sealed record ArmResource(string Type, JsonObject Node, Deployment Deployment)
{
    public JsonNode? this[string path] => Node.At(path);

    /// <summary>The value at <paramref name="path"/>, with <c>[parameters('x')]</c> followed to the value the parent passes or the default.</summary>
    public JsonNode? Resolved(string path) => CompiledTemplate.Resolve(Node.At(path), Deployment);

    public override string ToString() => $"{Type} in {Deployment.Name}";
}

/// <summary>infra/main.bicep compiled once by <c>bicep build</c>, with helpers to walk its nested deployments.</summary>
public sealed partial class CompiledTemplate : IAsyncLifetime
{
    private JsonObject? _root;
    private List<ArmResource>? _resources;

    public int BuildExitCode { get; private set; }

    public string BuildOutput { get; private set; } = "";

    public string Text { get; private set; } = "";

    internal JsonObject Root => _root ?? throw new InvalidOperationException($"bicep build failed:\n{BuildOutput}");

    internal IReadOnlyList<ArmResource> Resources => _resources ??= Walk(new Deployment("main", Root, null, null)).ToList();

    public async Task InitializeAsync()
    {
        var outFile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"tipintake-main-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, output, error) = await BicepCli.RunAsync("build", Repository.Path("infra", "main.bicep"), "--outfile", outFile);
            BuildExitCode = exitCode;
            BuildOutput = output + error;
            if (exitCode == 0 && File.Exists(outFile))
            {
                Text = await File.ReadAllTextAsync(outFile);
                _root = JsonNode.Parse(Text)!.AsObject();
            }
        }
        finally
        {
            File.Delete(outFile);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    internal IEnumerable<ArmResource> OfType(string type) =>
        Resources.Where(resource => string.Equals(resource.Type, type, StringComparison.OrdinalIgnoreCase));

    internal ArmResource Single(string type) => Assert.Single(OfType(type));

    /// <summary>
    /// The app settings the Function app module always writes (its <c>fixedSettings</c> variable); the site's
    /// <c>appSettings</c> adds the non-empty operator settings to them.
    /// </summary>
    internal static Dictionary<string, JsonNode?> FixedAppSettings(ArmResource site)
    {
        Assert.StartsWith("[concat(variables('fixedSettings'), ", site["properties.siteConfig.appSettings"].Str(), StringComparison.Ordinal);
        return site.Deployment.Template.At("variables.fixedSettings")!.AsArray()
            .ToDictionary(setting => setting!["name"].Str()!, setting => setting!["value"], StringComparer.Ordinal);
    }

    /// <summary>
    /// Follows <c>[parameters('x')]</c> to the value the parent deployment passes (or the default) and
    /// <c>[variables('x')]</c> to the variable, as far as they are literal; other expressions are returned as they are.
    /// </summary>
    internal static JsonNode? Resolve(JsonNode? value, Deployment deployment)
    {
        for (var depth = 0; depth < 10; depth++)
        {
            if (value.Str() is not { } text || Reference().Match(text) is not { Success: true } match)
            {
                return value;
            }

            var name = match.Groups["name"].Value;
            if (match.Groups["kind"].Value == "variables")
            {
                value = deployment.Template["variables"]?[name];
            }
            else if (deployment.PassedParameters?[name] is { } passed && deployment.Parent is not null)
            {
                if (passed is not JsonObject passedObject)
                {
                    return passed; // a conditional expression such as [if(..., createObject('value', ...), ...)]
                }

                value = passedObject["value"];
                deployment = deployment.Parent;
            }
            else
            {
                value = deployment.Template["parameters"]?[name]?["defaultValue"];
            }
        }

        throw new InvalidOperationException("References nest too deep.");
    }

    private static IEnumerable<ArmResource> Walk(Deployment deployment)
    {
        var resources = deployment.Template["resources"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            JsonObject symbolic => symbolic.Select(pair => pair.Value).OfType<JsonObject>(),
            _ => [],
        };
        foreach (var resource in resources)
        {
            var type = (string)resource["type"]!;
            yield return new ArmResource(type, resource, deployment);
            if (type == "Microsoft.Resources/deployments" && resource.At("properties.template") is JsonObject template)
            {
                var name = resource["name"]?.ToString() ?? "?";
                var nested = new Deployment(name, template, resource.At("properties.parameters") as JsonObject, deployment);
                foreach (var inner in Walk(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    [GeneratedRegex(@"^\[(?<kind>parameters|variables)\('(?<name>[^']+)'\)\]$")]
    private static partial Regex Reference();
}

internal static class JsonNodeExtensions
{
    /// <summary>The node at a dotted path (<c>properties.siteConfig.ftpsState</c>), or null.</summary>
    public static JsonNode? At(this JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject obj ? obj[part] : null;
        }

        return node;
    }

    public static string? Str(this JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static bool? Bool(this JsonNode? node) => node is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;

    public static long? Long(this JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;
}

[CollectionDefinition(Name)]
public sealed class CompiledTemplateGroup : ICollectionFixture<CompiledTemplate>
{
    public const string Name = "Compiled template";
}
