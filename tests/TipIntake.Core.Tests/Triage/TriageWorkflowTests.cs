using TipIntake.Core.Triage;

namespace TipIntake.Core.Tests.Triage;

public class TriageWorkflowTests
{
    /// <summary>The workflow as the design states it, written out independently of the class under test.</summary>
    private static readonly HashSet<(string From, string To)> Allowed =
    [
        ("new", "in-review"),
        ("in-review", "verified"),
        ("in-review", "escalated"),
        ("in-review", "dismissed"),
        ("verified", "escalated"),
        ("verified", "closed"),
        ("escalated", "closed"),
        ("dismissed", "closed"),
        ("dismissed", "in-review"),
    ];

    private static readonly string[] Statuses = ["new", "in-review", "verified", "escalated", "dismissed", "closed"];

    public static TheoryData<string, string, bool> EveryPair()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var from in Statuses)
        {
            foreach (var to in Statuses)
            {
                data.Add(from, to, Allowed.Contains((from, to)));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Each_status_pair_is_allowed_exactly_when_the_workflow_says_so(string from, string to, bool allowed)
    {
        Assert.Equal(allowed, TriageWorkflow.CanMove(from, to));
        Assert.Equal(allowed, TriageWorkflow.NextOf(from).Contains(to));
    }

    [Fact]
    public void The_statuses_are_the_six_of_the_workflow_and_closed_is_final()
    {
        Assert.Equal(Statuses, TriageStatuses.All);
        Assert.Empty(TriageWorkflow.NextOf("closed"));
        Assert.Equal(36, EveryPair().Count);
        Assert.Equal(9, EveryPair().Count(row => (bool)row[2]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("New")]
    [InlineData("reviewing")]
    [InlineData(null)]
    public void Unknown_statuses_are_not_known_and_lead_nowhere(string? status)
    {
        Assert.False(TriageWorkflow.IsKnown(status));
        Assert.False(TriageWorkflow.CanMove(status ?? "", "in-review"));
        Assert.False(TriageWorkflow.CanMove("new", status ?? ""));
    }
}
