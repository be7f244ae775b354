namespace TipIntake.Core.Attachments;

/// <summary>
/// Writes a tip's <c>attachments</c> member (docs/attachments.md, "Name the files in the tip") exactly as the form's
/// script writes it: what the no-script path puts in the tips it encrypts, and what <see cref="AttachmentManifestReader"/>
/// reads back.
/// </summary>
public static class AttachmentManifestWriter
{
    public static JsonElement ToJson(IReadOnlyList<AttachmentEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var entry in entries)
            {
                json.WriteRawValue(AttachmentEntryJson.Write(entry), skipInputValidation: true);
            }

            json.WriteEndArray();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }
}
