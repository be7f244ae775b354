namespace TipIntake.Infrastructure.Triage.Index;

/// <summary>
/// One chunk of a set's directory: chunk <see cref="Id"/> holds the keys in (previous chunk's high, <see cref="High"/>].
/// The last chunk's high is <see cref="SetLayout.End"/>.
/// </summary>
internal sealed record ChunkRef(int Id, string High, int Count);

/// <summary>
/// How a set lies in table <c>TipIndex</c>: partition = set name; a head row (RowKey = the set name) and chunk rows
/// (the set name, <c>|c</c>, the chunk's number). RowKeys are unique across the table on purpose: Azurite answers a
/// point read by looking the RowKey up first, so a RowKey shared by every partition ("h") would make each point read a
/// scan of all the sets.
/// </summary>
internal static class SetLayout
{
    public static string HeadRow(string set) => set;

    /// <summary>Above every key (keys are digits and lowercase hex).</summary>
    public const string End = "~";

    /// <summary>Split a chunk above this many entries (key-only sets; views split on bytes first).</summary>
    public const int MaxEntries = 1024;

    /// <summary>A chunk's entries fit one binary property (64 KiB), with room to spare.</summary>
    public const int MaxBytes = 60 * 1024;

    public static string ChunkRow(string set, int id) => set + "|c" + id.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>The chunk holding position <paramref name="from"/>: entries ≥ it (inclusive) or &gt; it.</summary>
    public static bool Covers(string low, string high, string from, bool inclusive) => inclusive
        ? (low.Length == 0 || string.CompareOrdinal(low, from) < 0) && (high == End || string.CompareOrdinal(from, high) <= 0)
        : string.CompareOrdinal(low, from) <= 0 && (high == End || string.CompareOrdinal(from, high) < 0);
}

/// <summary>
/// The head row: size, version and directory of a set. A set that fits one chunk keeps its entries in the head itself
/// (<see cref="Inline"/>): most sets are small (a rare word, a place in one week), and then one read serves a page and
/// one write a change.
/// </summary>
internal sealed class SetHead
{
    public SetHead(IReadOnlyList<ChunkRef> chunks, int nextId, long version, ETag? etag, IReadOnlyList<SetEntry>? inline = null)
    {
        Chunks = chunks;
        NextId = nextId;
        Version = version;
        ETag = etag;
        Inline = inline;
    }

    public IReadOnlyList<ChunkRef> Chunks { get; }

    /// <summary>The entries, when the set is one chunk kept in the head; null when its chunks are rows of their own.</summary>
    public IReadOnlyList<SetEntry>? Inline { get; }

    public int NextId { get; }

    public long Version { get; }

    /// <summary>Null for a head not stored yet (a set never written).</summary>
    public ETag? ETag { get; }

    public long Count => Chunks.Sum(c => (long)c.Count);

    public static SetHead Empty { get; } = new([new ChunkRef(0, SetLayout.End, 0)], 1, 0, null, []);

    public SetHead WithETag(ETag? etag) => new(Chunks, NextId, Version, etag, Inline);

    /// <summary>The inline entries as a chunk (id 0, the whole key range, no row of its own).</summary>
    public SetChunk InlineChunk() => new(0, "", SetLayout.End, [.. Inline ?? []], null);

    /// <summary>Index into <see cref="Chunks"/> of the chunk holding position <paramref name="from"/>.</summary>
    public int IndexOf(string from, bool inclusive)
    {
        for (var i = 0; i < Chunks.Count; i++)
        {
            if (SetLayout.Covers(LowOf(i), Chunks[i].High, from, inclusive))
            {
                return i;
            }
        }

        return Chunks.Count - 1;
    }

    public string LowOf(int index) => index == 0 ? "" : Chunks[index - 1].High;

