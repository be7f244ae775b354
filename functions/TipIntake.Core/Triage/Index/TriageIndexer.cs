using TipIntake.Core.Triage.Related;
using TipIntake.Core.Triage.Search;

namespace TipIntake.Core.Triage.Index;

/// <summary>
/// Keeps the triage index in step with <c>Tips</c>: a stored tip enters its views, filters, terms and related-report
/// sets and gets its suggestions; a change moves it between views; a purge takes it out of everything. Each step is
/// idempotent, so the work named by a row's <see cref="PendingIndex"/> can be done again by whoever finds it.
/// </summary>
public sealed class TriageIndexer(IIndexSets sets, ITipLocator locator, ITipRelations relations, IndexHasher hasher, Gazetteer gazetteer)
{
    /// <summary>Does the work a row's marker names (nothing when it has none).</summary>
    public Task CompleteAsync(TriageTip tip, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tip);
        return tip.PendingIndex switch
        {
            null => Task.CompletedTask,
            { Kind: PendingIndexKinds.New } => IndexNewAsync(tip.Summary, tip.Content, cancellationToken),
            { Kind: PendingIndexKinds.Change, Before: { } before } => ApplyChangeAsync(before, tip.Summary, cancellationToken),
            { Kind: PendingIndexKinds.Purge } => PurgeAsync(tip.Summary, tip.Content, cancellationToken),

            // A change marker without its summary (unreadable): redo the tip's current sets; the repair job removes
            // whatever the unknown former state left behind.
            _ => ApplyChangeAsync(tip.Summary, tip.Summary, refreshAll: true, cancellationToken),
        };
    }

    /// <summary>
    /// A newly stored tip, all at once: locator, views, filters, terms, related-report keys, suggestions. What a read
    /// or change does when it finds a tip whose content is not indexed yet.
    /// </summary>
    public async Task IndexNewAsync(TipSummary tip, TipContent content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tip);
        await IndexSummaryAsync(tip, pendingContent: false, cancellationToken).ConfigureAwait(false);
        await IndexContentAsync([(tip, content)], cancellationToken).ConfigureAwait(false);
        await sets.ApplyAsync([SetChange.Remove(TriageSets.PendingContent, IndexKeys.Order(tip))], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What the processor does when it stores a tip: locator, views and filters (so the tip is listed and counted at
    /// once), and the tip put among those whose content is still to be indexed (<see cref="ContentIndexer"/>).
    /// </summary>
    public Task IndexSummaryAsync(TipSummary tip, CancellationToken cancellationToken) => IndexSummaryAsync(tip, pendingContent: true, cancellationToken);

    /// <summary>
    /// The content of many stored tips at once — terms, related-report keys — then each one's suggestions. One write
    /// per set for the whole batch: a word many tips share costs one write, not one per tip.
    /// </summary>
    public async Task IndexContentAsync(
        IReadOnlyList<(TipSummary Tip, TipContent Content)> tips, CancellationToken cancellationToken, IndexWrite write = IndexWrite.Now)
    {
        ArgumentNullException.ThrowIfNull(tips);
        var keys = tips.Select(t => (t.Tip, Keys: ContentKeys.Of(t.Tip, t.Content, hasher, gazetteer))).ToList();
        var counts = await sets.ApplyAsync(
            [.. keys.SelectMany(k => k.Keys.AllSets.Select(set => SetChange.Put(set, IndexKeys.Order(k.Tip))))], cancellationToken, write).ConfigureAwait(false);
        foreach (var (tip, tipKeys) in keys)
        {
            var suggestions = await SuggestAsync(tip, tipKeys, counts, cancellationToken).ConfigureAwait(false);
            if (suggestions.Count > 0)
            {
                await relations.SuggestAsync(tip.Id, suggestions, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task IndexSummaryAsync(TipSummary tip, bool pendingContent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tip);
        await locator.PutAsync(tip.Id, tip.Queue, cancellationToken).ConfigureAwait(false);
        var changes = TipMemberships.Diff(null, tip, hasher).ToList();
        if (pendingContent)
        {
            changes.Add(SetChange.Put(TriageSets.PendingContent, IndexKeys.Order(tip), tip.Queue));
        }

        await sets.ApplyAsync(changes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A triage change: out of the sets the tip left, into (or refreshed in) those it is in now.</summary>
    public Task ApplyChangeAsync(TipSummary before, TipSummary after, CancellationToken cancellationToken) =>
        ApplyChangeAsync(before, after, refreshAll: false, cancellationToken);

    /// <summary>Out of everything: views, filters, terms, related-report keys and relations, and the locator last.</summary>
    public async Task PurgeAsync(TipSummary tip, TipContent content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tip);
        ArgumentNullException.ThrowIfNull(content);
        var order = IndexKeys.Order(tip);
        var keys = ContentKeys.Of(tip, content, hasher, gazetteer);
        var changes = TipMemberships.Diff(tip, null, hasher)
            .Concat(keys.AllSets.Select(set => SetChange.Remove(set, order)))
            .Append(SetChange.Remove(TriageSets.PendingContent, order))
            .ToList();
        await sets.ApplyAsync(changes, cancellationToken).ConfigureAwait(false);
        await relations.RemoveAllAsync(tip.Id, cancellationToken).ConfigureAwait(false);
        await locator.RemoveAsync(tip.Id, cancellationToken).ConfigureAwait(false);
    }

    private async Task ApplyChangeAsync(TipSummary before, TipSummary after, bool refreshAll, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changes = refreshAll
            ? TipMemberships.Of(after, hasher).Select(m => SetChange.Put(m.Set, m.Entry.Key, m.Entry.Payload)).ToList()
            : TipMemberships.Diff(before, after, hasher);
        if (changes.Count > 0)
        {
            await sets.ApplyAsync(changes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Tips already in the same place-and-weeks or contact sets, and tips sharing at least
    /// <see cref="RelatedRules.MinSharedRareWords"/> rare words or pairs — the strongest first.
    /// </summary>
    private async Task<IReadOnlyList<RelatedSuggestion>> SuggestAsync(
        TipSummary tip, ContentKeys keys, IReadOnlyDictionary<string, long> counts, CancellationToken cancellationToken)
    {
        var reasons = new Dictionary<string, List<RelationReason>>(StringComparer.Ordinal);
        void Add(string other, RelationReason reason)
        {
            if (other == tip.Id)
            {
                return;
            }

            var list = reasons.TryGetValue(other, out var existing) ? existing : reasons[other] = [];
            if (!list.Contains(reason))
            {
                list.Add(reason);
            }
        }

        foreach (var (place, set) in keys.PlaceWeekLookups)
        {
            foreach (var other in await ReadIdsAsync(set, 50, cancellationToken).ConfigureAwait(false))
            {
                Add(other, new RelationReason(RelationReasons.SamePlaceWeeks, place.StartsWith("text:", StringComparison.Ordinal) ? null : place));
            }
        }

        if (keys.ContactSet is { } contact)
        {
            foreach (var other in await ReadIdsAsync(contact, 50, cancellationToken).ConfigureAwait(false))
            {
                Add(other, new RelationReason(RelationReasons.SameContact));
            }
        }

        // Rare words: the sets' sizes (known from writing them) say how rare; only the rarest few are read.
        var shared = new Dictionary<string, int>(StringComparer.Ordinal);
        var rare = keys.WordSets
            .Select(set => (Set: set, Count: counts.GetValueOrDefault(set)))
            .Where(r => r.Count is > 1 and <= RelatedRules.RareWordMaxTips)
            .ToList();

        foreach (var (set, _) in rare.OrderBy(r => r.Count).Take(16))
        {
            foreach (var other in await ReadIdsAsync(set, RelatedRules.RareWordMaxTips, cancellationToken).ConfigureAwait(false))
            {
                if (other != tip.Id)
                {
                    shared[other] = shared.GetValueOrDefault(other) + 1;
                }
            }
        }

        foreach (var (other, count) in shared.Where(s => s.Value >= RelatedRules.MinSharedRareWords))
        {
            Add(other, new RelationReason(RelationReasons.SharedWords, count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return [.. reasons
            .OrderByDescending(r => r.Value.Count)
            .ThenByDescending(r => shared.GetValueOrDefault(r.Key))
            .Take(RelatedRules.MaxSuggestions)
            .Select(r => new RelatedSuggestion(r.Key, r.Value))];
    }

    private async Task<List<string>> ReadIdsAsync(string set, int max, CancellationToken cancellationToken)
    {
        var cursor = sets.Open(set);
        var ids = new List<string>();
        var from = "";
        var inclusive = true;
        while (ids.Count < max && await cursor.SeekAsync(from, inclusive, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            ids.Add(IndexKeys.TipIdOf(entry.Key));
            (from, inclusive) = (entry.Key, false);
        }

        return ids;
    }

    /// <summary>The content sets of a tip: its terms, its place-and-week keys and its contact key.</summary>
    private sealed record ContentKeys(
        IReadOnlyList<string> TermSets,
        IReadOnlyList<string> WordSets,
        IReadOnlyList<string> PlaceWeekSets,
        IReadOnlyList<(string Place, string Set)> PlaceWeekLookups,
        string? ContactSet)
    {
        public IEnumerable<string> AllSets => TermSets.Concat(PlaceWeekSets).Concat(ContactSet is null ? [] : [ContactSet]);

        public static ContentKeys Of(TipSummary tip, TipContent content, IndexHasher hasher, Gazetteer gazetteer)
        {
            var terms = SearchTerms.OfTip(content.Narrative, content.Place, tip.Region, gazetteer);
            var places = RelatedRules.PlacesOf(content.Place, tip.Region, content.Narrative, gazetteer);
            var weeks = RelatedRules.WeeksOf(content.ObservedFrom, content.ObservedTo, tip.ReceivedHour);
            var lookups = places
                .SelectMany(place => weeks.SelectMany(RelatedRules.Around).Distinct(StringComparer.Ordinal)
                    .Select(week => (place, TriageSets.PlaceWeek(hasher, place, week))))
                .ToList();
            return new ContentKeys(
                [.. terms.Select(term => TriageSets.Term(hasher, term))],
                [.. terms.Where(term => !term.StartsWith(SearchTerms.PlacePrefix, StringComparison.Ordinal)).Select(term => TriageSets.Term(hasher, term))],
                [.. places.SelectMany(place => weeks.Select(week => TriageSets.PlaceWeek(hasher, place, week)))],
                lookups,
                RelatedRules.NormalizeContact(content.Contact) is { } contact ? TriageSets.Contact(hasher, contact) : null);
        }
    }
}
