namespace TipIntake.Core.Triage.Related;

/// <summary>
/// Why a tip was suggested as related: <see cref="RelationReasons"/>. <see cref="Detail"/> is the gazetteer's id of
/// the shared place (a public place name, never the reporter's text) or the number of shared rare words.
/// </summary>
public sealed record RelationReason(string Code, string? Detail = null);

public static class RelationReasons
{
    /// <summary>Both name the same place (gazetteer or the same place text) within the same weeks (±1).</summary>
    public const string SamePlaceWeeks = "same-place-weeks";

    /// <summary>Both give the same contact channel (compared normalised and as a keyed hash).</summary>
    public const string SameContact = "same-contact";

    /// <summary>Both use several words or character pairs few other tips use (names, phrases).</summary>
    public const string SharedWords = "shared-words";

    /// <summary>Linked by an editor without a suggestion.</summary>
    public const string Manual = "manual";
}

public static class RelationStates
{
    /// <summary>Suggested when a tip was stored; nobody has decided.</summary>
    public const string Suggested = "suggested";

    /// <summary>An editor confirmed the two reports are about the same event. Never merged: both tips stay as they are.</summary>
    public const string Linked = "linked";

    /// <summary>An editor decided they are not related; the suggestion stays visible as declined.</summary>
    public const string Unlinked = "unlinked";
}

/// <summary>A suggestion made when a tip is stored: the other tip and the reasons.</summary>
public sealed record RelatedSuggestion(string OtherId, IReadOnlyList<RelationReason> Reasons);

/// <summary>A related tip of one tip, as stored: the other tip, the reasons, and the decision (the same seen from either side).</summary>
public sealed record TipRelation(string OtherId, IReadOnlyList<RelationReason> Reasons, string State);

/// <summary>
/// Table <c>TipRelations</c>: for each tip, its related tips (both directions are written, so each side lists the
/// other), and for each pair one decision, kept in the row of the pair's smaller id so that a link is the same seen
/// from either tip. Holds tip ids, reason codes, gazetteer place ids and staff decisions — no reporter text.
/// </summary>
public interface ITipRelations
{
    /// <summary>Adds the suggestions of a stored tip, both directions (idempotent; reasons are merged).</summary>
    Task SuggestAsync(string tipId, IReadOnlyList<RelatedSuggestion> suggestions, CancellationToken cancellationToken);

    /// <summary>The tip's related tips with their decisions; appends any decision's audit events still pending first.</summary>
    Task<IReadOnlyList<TipRelation>> ListAsync(string tipId, CancellationToken cancellationToken);

    /// <summary>
    /// Records an editor's decision on a pair (creating the pair as <see cref="RelationReasons.Manual"/> if it was not
    /// suggested) with its two audit events, which are appended to <c>TipEvents</c> before this returns — or, if that
    /// fails, by the next read of either tip's related tips. Returns the state before.
    /// </summary>
    Task<string> DecideAsync(string tipId, string otherId, string state, IReadOnlyList<TipEvent> events, CancellationToken cancellationToken);

    /// <summary>Removes a tip's relations, both directions (retention).</summary>
    Task RemoveAllAsync(string tipId, CancellationToken cancellationToken);
}