    public static SetHead Read(TableEntity entity)
    {
        var lines = TextColumns.Read(entity, "D").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var chunks = lines.Select(line =>
        {
            var parts = line.Split('\t');
            return new ChunkRef(int.Parse(parts[0], CultureInfo.InvariantCulture), parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture));
        }).ToList();
        return new SetHead(
            chunks.Count == 0 ? Empty.Chunks : chunks,
            entity.GetInt32("Next") ?? 1,
            entity.GetInt64("Version") ?? 0,
            entity.ETag,
            entity.GetBoolean("Inline") == true ? SetChunk.ReadEntries(entity) : null);
    }

    public TableEntity ToEntity(string set)
    {
        var entity = new TableEntity(set, SetLayout.HeadRow(set))
        {
            ["Version"] = Version,
            ["Count"] = Count,
            ["Next"] = NextId,
        };
        TextColumns.Write(entity, "D", string.Concat(Chunks.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Id}\t{c.High}\t{c.Count}\n"))));
        if (Inline is not null)
        {
            entity["Inline"] = true;
            entity["E"] = SetChunk.WriteEntries(Inline);
        }

        return entity;
    }
}

/// <summary>A chunk row: its bounds (written with the directory, so a reader can tell a chunk it read is the one it meant) and its entries.</summary>
internal sealed class SetChunk(int id, string low, string high, List<SetEntry> entries, ETag? etag)
{
    public int Id { get; } = id;

    public string Low { get; set; } = low;

    public string High { get; set; } = high;

    /// <summary>Sorted by key (ordinal), keys unique.</summary>
    public List<SetEntry> Entries { get; set; } = entries;

    public ETag? ETag { get; } = etag;

    public int Bytes => Entries.Sum(EntryBytes);

    /// <summary>A copy with its own list of entries.</summary>
    public SetChunk WithETag(ETag? etag) => new(Id, Low, High, [.. Entries], etag);

    public static int EntryBytes(SetEntry entry) =>
        Encoding.UTF8.GetByteCount(entry.Key) + 2 + (entry.Payload is null ? 0 : Encoding.UTF8.GetByteCount(entry.Payload));

    /// <summary>The first entry ≥ (or &gt;) <paramref name="from"/>, as an index into <see cref="Entries"/>.</summary>
    public int IndexOf(string from, bool inclusive)
    {
        int lo = 0, hi = Entries.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            var cmp = string.CompareOrdinal(Entries[mid].Key, from);
            if (cmp < 0 || (cmp == 0 && !inclusive))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public static SetChunk Read(TableEntity entity) => new(
        int.Parse(entity.RowKey.AsSpan(entity.RowKey.LastIndexOf("|c", StringComparison.Ordinal) + 2), CultureInfo.InvariantCulture),
        entity.GetString("Low") ?? "",
        entity.GetString("High") ?? SetLayout.End,
        ReadEntries(entity),
        entity.ETag);

    /// <summary>Entries as lines of <c>key TAB payload</c> in UTF-8 (a payload is JSON, which never holds a raw tab or line break).</summary>
    public static List<SetEntry> ReadEntries(TableEntity entity)
    {
        var entries = new List<SetEntry>();
        if (entity.GetBinary("E") is { Length: > 0 } bytes)
        {
            foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var tab = line.IndexOf('\t', StringComparison.Ordinal);
                entries.Add(tab < 0 ? new SetEntry(line, null) : new SetEntry(line[..tab], line[(tab + 1)..] is { Length: > 0 } p ? p : null));
            }
        }

        return entries;
    }

    public static byte[] WriteEntries(IEnumerable<SetEntry> entries)
    {
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            text.Append(entry.Key).Append('\t').Append(entry.Payload).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public TableEntity ToEntity(string set) => new(set, SetLayout.ChunkRow(set, Id))
    {
        ["Low"] = Low,
        ["High"] = High,
        ["Count"] = Entries.Count,
        ["E"] = WriteEntries(Entries),
    };
}

/// <summary>Text longer than one string property holds (32,000 UTF-16 units here) across columns <c>X</c>, <c>X2</c>, <c>X3</c>…</summary>
internal static class TextColumns
{
    private const int PerColumn = 32_000;

    public static void Write(TableEntity entity, string name, string text)
    {
        var column = 1;
        var start = 0;
        do
        {
            var length = Math.Min(PerColumn, text.Length - start);
            entity[NameOf(name, column++)] = text.Substring(start, length);
            start += length;
        }
        while (start < text.Length);
    }

    public static string Read(TableEntity entity, string name)
    {
        var whole = new StringBuilder(entity.GetString(name) ?? "");
        for (var column = 2; entity.GetString(NameOf(name, column)) is { } part; column++)
        {
            whole.Append(part);
        }

        return whole.ToString();
    }

    private static string NameOf(string name, int column) => column == 1 ? name : name + column.ToString(CultureInfo.InvariantCulture);
}
