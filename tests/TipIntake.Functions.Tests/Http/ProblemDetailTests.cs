using Microsoft.AspNetCore.Http;
using TipIntake.Core.FloodControl;
using TipIntake.Core.Jwe;
using TipIntake.Functions.Http;

namespace TipIntake.Functions.Tests.Http;

public sealed class ProblemDetailTests
{
    [Fact]
    public void Every_envelope_fault_says_what_is_wrong()
    {
        Assert.All(Enum.GetValues<JweFault>(), fault => Assert.False(string.IsNullOrWhiteSpace(Problems.ForFault(fault).ProblemDetails.Detail)));
    }

    [Fact]
    public void Every_flood_refusal_says_what_to_do()
    {
        Assert.All(Enum.GetValues<FloodRefusal>(), refusal => Assert.False(string.IsNullOrWhiteSpace(Problems.ForFlood(new DefaultHttpContext().Response, new FloodDecision(refusal)).ProblemDetails.Detail)));
    }
}
