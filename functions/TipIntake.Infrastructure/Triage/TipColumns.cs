using System.Text.Json.Serialization.Metadata;

namespace TipIntake.Infrastructure.Triage;

/// <summary>The columns of a <c>Tips</c> row that hold JSON written by triage's guarded updates.</summary>
internal static class TipColumns
{
    /// <summary>
    /// The last change's audit event and note (see <see cref="Core.Triage.PendingAudit"/>), written by the change's own guarded
    /// update. Holds staff ids, triage values and a note's text — what <c>TipEvents</c> and <c>TipNotes</c> hold — never
    /// tip content. Null for a row never changed by triage (or whose column is unreadable).
    /// </summary>
    public static readonly JsonColumn<PendingAudit> PendingAudit = new("PendingAudit", TipColumnsJsonContext.Default.PendingAudit, unreadable: null);

    /// <summary>
    /// The index work the row's last write left to do (<see cref="Core.Triage.PendingIndex"/>); empty once done.
    /// Holds a kind and, for a change, the triage summary before it — what the row itself holds. An unreadable value
    /// counts as a change of unknown origin (redo the current sets).
    /// </summary>
    public static readonly JsonColumn<PendingIndex> PendingIndex =
        new("PendingIndex", TipColumnsJsonContext.Default.PendingIndex, unreadable: new PendingIndex(PendingIndexKinds.Change));
}

/// <summary>A column holding a small JSON value: null when empty, <c>unreadable</c> when it cannot be read.</summary>
internal sealed class JsonColumn<T>(string name, JsonTypeInfo<T> typeInfo, T? unreadable)
    where T : class
{
    public string Name => name;

    public string Write(T value) => JsonSerializer.Serialize(value, typeInfo);

    public T? Read(TableEntity entity)
    {
        if (entity.GetString(name) is not { Length: > 0 } json)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, typeInfo);
        }
        catch (JsonException)
        {
            return unreadable;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PendingAudit))]
[JsonSerializable(typeof(PendingIndex))]
internal sealed partial class TipColumnsJsonContext : JsonSerializerContext;
