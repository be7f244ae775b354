using System.Buffers;

namespace TipIntake.Infrastructure.Backup;

/// <summary>
/// One table entity as one line of JSON, with every property's Entity Data Model type written out, so that a restore
/// gives back exactly the types that were read: <c>Edm.Int32</c> stays an int, <c>Edm.Int64</c> a long (written as a
/// string: JSON numbers lose precision past 2^53), <c>Edm.Double</c> a double (shortest round-trip text),
/// <c>Edm.DateTime</c> to the tick, <c>Edm.Guid</c>, <c>Edm.Binary</c> (base64) and <c>Edm.Boolean</c>.
/// </summary>
/// <remarks>
/// The table's own <c>Timestamp</c> and ETag are not kept: the timestamp is a precise time of the row's last write,
/// which this project does not keep outside the table itself (docs/security.md), and a restore makes new ones anyway.
/// </remarks>
/// <example><c>{"PartitionKey":"urgent","RowKey":"…","Properties":[{"Name":"PeopleCount","Type":"Edm.Int32","Value":3}]}</c></example>
internal static class EntityLines
{
    private const string TimestampProperty = "Timestamp";
    private const string ETagProperty = "odata.etag";

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = false };

    /// <summary>Writes <paramref name="entity"/> as UTF-8 JSON followed by a line feed.</summary>
    public static void Write(TableEntity entity, IBufferWriter<byte> output)
    {
        using (var json = new Utf8JsonWriter(output, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("PartitionKey", entity.PartitionKey);
            json.WriteString("RowKey", entity.RowKey);
            json.WriteStartArray("Properties");
            foreach (var (name, value) in entity.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                if (name is "PartitionKey" or "RowKey" or TimestampProperty or ETagProperty || value is null)
                {
                    continue;
                }

                json.WriteStartObject();
                json.WriteString("Name", name);
                WriteTyped(json, name, value);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.Write("\n"u8);
    }

    /// <summary>Reads one line written by <see cref="Write"/>.</summary>
    /// <exception cref="FormatException">The line is not such an entity.</exception>
    public static TableEntity Read(ReadOnlySpan<byte> line)
    {
        try
        {
            using var document = JsonDocument.Parse(line.ToArray());
            var root = document.RootElement;
            var entity = new TableEntity(root.GetProperty("PartitionKey").GetString(), root.GetProperty("RowKey").GetString());
            foreach (var property in root.GetProperty("Properties").EnumerateArray())
            {
                var name = property.GetProperty("Name").GetString()
                    ?? throw new FormatException("A property has no name.");
                if (name is "PartitionKey" or "RowKey" or TimestampProperty or ETagProperty || entity.ContainsKey(name))
                {
                    throw new FormatException($"Property {name} is reserved or repeated.");
                }

                entity[name] = ReadTyped(property.GetProperty("Type").GetString(), property.GetProperty("Value"));
            }

            return entity;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or OverflowException or ArgumentException)
        {
            throw new FormatException("Not an entity line of a TipIntake backup.", ex);
        }
    }

    private static void WriteTyped(Utf8JsonWriter json, string name, object value)
    {
        switch (value)
        {
            case int number:
                json.WriteString("Type", "Edm.Int32");
                json.WriteNumber("Value", number);
                break;
            case bool flag:
                json.WriteString("Type", "Edm.Boolean");
                json.WriteBoolean("Value", flag);
                break;
            case byte[] or BinaryData:
                json.WriteString("Type", "Edm.Binary");
                json.WriteBase64String("Value", value is BinaryData data ? data.ToMemory().Span : (byte[])value);
                break;
            default:
                var (type, text) = AsText(name, value);
                json.WriteString("Type", type);
                json.WriteString("Value", text);
                break;
        }
    }

    /// <summary>The types whose value a line holds as a JSON string (Int64 too: JSON numbers lose its precision).</summary>
    private static (string Type, string Text) AsText(string name, object value) => value switch
    {
        string text => ("Edm.String", text),
        long number => ("Edm.Int64", number.ToString(CultureInfo.InvariantCulture)),
        double number => ("Edm.Double", number.ToString("R", CultureInfo.InvariantCulture)),
        DateTimeOffset time => ("Edm.DateTime", time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
        DateTime time => ("Edm.DateTime", time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
        Guid id => ("Edm.Guid", id.ToString("D")),
        // Never the value: it could be tip content.
        _ => throw new NotSupportedException($"Property {name} has a type a table cannot hold ({value.GetType().Name})."),
    };

    private static object ReadTyped(string? type, JsonElement value) => type switch
    {
        "Edm.String" => value.GetString() ?? throw new FormatException("A string property is null."),
        "Edm.Int32" => value.GetInt32(),
        "Edm.Int64" => long.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        "Edm.Double" => double.Parse(value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture),
        "Edm.Boolean" => value.GetBoolean(),
        "Edm.DateTime" => new DateTimeOffset(DateTime.ParseExact(value.GetString()!, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).ToUniversalTime()),
        "Edm.Guid" => Guid.ParseExact(value.GetString()!, "D"),
        "Edm.Binary" => value.GetBytesFromBase64(),
        _ => throw new FormatException($"Unknown property type {type}."),
    };
}
