namespace TipIntake.Infrastructure.Triage;

/// <summary>
/// Column <c>PendingIndex</c> of a <c>Tips</c> row: the index work its last write left to do (<see cref="PendingIndex"/>),
/// as JSON; empty once done. Holds a kind and, for a change, the triage summary before it — what the row itself holds.
/// </summary>
internal static class PendingIndexColumn
{
    public const string Name = "PendingIndex";

    public static string Write(PendingIndex pending) => JsonSerializer.Serialize(pending, PendingIndexJsonContext.Default.PendingIndex);

    /// <summary>The pending work, or null for none. An unreadable value counts as a change of unknown origin (redo the current sets).</summary>
    public static PendingIndex? Read(TableEntity entity)
    {
        if (entity.GetString(Name) is not { Length: > 0 } json)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, PendingIndexJsonContext.Default.PendingIndex);
        }
        catch (JsonException)
        {
            return new PendingIndex(PendingIndexKinds.Change);
        }
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(PendingIndex))]
internal sealed partial class PendingIndexJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
