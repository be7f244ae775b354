namespace TipIntake.Infrastructure.Triage;

/// <summary>
/// Column <c>PendingAudit</c> of a <c>Tips</c> row: the last change's audit event and note as JSON, written by the
/// change's own guarded update (see <see cref="PendingAudit"/>). Holds staff ids, triage values and a note's text —
/// what <c>TipEvents</c> and <c>TipNotes</c> hold — never tip content.
/// </summary>
internal static class PendingAuditColumn
{
    public const string Name = "PendingAudit";

    public static string Write(PendingAudit audit) => JsonSerializer.Serialize(audit, PendingAuditJsonContext.Default.PendingAudit);

    /// <summary>The pending audit, or null for a row never changed by triage (or whose column is unreadable).</summary>
    public static PendingAudit? Read(TableEntity entity)
    {
        if (entity.GetString(Name) is not { Length: > 0 } json)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, PendingAuditJsonContext.Default.PendingAudit);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PendingAudit))]
internal sealed partial class PendingAuditJsonContext : JsonSerializerContext;
