using Microsoft.Extensions.Options;
using TipIntake.Core.Routing;
using TipIntake.Core.Tips;

namespace TipIntake.Core.Tests.Routing;

public class TipRouterTests
{
    private static Tip TipOf(string category, string urgency) =>
        new(category, "narrative", urgency, null, null, null, null, null, null);

    private static RouteDecision RouteWithDefaults(string category, string urgency) =>
        new TipRouter(Options.Create(new RoutingOptions())).Route(TipOf(category, urgency));

    [Theory]
    [InlineData(TipCategories.Detention)]
    [InlineData(TipCategories.ForcedRepatriation)]
    [InlineData(TipCategories.Trafficking)]
    [InlineData(TipCategories.ForcedMarriage)]
    [InlineData(TipCategories.Other)]
    public void Default_rules_send_imminent_tips_to_urgent_whatever_the_category(string category)
    {
        Assert.Equal(new RouteDecision("urgent", 1), RouteWithDefaults(category, TipUrgencies.Imminent));
    }

    [Theory]
    [InlineData(TipUrgencies.Soon)]
    [InlineData(TipUrgencies.Unknown)]
    public void Default_rules_send_forced_repatriation_to_repatriation(string urgency)
    {
        Assert.Equal(new RouteDecision("repatriation", 2), RouteWithDefaults(TipCategories.ForcedRepatriation, urgency));
    }

    [Theory]
    [InlineData(TipCategories.Detention, "detention", 3)]
    [InlineData(TipCategories.Trafficking, "trafficking", 3)]
    [InlineData(TipCategories.ForcedMarriage, "trafficking", 3)]
    public void Default_rules_route_other_categories_by_category(string category, string queue, int priority)
    {
        Assert.Equal(new RouteDecision(queue, priority), RouteWithDefaults(category, TipUrgencies.Soon));
    }

    [Theory]
    [InlineData(TipUrgencies.Soon)]
    [InlineData(TipUrgencies.Unknown)]
    public void Default_rules_send_other_to_the_default_queue(string urgency)
    {
        Assert.Equal(new RouteDecision("general", 5), RouteWithDefaults(TipCategories.Other, urgency));
    }

    [Fact]
    public void Configured_default_queue_and_priority_apply_when_no_rule_matches()
    {
        var options = new RoutingOptions { DefaultQueue = "inbox", DefaultPriority = 7 };
        options.Rules.Add(new RoutingRule { Category = TipCategories.Detention, Queue = "detention" });

        var router = new TipRouter(Options.Create(options));

        Assert.Equal(new RouteDecision("inbox", 7), router.Route(TipOf(TipCategories.Other, TipUrgencies.Soon)));
    }

    [Fact]
    public void Configured_rules_replace_the_defaults()
    {
        var options = new RoutingOptions();
        options.Rules.Add(new RoutingRule { Category = TipCategories.Trafficking, Queue = "team-b", Priority = 4 });

        var router = new TipRouter(Options.Create(options));

        // The default "imminent → urgent" rule is gone once rules are configured.
        Assert.Equal(new RouteDecision("general", 5), router.Route(TipOf(TipCategories.Detention, TipUrgencies.Imminent)));
        Assert.Equal(new RouteDecision("team-b", 4), router.Route(TipOf(TipCategories.Trafficking, TipUrgencies.Imminent)));
    }

    [Fact]
    public void Configured_rules_first_match_wins()
    {
        var options = new RoutingOptions();
        options.Rules.Add(new RoutingRule { Category = TipCategories.Detention, Urgency = TipUrgencies.Imminent, Queue = "detention-now", Priority = 1 });
        options.Rules.Add(new RoutingRule { Category = TipCategories.Detention, Queue = "detention", Priority = 3 });
        options.Rules.Add(new RoutingRule { Urgency = TipUrgencies.Imminent, Queue = "urgent", Priority = 2 });
        options.Rules.Add(new RoutingRule { Queue = "catch-all", Priority = 9 });
        options.Rules.Add(new RoutingRule { Category = TipCategories.Other, Queue = "never", Priority = 1 });

        var router = new TipRouter(Options.Create(options));

        Assert.Equal(new RouteDecision("detention-now", 1), router.Route(TipOf(TipCategories.Detention, TipUrgencies.Imminent)));
        Assert.Equal(new RouteDecision("detention", 3), router.Route(TipOf(TipCategories.Detention, TipUrgencies.Soon)));
        Assert.Equal(new RouteDecision("urgent", 2), router.Route(TipOf(TipCategories.Other, TipUrgencies.Imminent)));
        Assert.Equal(new RouteDecision("catch-all", 9), router.Route(TipOf(TipCategories.Other, TipUrgencies.Unknown)));
    }

