using TipIntake.Core.Tips;

namespace TipIntake.Core.Routing;

/// <summary>Where a tip goes for triage: its queue (the table partition) and how pressing it is.</summary>
public sealed record RouteDecision(string Queue, int Priority);

public sealed class TipRouter(IOptions<RoutingOptions> options)
{
    private readonly RoutingOptions _options = options.Value;

    public RouteDecision Route(Tip tip)
    {
        ArgumentNullException.ThrowIfNull(tip);
        var rules = _options.Rules.Count > 0 ? (IEnumerable<RoutingRule>)_options.Rules : RoutingRule.Defaults;
        var match = rules.FirstOrDefault(rule =>
            (rule.Category is null || rule.Category == tip.Category) && (rule.Urgency is null || rule.Urgency == tip.Urgency));
        return match is null
            ? new RouteDecision(_options.DefaultQueue, _options.DefaultPriority)
            : new RouteDecision(match.Queue, match.Priority);
    }
}
