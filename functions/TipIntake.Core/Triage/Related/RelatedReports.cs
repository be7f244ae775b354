using TipIntake.Core.Staff;

namespace TipIntake.Core.Triage.Related;

/// <summary>A related tip as staff see it: its summary (never its content), why it was suggested, and the decision.</summary>
public sealed record RelatedTip(TipSummary Tip, IReadOnlyList<RelationReason> Reasons, string State);

/// <summary>The outcome of an editor's link or unlink.</summary>
public abstract record RelationChange
{
    private RelationChange()
    {
    }

    public sealed record Decided(string State, string Before) : RelationChange;

    public sealed record NotFound : RelationChange;

    public sealed record InvalidInput(string Code, string Detail) : RelationChange;
}

/// <summary>
/// Related reports: the suggestions made when each tip was stored, and editors' decisions on them. A decision links
/// or unlinks a pair — the same seen from either tip, audited on both — and never merges or changes either tip.
/// </summary>
public sealed partial class RelatedReports(ITriageStore store, ITipRelations relations, TimeProvider time, ILogger<RelatedReports> logger)
{
    /// <summary>The tip's related tips (linked first, then suggestions, then unlinked), or null for an unknown tip.</summary>
    public async Task<IReadOnlyList<RelatedTip>?> ListAsync(string tipId, CancellationToken cancellationToken)
    {
        if (!TriageIds.IsTipId(tipId) || await store.GetAsync(tipId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        var related = await relations.ListAsync(tipId, cancellationToken).ConfigureAwait(false);
        var tips = await Task.WhenAll(related.Select(r => store.GetAsync(r.OtherId, cancellationToken))).ConfigureAwait(false);
        return [.. related
            .Zip(tips)
            .Where(pair => pair.Second is not null)
            .Select(pair => new RelatedTip(pair.Second!.Summary, pair.First.Reasons, pair.First.State))
            .OrderBy(r => r.State switch { RelationStates.Linked => 0, RelationStates.Suggested => 1, _ => 2 })
            .ThenByDescending(r => r.Reasons.Count)
            .ThenBy(r => Index.IndexKeys.Order(r.Tip), StringComparer.Ordinal)];
    }

    /// <summary>Links (<paramref name="linked"/>) or unlinks two tips; both must exist and differ.</summary>
    public async Task<RelationChange> DecideAsync(
        string tipId, string otherId, bool linked, StaffMember actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!TriageIds.IsTipId(tipId) || !TriageIds.IsTipId(otherId))
        {
            return new RelationChange.NotFound();
        }

        if (tipId == otherId)
        {
            return new RelationChange.InvalidInput("same-tip", "A tip cannot be linked to itself.");
        }

        var found = await Task.WhenAll(store.GetAsync(tipId, cancellationToken), store.GetAsync(otherId, cancellationToken)).ConfigureAwait(false);
        if (found.Any(tip => tip is null || tip.PendingIndex?.Kind == PendingIndexKinds.Purge))
        {
            return new RelationChange.NotFound();
        }

        var at = time.GetUtcNow();
        var action = Codes.Of(linked ? TipEventAction.Linked : TipEventAction.Unlinked);
        TipEvent Event(string tip, string other) => new(
            tip, TriageIds.NewTimeOrdered(at), at, actor.ObjectId, action, linked ? null : other, linked ? other : null);
        var state = linked ? RelationStates.Linked : RelationStates.Unlinked;
        var before = await relations.DecideAsync(tipId, otherId, state, [Event(tipId, otherId), Event(otherId, tipId)], cancellationToken)
            .ConfigureAwait(false);
        Log.RelationDecided(logger, tipId, otherId, action, actor.ObjectId);
        return new RelationChange.Decided(state, before);
    }

    private static partial class Log
    {
        [LoggerMessage(4103, LogLevel.Information, "Tips {TipId} and {OtherId}: {Action} by staff {Actor}")]
        public static partial void RelationDecided(ILogger logger, string tipId, string otherId, string action, string actor);
    }
}
