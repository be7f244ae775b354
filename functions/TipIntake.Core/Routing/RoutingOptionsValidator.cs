using Microsoft.Extensions.Options;
using TipIntake.Core.Tips;

namespace TipIntake.Core.Routing;

/// <summary>Checks what data annotations cannot: each rule names known values and every rule is valid, at start-up.</summary>
public sealed class RoutingOptionsValidator : IValidateOptions<RoutingOptions>
{
    public ValidateOptionsResult Validate(string? name, RoutingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            if (rule.Category is not null && !TipCategories.All.Contains(rule.Category))
            {
                failures.Add($"Routing:Rules:{i}:Category must be one of {string.Join(", ", TipCategories.All)}.");
            }

            if (rule.Urgency is not null && !TipUrgencies.All.Contains(rule.Urgency))
            {
                failures.Add($"Routing:Rules:{i}:Urgency must be one of {string.Join(", ", TipUrgencies.All)}.");
            }

            if (!System.Text.RegularExpressions.Regex.IsMatch(rule.Queue, RoutingRule.QueueNamePattern))
            {
                failures.Add($"Routing:Rules:{i}:Queue must match {RoutingRule.QueueNamePattern}.");
            }

            if (rule.Priority is < 1 or > 9)
            {
                failures.Add($"Routing:Rules:{i}:Priority must be between 1 and 9.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
