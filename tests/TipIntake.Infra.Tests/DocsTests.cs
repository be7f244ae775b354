using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Functions.Triggers;

namespace TipIntake.Infra.Tests;

/// <summary>The operator's documents say what the code and templates do.</summary>
public sealed partial class DocsTests
{
    private static string Read(params string[] path) => File.ReadAllText(Repository.Path(path));

    /// <summary>The route MSAL.js returns to after sign-in, read from the TriagePage function itself.</summary>
    private static string SignedInRoute =>
        "/" + typeof(TriagePage).GetMethods()
            .SelectMany(m => m.GetParameters())
            .Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()?.Route)
            .Single(route => route?.EndsWith("signed-in", StringComparison.Ordinal) == true);

    [Fact]
    public void Staff_sign_in_docs_and_the_hooks_register_the_redirect_uri_the_code_uses()
    {
        Assert.Equal("/triage/signed-in", SignedInRoute);
        var staffAuth = Read("docs", "staff-auth.md");
        Assert.Contains($"`https://<your app>{SignedInRoute}`", staffAuth, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"https://<your app>/triage`", staffAuth);
        Assert.Contains($"export const redirectPath = '{SignedInRoute}';", Read("infra", "hooks", "deployment.mjs"), StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_doc_says_queued_tips_never_expire_and_how_to_apply_a_changed_rotation_policy()
    {
        var keys = Read("docs", "keys.md");

        Assert.DoesNotContain("7 days", keys, StringComparison.Ordinal);
        Assert.Contains("never expire", keys, StringComparison.Ordinal);
        Assert.Contains("az keyvault key rotation-policy update", keys, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_doc_is_a_runbook_not_a_placeholder()
    {
        var deploy = Read("docs", "deploy.md");

        Assert.DoesNotContain("placeholder", deploy, StringComparison.OrdinalIgnoreCase);
        foreach (var section in (string[])["## Prerequisites", "## Settings", "## Staff sign-in", "## Alerts", "## Backup and restore", "## Rotating the key", "## Cost", "## Break-glass access", "## Tearing down", "## What was not verified live"])
        {
            Assert.Contains(section, deploy, StringComparison.Ordinal);
        }

        foreach (var command in (string[])["azd up", "azd env set", "az lock delete", "TipIntake.Operations -- restore", "az role assignment create", "az role assignment delete"])
        {
            Assert.Contains(command, deploy, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Schedules_are_described_as_UTC_without_WEBSITE_TIME_ZONE()
    {
        foreach (var file in Directory.GetFiles(Repository.Path("functions", "TipIntake.Functions", "Triggers"), "*.cs"))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotMatch(UtcUnless(), text);
        }
    }

    [GeneratedRegex(@"UTC unless WEBSITE_TIME_ZONE")]
    private static partial Regex UtcUnless();
}
