using TipIntake.Core.Jwe;

namespace TipIntake.Core.Attachments;

/// <summary>
/// Reads a tip's optional <c>attachments</c> member (docs/attachments.md, "Name the files in the tip") strictly:
/// exactly the documented members, canonical base64url, a layout on the ladder that fits the size, a type from the
/// allow-list, a neutral name, a known handling. A file it cannot take is named with its fault, never silently left out,
/// and never a reason to refuse the tip: a report matters more than its files.
/// </summary>
public static class AttachmentManifestReader
{
    public const int MaxKeyIdLength = 256;

    /// <summary>The types a reporter may send, each with the extension a download is named with.</summary>
    public static readonly IReadOnlyDictionary<string, string> Types = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["image/jpeg"] = "jpg",
        ["image/png"] = "png",
        ["image/webp"] = "webp",
        ["image/heic"] = "heic",
        ["application/pdf"] = "pdf",
        ["audio/mpeg"] = "mp3",
        ["audio/mp4"] = "m4a",
        ["audio/aac"] = "aac",
        ["audio/ogg"] = "ogg",
        ["audio/wav"] = "wav",
        ["audio/webm"] = "weba",
        ["text/plain"] = "txt",
    };

    public static readonly IReadOnlyList<string> Handlings = ["scrubbed", "original", "re-encoded", "unchecked"];

    public static readonly IReadOnlyList<string> RemovedCodes =
    [
        "location", "serial-number", "camera", "author", "date-time", "unique-id", "description", "software", "maker-notes",
        "thumbnail", "extra-images", "xmp", "iptc", "comment", "text", "content-credentials", "other-metadata",
        "trailing-data", "orientation",
    ];

    private static readonly string[] KeyMembers = ["alg", "kid", "ek"];

    /// <summary>RSA-2048, RSA-3072 and RSA-4096 wraps.</summary>
    private static readonly int[] WrapBytes = [256, 384, 512];

    private static readonly string[] EntryMembers =
        ["upload", "digest", "chunks", "chunkBytes", "key", "size", "sha256", "type", "name", "handling", "removed"];

    public static AttachmentManifestRead Read(JsonElement? member, AttachmentLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (member is not { } attachments || attachments.ValueKind == JsonValueKind.Null)
        {
            return AttachmentManifestRead.Absent;
        }

        if (attachments.ValueKind != JsonValueKind.Array)
        {
            return new([], [], AttachmentManifestFault.NotAnArray);
        }

        if (attachments.GetArrayLength() > limits.MaxFilesPerTip)
        {
            return new([], [], AttachmentManifestFault.TooManyFiles);
        }

        var entries = new List<AttachmentEntry>();
        var rejected = new List<(int, AttachmentManifestFault)>();
        var number = 0;
        foreach (var element in attachments.EnumerateArray())
        {
            number++;
            var (entry, fault) = ReadEntry(element, limits);
            if (entry is not null && entries.Exists(e => e.Upload == entry.Upload))
            {
                fault = AttachmentManifestFault.DuplicateUpload;
            }

            if (fault is { } refused)
            {
                rejected.Add((number, refused));
            }
            else
            {
                entries.Add(entry!);
            }
        }

        // The total is what storage holds, padded: past the limit, the whole member is over it.
        var total = entries.Sum(e => ChunkLayout.PaddedBytes(e.Chunks, e.ChunkBytes));
        return total > limits.MaxBytesPerTip ? new([], [], AttachmentManifestFault.TooManyBytes) : new(entries, rejected, null);
    }

    private static (AttachmentEntry? Entry, AttachmentManifestFault? Fault) ReadEntry(JsonElement entry, AttachmentLimits limits)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return (null, AttachmentManifestFault.NotAnObject);
        }

        if (Members(entry, EntryMembers) is { } membersWrong)
        {
            return (null, membersWrong);
        }

        if (String(entry, "upload") is not { } upload || !UploadId.TryParse(upload, out _))
        {
            return (null, AttachmentManifestFault.UploadInvalid);
        }

        if (JoseBase64.DecodeCanonical(entry.GetProperty("digest"), UploadDigest.DigestBytes) is not { } digest)
        {
            return (null, AttachmentManifestFault.DigestInvalid);
        }

        if (Integer(entry, "chunks") is not { } chunks || Integer(entry, "chunkBytes") is not { } chunkBytes || Integer(entry, "size") is not { } size
            || !ChunkLayout.IsChunkBytes((int)Math.Clamp(chunkBytes, 0, int.MaxValue)))
        {
            return (null, AttachmentManifestFault.LayoutInvalid);
        }

        // The layout is the one the size calls for: the smallest ladder count that holds it, within the file limit.
        if (ChunkLayout.ChunksFor(size, (int)chunkBytes) != chunks || ChunkLayout.PaddedBytes((int)chunks, (int)chunkBytes) > limits.MaxFileBytes)
        {
            return (null, AttachmentManifestFault.SizeInvalid);
        }

        if (ReadKey(entry.GetProperty("key")) is not { } key)
        {
            return (null, AttachmentManifestFault.KeyInvalid);
        }

        if (JoseBase64.DecodeCanonical(entry.GetProperty("sha256"), 32) is not { } sha256)
        {
            return (null, AttachmentManifestFault.Sha256Invalid);
        }

        if (String(entry, "type") is not { } type || !Types.TryGetValue(type, out var extension))
        {
            return (null, AttachmentManifestFault.TypeNotAllowed);
        }

        if (String(entry, "name") is not { } name || !IsNeutralName(name, extension))
        {
            return (null, AttachmentManifestFault.NameInvalid);
        }

        if (String(entry, "handling") is not { } handling || !Handlings.Contains(handling, StringComparer.Ordinal))
        {
            return (null, AttachmentManifestFault.HandlingInvalid);
        }

        if (ReadRemoved(entry.GetProperty("removed"), handling) is not { } removed)
        {
            return (null, AttachmentManifestFault.RemovedInvalid);
        }

        return (new AttachmentEntry(upload, digest, (int)chunks, (int)chunkBytes, key.Kid, key.Ek, size, sha256, type, name, handling, removed), null);
    }

    /// <summary>
    /// <c>{alg: "RSA-OAEP-256", kid, ek}</c>: <c>ek</c> the canonical base64url of an RSA-2048 to RSA-4096 wrap. Whether
    /// <c>kid</c> is a current intake key version is the download's question: a retired version still unwraps.
    /// </summary>
    private static (string Kid, string Ek)? ReadKey(JsonElement key)
    {
        if (key.ValueKind != JsonValueKind.Object || Members(key, KeyMembers) is not null || String(key, "alg") != "RSA-OAEP-256"
            || String(key, "kid") is not { Length: > 0 and <= MaxKeyIdLength } kid || kid.Any(char.IsControl)
            || String(key, "ek") is not { } ek)
        {
            return null;
        }

        return WrapBytes.Any(bytes => JoseBase64.DecodeCanonical(ek, bytes) is not null) ? (kid, ek) : null;
    }

    /// <summary>Distinct known codes; none unless the file was cleaned (scrubbed or re-encoded).</summary>
    private static List<string>? ReadRemoved(JsonElement removed, string handling)
    {
        if (removed.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var codes = removed.EnumerateArray().Select(code => code.ValueKind == JsonValueKind.String ? code.GetString() ?? "" : "").ToList();
        var cleaned = handling is "scrubbed" or "re-encoded";
        return codes.TrueForAll(code => RemovedCodes.Contains(code, StringComparer.Ordinal))
            && codes.Distinct(StringComparer.Ordinal).Count() == codes.Count && (cleaned || codes.Count == 0)
            ? codes
            : null;
    }

    /// <summary>The form's own names (<c>photo-1.jpg</c>): a camera's file name carries its capture time, so none is accepted.</summary>
    private static bool IsNeutralName(string name, string extension)
    {
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        var dot = name.LastIndexOf('.');
        return dash is > 0 and <= 16 && dot > dash + 1 && name[(dot + 1)..] == extension
            && name[..dash].All(char.IsAsciiLetterLower) && name[(dash + 1)..dot].All(char.IsAsciiDigit) && dot - dash - 1 <= 2;
    }

    private static AttachmentManifestFault? Members(JsonElement element, string[] names) => JsonMembers.Check(element, names) switch
    {
        null => null,
        MemberMismatch.Unknown => AttachmentManifestFault.UnknownMember,
        _ => AttachmentManifestFault.MissingMember,
    };

    private static string? String(JsonElement element, string name) =>
        element.GetProperty(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    /// <summary>A JSON integer written as one (no fraction, no exponent), or null.</summary>
    private static long? Integer(JsonElement element, string name) =>
        element.GetProperty(name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number)
            && value.GetRawText().All(c => char.IsAsciiDigit(c) || c == '-') ? number : null;
}
