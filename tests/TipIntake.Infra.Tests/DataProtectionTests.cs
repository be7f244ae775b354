using System.Text.Json.Nodes;
using TipIntake.Infrastructure.Backup;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Infra.Tests;

/// <summary>
/// Tips survive mistakes: redundant storage, CanNotDelete locks, recoverable blobs (the claim-checked JWE of a
/// quarantined tip included), and table backups the app writes into a container no one can change or empty early.
/// </summary>
[Collection(CompiledTemplateGroup.Name)]
public sealed class DataProtectionTests(CompiledTemplate template)
{
    private ArmResource Storage => template.Single("Microsoft.Storage/storageAccounts");

    private JsonNode StorageModule => Storage.Deployment.Template;

    [Fact]
    public void Storage_is_geo_and_zone_redundant_by_default()
    {
        var sku = template.Root.At("parameters.storageSkuName")!;

        Assert.Equal("Standard_GZRS", sku["defaultValue"].Str());
        Assert.Equal("[parameters('skuName')]", Storage["sku.name"].Str());
        Assert.Equal("[parameters('storageSkuName')]", Storage.Deployment.PassedParameters.At("skuName.value").Str());
        Assert.Equal("Standard_GZRS", StorageModule.At("parameters.skuName.defaultValue").Str());
        Assert.Contains("Standard_ZRS", sku["allowedValues"]!.AsArray().Select(v => v.Str()));
    }

    [Theory]
    [InlineData("Microsoft.Storage/storageAccounts", "storage")]
    [InlineData("Microsoft.KeyVault/vaults", "keyvault")]
    public void The_account_and_the_vault_carry_a_CanNotDelete_lock_unless_turned_off(string type, string module)
    {
        var lockResource = Assert.Single(template.OfType("Microsoft.Authorization/locks"), l => l.Deployment.Name == module);

        Assert.Equal("CanNotDelete", lockResource["properties.level"].Str());
        Assert.StartsWith($"[resourceId('{type}', ", lockResource["scope"].Str(), StringComparison.Ordinal);
        Assert.Equal("[parameters('enableDeleteLock')]", lockResource["condition"].Str());
        Assert.Equal("[parameters('enableDeleteLocks')]", lockResource.Deployment.PassedParameters.At("enableDeleteLock.value").Str());
        Assert.True(template.Root.At("parameters.enableDeleteLocks.defaultValue").Bool());
        Assert.Contains("docs/deploy.md", lockResource["properties.notes"].Str(), StringComparison.Ordinal);
    }

    [Fact]
    public void Blobs_are_versioned_and_soft_deleted_so_a_quarantined_tips_JWE_can_be_recovered()
    {
        var blobService = template.Single("Microsoft.Storage/storageAccounts/blobServices");

        Assert.True(blobService["properties.isVersioningEnabled"].Bool());
        Assert.True(blobService["properties.deleteRetentionPolicy.enabled"].Bool());
        Assert.Equal("[parameters('blobSoftDeleteDays')]", blobService["properties.deleteRetentionPolicy.days"].Str());
        Assert.True(blobService["properties.containerDeleteRetentionPolicy.enabled"].Bool());
        Assert.InRange(template.Root.At("parameters.blobSoftDeleteDays.defaultValue").Long() ?? 0, 1, 365);

        // Versions do not pile up for ever (retention's deletions must end some day): they go after the same window.
        var rules = template.Single("Microsoft.Storage/storageAccounts/managementPolicies")["properties.policy.rules"]!.AsArray();
        var versions = rules.Single(r => r!["name"].Str() == "previous-versions")!;
        Assert.Equal("[parameters('blobSoftDeleteDays')]", versions.At("definition.actions.version.delete.daysAfterCreationGreaterThan").Str());
        Assert.Null(versions.At("definition.actions.baseBlob"));
    }

    [Fact]
    public void Backups_go_to_a_container_with_a_time_based_immutability_policy_and_expire_after_it()
    {
        var policy = template.Single("Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies");

        Assert.Contains("variables('backupContainerName')", policy["name"].Str(), StringComparison.Ordinal);
        Assert.Equal(StorageNames.BackupContainer, StorageModule.At("variables.backupContainerName").Str());
        Assert.Equal("[parameters('backupRetentionDays')]", policy["properties.immutabilityPeriodSinceCreationInDays"].Str());
        Assert.False(policy["properties.allowProtectedAppendWrites"].Bool());
        Assert.Equal(30, template.Root.At("parameters.backupRetentionDays.defaultValue").Long());

        var expiry = template.Single("Microsoft.Storage/storageAccounts/managementPolicies")["properties.policy.rules"]!.AsArray()
            .Single(r => r!["name"].Str() == "expired-backups")!;
        Assert.Equal("[add(parameters('backupRetentionDays'), 1)]", expiry.At("definition.actions.baseBlob.delete.daysAfterCreationGreaterThan").Str());
        Assert.Equal("[format('{0}/', variables('backupContainerName'))]", expiry.At("definition.filters.prefixMatch")!.AsArray().Single().Str());
    }

    [Fact]
    public void The_backup_covers_every_table_the_template_creates_and_the_app_knows_the_template_names()
    {
        var tables = StorageModule.At("variables.tableNames")!.AsArray().Select(t => t.Str()!).ToList();

        Assert.Equal(tables.Order(StringComparer.Ordinal), TableBackup.Tables.Concat(TableBackup.NotBackedUp.Keys).Order(StringComparer.Ordinal));
        Assert.Equal(StorageNames.ClaimCheckContainer, StorageModule.At("variables.claimCheckContainerName").Str());
        var queues = StorageModule.At("variables.queueNames")!.AsArray().Select(q => q.Str()).ToList();
        Assert.Contains(StorageNames.InboundQueue, queues);
        Assert.Contains(StorageNames.PoisonQueue, queues);
        Assert.Contains(StorageNames.BulkQueue, queues);
        Assert.Contains(StorageNames.BulkPoisonQueue, queues);

        // Flood control's table is created (Storage__CreateIfMissing is false in Azure) but, holding no tip, not backed up.
        Assert.Contains("'FloodControl'", StorageModule.At("variables.allTableNames").Str(), StringComparison.Ordinal);
        Assert.Equal("FloodControl", StorageNames.FloodControlTable);
        Assert.DoesNotContain(StorageNames.FloodControlTable, TableBackup.Tables);

        // Follow-up keys are created too, and not backed up: an immutable snapshot would outlive a sealed key's deletion.
        Assert.Contains("'FollowUpKeys'", StorageModule.At("variables.allTableNames").Str(), StringComparison.Ordinal);
        Assert.Equal("FollowUpKeys", StorageNames.FollowUpKeysTable);
        Assert.DoesNotContain(StorageNames.FollowUpKeysTable, TableBackup.Tables);

        // Uploads are created too, and not backed up: a row describes staged blobs that are not backed up either.
        Assert.Contains("'Uploads'", StorageModule.At("variables.allTableNames").Str(), StringComparison.Ordinal);
        Assert.Equal("Uploads", StorageNames.UploadsTable);
        Assert.DoesNotContain(StorageNames.UploadsTable, TableBackup.Tables);
        Assert.Equal(StorageNames.AttachmentsStagingContainer, StorageModule.At("variables.attachmentStagingContainerName").Str());
    }
}
