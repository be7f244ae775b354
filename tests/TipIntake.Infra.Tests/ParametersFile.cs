using System.Text.Json.Nodes;

namespace TipIntake.Infra.Tests;

/// <summary>infra/main.parameters.json: what azd substitutes from its environment into each parameter.</summary>
internal static class ParametersFile
{
    public static JsonObject Parameters =>
        JsonNode.Parse(File.ReadAllText(Repository.Path("infra", "main.parameters.json")))!["parameters"]!.AsObject();

    /// <summary>The value given for <paramref name="parameter"/>, e.g. <c>${AZURE_PRINCIPAL_TYPE}</c>.</summary>
    public static string? Value(string parameter) => Parameters[parameter]?["value"].Str();
}
