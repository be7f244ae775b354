using TipIntake.Core.Jwe;

namespace TipIntake.Core.Attachments;

/// <summary>
/// An entry written back in the shape of the tip's <c>attachments</c> member (docs/attachments.md, "Name the files in the
/// tip"): for the quarantine, where <see cref="AttachmentManifestReader"/> reads it again when an operator replays it,
/// and for the tips the no-script path writes (<see cref="AttachmentManifestWriter"/>).
/// </summary>
public static class AttachmentEntryJson
{
    public static byte[] Write(AttachmentEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
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

        return buffer.ToArray();
    }

    /// <summary>The upload id an entry written by <see cref="Write"/> names; null when it is not such an entry.</summary>
    public static string? UploadOf(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUpload = reader.ValueTextEquals("upload"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (isUpload)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
