using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Functions.Triggers;
using TipIntake.Functions.Http;

namespace TipIntake.Functions.Tests.Http;

/// <summary>What the middleware reads from each function (its method, or else its class): its security headers and, for the triage API, its gate.</summary>
public sealed class FunctionDeclarationTests
{
    private static readonly MethodInfo[] HttpFunctions = [.. typeof(ReporterSite).Assembly.GetTypes()
        .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
        .Where(method => method.GetCustomAttribute<FunctionAttribute>() is not null
            && method.GetParameters().Any(parameter => parameter.GetCustomAttribute<HttpTriggerAttribute>() is not null))];

    [Fact]
    public void Every_HTTP_function_declares_its_response_policy()
    {
        Assert.NotEmpty(HttpFunctions);
        Assert.All(HttpFunctions, method => Assert.True(SecurityHeaders.DeclaredOn<ResponsePolicyAttribute>(method) is not null, $"{method.DeclaringType!.Name}.{method.Name} declares no [ResponsePolicy]."));
    }

    [Fact]
    public void The_triage_API_is_staff_only_reads_for_readers_and_changes_for_editors()
    {
        foreach (var method in HttpFunctions)
        {
            var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).Single(t => t is not null)!;
            var staffOnly = SecurityHeaders.DeclaredOn<StaffOnlyAttribute>(method);
            if (!trigger.Route!.StartsWith("api/triage/", StringComparison.Ordinal))
            {
                Assert.Null(staffOnly);
                continue;
            }

            Assert.NotNull(staffOnly);
            Assert.Equal(trigger.Methods!.SequenceEqual(["get"]) ? StaffAccess.Read : StaffAccess.Edit, staffOnly.Access);
        }
    }

    [Fact]
    public void Only_the_triage_pages_relax_the_strict_policy()
    {
        // The download's policy is stricter than the strict one, not relaxed (the next test).
        var relaxed = HttpFunctions.Where(m => SecurityHeaders.DeclaredOn<ResponsePolicyAttribute>(m)?.Policy is not (ContentPolicy.Strict or ContentPolicy.Download))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}:{SecurityHeaders.DeclaredOn<ResponsePolicyAttribute>(m)?.Policy}");
        Assert.Equal(["TriagePage.Run:Triage", "TriagePage.SignedIn:SignInBridge"], relaxed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Only_the_attachment_download_answers_with_the_sandbox_policy_and_it_loads_nothing()
    {
        var sandboxed = HttpFunctions.Where(m => SecurityHeaders.DeclaredOn<ResponsePolicyAttribute>(m)?.Policy == ContentPolicy.Download)
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}");
        Assert.Equal(["TriageAttachments.Download"], sandboxed);
        Assert.Equal("sandbox; default-src 'none'", SecurityHeaders.ContentSecurityPolicyOf(ContentPolicy.Download));
    }
}
