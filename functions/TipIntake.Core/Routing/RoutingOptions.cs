using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.Routing;

/// <summary>
/// Which triage queue a tip lands in, set by ops through configuration (section <c>Routing</c>). Rules are tried in
/// order and the first match wins; a rule with no category or urgency matches any. With no rules configured the
/// <see cref="RoutingRule.Defaults"/> apply.
/// </summary>
public sealed class RoutingOptions
{
    public const string SectionName = "Routing";

    [Required]
    [RegularExpression(RoutingRule.QueueNamePattern)]
    public string DefaultQueue { get; set; } = "general";

    [Range(1, 9)]
    public int DefaultPriority { get; set; } = 5;

    /// <summary>Each rule is checked too, with the annotations on <see cref="RoutingRule"/>.</summary>
    [ValidateEnumeratedItems]
    public IList<RoutingRule> Rules { get; } = [];
}

public sealed class RoutingRule
{
    /// <summary>Queue names become table partition keys and appear in URLs: keep them plain.</summary>
    public const string QueueNamePattern = @"^[a-z0-9][a-z0-9-]{0,39}\z";

    /// <summary>One of <see cref="Tips.TipCategories.All"/>, or null for any.</summary>
    [AllowedValues(null, Tips.TipCategories.Detention, Tips.TipCategories.ForcedRepatriation, Tips.TipCategories.Trafficking,
        Tips.TipCategories.ForcedMarriage, Tips.TipCategories.Other)]
    public string? Category { get; set; }

    /// <summary>One of <see cref="Tips.TipUrgencies.All"/>, or null for any.</summary>
    [AllowedValues(null, Tips.TipUrgencies.Imminent, Tips.TipUrgencies.Soon, Tips.TipUrgencies.Unknown)]
    public string? Urgency { get; set; }

    [Required]
    [RegularExpression(QueueNamePattern)]
    public string Queue { get; set; } = "";

    /// <summary>1 is most pressing.</summary>
    [Range(1, 9)]
    public int Priority { get; set; } = 5;

    public static IReadOnlyList<RoutingRule> Defaults { get; } =
    [
        new() { Urgency = Tips.TipUrgencies.Imminent, Queue = "urgent", Priority = 1 },
        new() { Category = Tips.TipCategories.ForcedRepatriation, Queue = "repatriation", Priority = 2 },
        new() { Category = Tips.TipCategories.Detention, Queue = "detention", Priority = 3 },
        new() { Category = Tips.TipCategories.Trafficking, Queue = "trafficking", Priority = 3 },
        new() { Category = Tips.TipCategories.ForcedMarriage, Queue = "trafficking", Priority = 3 },
    ];
}

/// <summary>Checks <see cref="RoutingOptions"/> at start-up: generated at compile time from its annotations.</summary>
[OptionsValidator]
public sealed partial class RoutingOptionsValidator : IValidateOptions<RoutingOptions>;
