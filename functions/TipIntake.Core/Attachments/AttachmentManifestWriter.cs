using TipIntake.Core.Jwe;

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
                json.WriteStartObject();
                json.WriteString("upload", entry.Upload);
                json.WriteString("digest", JoseBase64.Encode(entry.Digest));
                json.WriteNumber("chunks", entry.Chunks);
                json.WriteNumber("chunkBytes", entry.ChunkBytes);
                json.WriteStartObject("key");
                json.WriteString("alg", JweAlgorithms.KeyWrap);
                json.WriteString("kid", entry.KeyId);
                json.WriteString("ek", entry.WrappedKey);
                json.WriteEndObject();
                json.WriteNumber("size", entry.Size);
                json.WriteString("sha256", JoseBase64.Encode(entry.Sha256));
                json.WriteString("type", entry.Type);
                json.WriteString("name", entry.Name);
                json.WriteString("handling", entry.Handling);
                json.WriteStartArray("removed");
                foreach (var code in entry.Removed)
                {
                    json.WriteStringValue(code);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }
}