    [Fact]
    public void Default_rules_are_valid()
    {
        var options = new RoutingOptions();
        foreach (var rule in RoutingRule.Defaults)
        {
            options.Rules.Add(rule);
        }

        Assert.True(new RoutingOptionsValidator().Validate(null, options).Succeeded);
    }
}

public class RoutingOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(RoutingRule rule)
    {
        var options = new RoutingOptions();
        options.Rules.Add(new RoutingRule { Category = TipCategories.Detention, Queue = "detention" });
        options.Rules.Add(rule);
        return new RoutingOptionsValidator().Validate(null, options);
    }

    /// <summary>The failure names the second rule (index 1) and the member at fault.</summary>
    private static void AssertNames(ValidateOptionsResult result, string member)
    {
        Assert.True(result.Failed);
        Assert.True(
            result.Failures!.Any(f => f.Contains($"Rules[1].{member}", StringComparison.Ordinal)),
            string.Join(" / ", result.Failures!));
    }

    [Fact]
    public void Known_values_and_plain_queue_names_are_valid()
    {
        var result = Validate(new RoutingRule
        {
            Category = TipCategories.ForcedMarriage,
            Urgency = TipUrgencies.Soon,
            Queue = "team-7",
            Priority = 9,
        });

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void No_rules_is_valid()
    {
        Assert.True(new RoutingOptionsValidator().Validate(null, new RoutingOptions()).Succeeded);
    }

    [Theory]
    [InlineData("torture")]
    [InlineData("Detention")]
    [InlineData("")]
    public void Unknown_category_is_refused(string category)
    {
        var result = Validate(new RoutingRule { Category = category, Queue = "q" });

        AssertNames(result, "Category");
    }

    [Theory]
    [InlineData("now")]
    [InlineData("Imminent")]
    public void Unknown_urgency_is_refused(string urgency)
    {
        var result = Validate(new RoutingRule { Urgency = urgency, Queue = "q" });

        AssertNames(result, "Urgency");
    }

    [Theory]
    [InlineData("")]
    [InlineData("Urgent")]
    [InlineData("-urgent")]
    [InlineData("urgent queue")]
    [InlineData("urgent_queue")]
    [InlineData("urgent/1")]
    [InlineData("긴급")]
    [InlineData("a0123456789012345678901234567890123456789")]
    [InlineData("urgent\n")]
    public void Bad_queue_name_is_refused(string queue)
    {
        var result = Validate(new RoutingRule { Queue = queue });

        AssertNames(result, "Queue");
    }

    [Fact]
    public void Queue_name_of_forty_characters_is_valid()
    {
        Assert.True(Validate(new RoutingRule { Queue = "a" + new string('1', 39) }).Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(-1)]
    public void Priority_outside_one_to_nine_is_refused(int priority)
    {
        var result = Validate(new RoutingRule { Queue = "q", Priority = priority });

        AssertNames(result, "Priority");
    }

    [Fact]
    public void Every_problem_is_reported()
    {
        var result = Validate(new RoutingRule { Category = "x", Urgency = "y", Queue = "Z", Priority = 0 });

        Assert.Equal(4, result.Failures!.Count());
    }
}

public class RoutingRuleAnnotationTests
{
    /// <summary>The attributes must list literals; this keeps them the same as the code tables the form and processor use.</summary>
    [Theory]
    [InlineData(nameof(RoutingRule.Category))]
    [InlineData(nameof(RoutingRule.Urgency))]
    public void Allowed_values_are_exactly_the_known_ones_or_none(string property)
    {
        var allowed = typeof(RoutingRule).GetProperty(property)!
            .GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.AllowedValuesAttribute), false)
            .Cast<System.ComponentModel.DataAnnotations.AllowedValuesAttribute>().Single().Values;
        var known = property == nameof(RoutingRule.Category) ? TipCategories.All : TipUrgencies.All;

        Assert.Equal([null, .. known], allowed.Cast<string?>());
    }
}
