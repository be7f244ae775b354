using TipIntake.Core.Tips;

namespace TipIntake.Core.Triage.Index;

/// <summary>
/// The names of the triage index's sets. Views (<c>v.</c>) carry each tip's summary and are what lists page through;
/// filters (<c>f.</c>), terms (<c>t.</c>) and related-report keys (<c>r.</c>) carry keys only. Every view but the
/// overdue one, and every filter and term set, is ordered by <see cref="IndexKeys.Order(TipSummary)"/>, so that a
/// search can intersect any of them by walking them side by side. Values staff or reporters typed (assignee, labels,
/// words, places, contacts) appear only as keyed hashes (<see cref="IndexHasher"/>).
/// </summary>
public static class TriageSets
{
    public const string All = "v.all";
    public const string Due = "v.due";

    /// <summary>Tips whose content (terms, related-report keys, suggestions) is still to be indexed; payload: the queue.</summary>
    public const string PendingContent = "p.content";

    /// <summary>Queue-and-status views are tallied: their sizes are the counts staff see.</summary>
    public const string TalliedPrefix = "v.qs.";

    public static string Queue(string queue) => "v.q." + queue;

    public static string Status(string status) => "v.s." + status;

    public static string QueueStatus(string queue, string status) => TalliedPrefix + queue + "." + status;

    public static string Category(string category) => "f.c." + category;

    public static string Urgency(string urgency) => "f.u." + urgency;

    /// <summary>Tips whose last message asked the reporter for a reply that has not come (a follow-up flag).</summary>
    public const string AwaitingReporter = "f.flag.awaiting-reporter";

    /// <summary>Tips with answers from the reporter no one has marked read (a follow-up flag).</summary>
    public const string NewAnswers = "f.flag.new-answers";

    public static string Country(string country) => "f.n." + country.ToUpperInvariant();

    public static string Assignee(IndexHasher hasher, string assignee) => "f.a." + Hasher(hasher).Hash("assignee", assignee);

    public static string Label(IndexHasher hasher, string label) => "f.l." + Hasher(hasher).Hash("label", label.ToLowerInvariant());

    public static string Term(IndexHasher hasher, string term) => "t." + Hasher(hasher).Hash("term", term);

    public static string PlaceWeek(IndexHasher hasher, string place, string week) => "r.pw." + Hasher(hasher).Hash("place-week", place + "|" + week);

    public static string Contact(IndexHasher hasher, string normalizedContact) => "r.c." + Hasher(hasher).Hash("contact", normalizedContact);

    /// <summary>(queue, status) of a tallied set's name, or null for another name.</summary>
    public static (string Queue, string Status)? QueueStatusOf(string set)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (!set.StartsWith(TalliedPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = set[TalliedPrefix.Length..];
        var dot = rest.LastIndexOf('.');
        return dot > 0 ? (rest[..dot], rest[(dot + 1)..]) : null;
    }

    private static IndexHasher Hasher(IndexHasher hasher) => hasher ?? throw new ArgumentNullException(nameof(hasher));
}

/// <summary>
/// Keyed hashes (HMAC-SHA-256 under <c>Triage:IndexKey</c>, 96 bits, base64url) of what the index is keyed by, so
/// that the index tables alone do not read as words, names, places or contacts: whoever takes them without the key
/// sees opaque set names (frequencies remain visible: docs/triage.md, "What the index holds").
/// </summary>
public sealed class IndexHasher
{
    private readonly byte[] _key;

    public IndexHasher(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("The index key must be at least 32 bytes.", nameof(key));
        }

        _key = [.. key];
    }

    public string Hash(string kind, string value)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(value);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(kind + "\0" + value), mac);
        return Jwe.JoseBase64.Encode(mac[..12]);
    }
}

/// <summary>Which sets a tip's triage state puts it in, with the key and payload of each entry.</summary>
public static class TipMemberships
{
    private static readonly string[] OpenStatuses = [TriageStatuses.New, TriageStatuses.InReview];

    /// <summary>Views and filters of a tip's summary (what triage changes move); content sets are separate.</summary>
    public static IReadOnlyList<(string Set, SetEntry Entry)> Of(TipSummary tip, IndexHasher hasher)
    {
        ArgumentNullException.ThrowIfNull(tip);
        ArgumentNullException.ThrowIfNull(hasher);
        var order = IndexKeys.Order(tip);
        var payload = SummaryPayload.Write(tip);
        var sets = new List<(string, SetEntry)>
        {
            (TriageSets.All, new SetEntry(order, payload)),
            (TriageSets.Queue(tip.Queue), new SetEntry(order, payload)),
            (TriageSets.Status(tip.Status), new SetEntry(order, payload)),
            (TriageSets.QueueStatus(tip.Queue, tip.Status), new SetEntry(order, payload)),
            (TriageSets.Category(tip.Category), new SetEntry(order, null)),
            (TriageSets.Urgency(tip.Urgency), new SetEntry(order, null)),
        };
        if (IsOverdueCandidate(tip))
        {
            sets.Add((TriageSets.Due, new SetEntry(IndexKeys.Due(tip), payload)));
        }

        if (tip.Country is { Length: > 0 } country)
        {
            sets.Add((TriageSets.Country(country), new SetEntry(order, null)));
        }

        if (tip.AssignedTo is { Length: > 0 } assignee)
        {
            sets.Add((TriageSets.Assignee(hasher, assignee), new SetEntry(order, null)));
        }

        foreach (var label in tip.Labels.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            sets.Add((TriageSets.Label(hasher, label), new SetEntry(order, null)));
        }

        if (tip.AwaitingReporter)
        {
            sets.Add((TriageSets.AwaitingReporter, new SetEntry(order, null)));
        }

        if (tip.NewAnswers)
        {
            sets.Add((TriageSets.NewAnswers, new SetEntry(order, null)));
        }

        return sets;
    }

    /// <summary>Imminent tips still new or in review: the overdue view holds them, longest waiting first.</summary>
    public static bool IsOverdueCandidate(TipSummary tip)
    {
        ArgumentNullException.ThrowIfNull(tip);
        return tip.Urgency == TipUrgencies.Imminent && OpenStatuses.Contains(tip.Status, StringComparer.Ordinal);
    }

    /// <summary>
    /// What moves a tip from <paramref name="before"/> (null: in no set yet) to <paramref name="after"/> (null: out of
    /// every set): entries it leaves are removed, entries it keeps with the same payload are left alone.
    /// </summary>
    public static IReadOnlyList<SetChange> Diff(TipSummary? before, TipSummary? after, IndexHasher hasher)
    {
        var old = before is null ? [] : Of(before, hasher);
        var now = after is null ? [] : Of(after, hasher);
        var changes = new List<SetChange>();
        foreach (var (set, entry) in old)
        {
            if (!now.Any(n => n.Set == set && n.Entry.Key == entry.Key))
            {
                changes.Add(SetChange.Remove(set, entry.Key));
            }
        }

        foreach (var (set, entry) in now)
        {
            if (!old.Contains((set, entry)))
            {
                changes.Add(SetChange.Put(set, entry.Key, entry.Payload));
            }
        }

        return changes;
    }
}

/// <summary>A tip summary as a view entry's payload (JSON).</summary>
public static class SummaryPayload
{
    public static string Write(TipSummary tip) => JsonSerializer.Serialize(tip, TriageIndexJsonContext.Default.TipSummary);

    public static TipSummary? Read(string? payload)
    {
        if (string.IsNullOrEmpty(payload))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(payload, TriageIndexJsonContext.Default.TipSummary);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(TipSummary))]
internal sealed partial class TriageIndexJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
