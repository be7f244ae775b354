namespace TipIntake.Infra.Tests;

/// <summary>
/// What the Functions host itself needs from per-resource roles: the poison queue of the poison-queue function, and
/// its diagnostic-event tables (turned off deliberately rather than widening the identity's table role).
/// </summary>
[Collection(CompiledTemplateGroup.Name)]
public sealed class HostStorageTests(CompiledTemplate template)
{
    [Fact]
    public void The_poison_queue_function_has_its_own_poison_queue_with_the_apps_role_on_it()
    {
        var storage = template.Single("Microsoft.Storage/storageAccounts").Deployment.Template;
        var queues = storage.At("variables.queueNames")!.AsArray().Select(q => q.Str()).ToList();

        // The host moves a message that failed maxDequeueCount times to "<queue>-poison", for the poison queue too.
        Assert.Contains("tips-inbound-poison-poison", queues);
        Assert.Contains("tips-inbound-bulk-poison-poison", queues);
        var role = template.OfType("Microsoft.Authorization/roleAssignments")
            .Single(a => (a["scope"].Str() ?? "").StartsWith("[resourceId('Microsoft.Storage/storageAccounts/queueServices/queues'", StringComparison.Ordinal));
        Assert.Equal("[length(variables('queueNames'))]", role["copy.count"].Str());
    }

    [Fact]
    public void Host_diagnostic_events_are_turned_off_deliberately_rather_than_given_account_wide_table_rights()
    {
        var settings = CompiledTemplate.FixedAppSettings(template.Single("Microsoft.Web/sites"));

        Assert.Equal("DisableDiagnosticEventLogging", settings["AzureWebJobsFeatureFlags"].Str());
        Assert.All(template.OfType("Microsoft.Authorization/roleAssignments"), assignment =>
            Assert.DoesNotMatch(@"^\[resourceId\('Microsoft\.Storage/storageAccounts(/tableServices)?',", assignment["scope"].Str() ?? ""));
    }
}
