namespace TipIntake.Core.Tips;

/// <summary>A validated tip, schema v1. Padding is gone; text is as the reporter wrote it.</summary>
public sealed record Tip(
    string Category,
    string Narrative,
    string Urgency,
    TipLocation? Location,
    DateOnly? ObservedFrom,
    DateOnly? ObservedTo,
    int? PeopleCount,
    string? Language,
    string? Contact);

public sealed record TipLocation(string Country, string? Region, string? Place);

public static class TipCategories
{
    public const string Detention = "detention";
    public const string ForcedRepatriation = "forced-repatriation";
    public const string Trafficking = "trafficking";
    public const string ForcedMarriage = "forced-marriage";
    public const string Other = "other";

    public static IReadOnlyList<string> All { get; } = [Detention, ForcedRepatriation, Trafficking, ForcedMarriage, Other];
}

public static class TipUrgencies
{
    public const string Imminent = "imminent";
    public const string Soon = "soon";
    public const string Unknown = "unknown";

    public static IReadOnlyList<string> All { get; } = [Imminent, Soon, Unknown];
}
