using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TipIntake.Infra.Tests;

/// <summary>The security properties of the compiled ARM template (what <c>azd up</c> would deploy).</summary>
[Collection(CompiledTemplateGroup.Name)]
public sealed partial class SecurityTests(CompiledTemplate template)
{
    private static class Roles
    {
        public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
        public const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
        public const string StorageBlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
        public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
        public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
        public const string StorageTableDataReader = "76199698-9eea-4c19-bc75-cec21354c6b6";
        public const string KeyVaultCryptoServiceEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6";
        public const string KeyVaultCryptoOfficer = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
        public const string KeyVaultCryptoUser = "12338af0-0e69-4776-bea7-57ae8d297424";
        public const string KeyVaultAdministrator = "00482a5a-887f-4fb3-b363-3b7fe8e74483";
        public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    }

    private ArmResource Site => template.Single("Microsoft.Web/sites");

    /// <summary>The settings the template always writes (the operator's, parameter-fed ones: SettingsTests).</summary>
    private Dictionary<string, JsonNode?> AppSettings => CompiledTemplate.FixedAppSettings(Site);

    [Fact]
    public void Storage_account_is_keyless_TLS12_HTTPS_only_with_no_public_blobs()
    {
        var storage = template.Single("Microsoft.Storage/storageAccounts");

        Assert.False(storage["properties.allowSharedKeyAccess"].Bool());
        Assert.Equal("TLS1_2", storage["properties.minimumTlsVersion"].Str());
        Assert.False(storage["properties.allowBlobPublicAccess"].Bool());
        Assert.True(storage["properties.supportsHttpsTrafficOnly"].Bool());
        Assert.True(storage["properties.defaultToOAuthAuthentication"].Bool());
        Assert.False(storage["properties.allowCrossTenantReplication"].Bool());
        Assert.All(template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
            container => Assert.Equal("None", container["properties.publicAccess"].Str()));
    }

    [Fact]
    public void Storage_holds_the_queues_tables_and_the_containers()
    {
        var storage = template.Single("Microsoft.Storage/storageAccounts").Deployment.Template;

        Assert.Equal(
            ["tips-inbound", "tips-inbound-poison", "tips-inbound-poison-poison", "tips-inbound-bulk", "tips-inbound-bulk-poison", "tips-inbound-bulk-poison-poison"],
            Strings(storage.At("variables.queueNames")));
        Assert.Equal(["Tips", "TipEvents", "Quarantine", "TipNotes", "TipMessages", "TipIndex", "TipRelations", "Attachments"], Strings(storage.At("variables.tableNames")));
        Assert.Contains("parameters('deploymentContainerName')", storage.At("variables.containerNames").Str(), StringComparison.Ordinal);
        Assert.Equal("tips-inbound-jwe", storage.At("variables.claimCheckContainerName").Str());
        Assert.Equal("tips-backup", storage.At("variables.backupContainerName").Str());
        Assert.Single(template.OfType("Microsoft.Storage/storageAccounts/queueServices/queues"));
        Assert.Single(template.OfType("Microsoft.Storage/storageAccounts/tableServices/tables"));
        Assert.Equal("attachments-staging", storage.At("variables.attachmentStagingContainerName").Str());
        Assert.Equal("attachments", storage.At("variables.attachmentsContainerName").Str());
        // The loop over containerNames (deployment package, host locks, function keys), the claim-check, the backup and the two attachment containers.
        Assert.Equal(
            [.. new[] { "attachmentStagingContainerName", "attachmentsContainerName", "backupContainerName", "claimCheckContainerName" }.Select(v => $"[format('{{0}}/{{1}}/{{2}}', parameters('name'), 'default', variables('{v}'))]"),
                "[format('{0}/{1}/{2}', parameters('name'), 'default', variables('containerNames')[copyIndex()])]"],
            template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(container => container["name"].Str() ?? "").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Key_Vault_is_premium_RBAC_with_soft_delete_and_purge_protection()
    {
        var vault = template.Single("Microsoft.KeyVault/vaults");

        Assert.Equal("premium", vault["properties.sku.name"].Str());
        Assert.True(vault["properties.enableRbacAuthorization"].Bool());
        Assert.True(vault["properties.enableSoftDelete"].Bool());
        Assert.True(vault["properties.enablePurgeProtection"].Bool());
        Assert.InRange(vault.Resolved("properties.softDeleteRetentionInDays").Long() ?? 0, 7, 90);
        Assert.Null(vault["properties.accessPolicies"]);
        Assert.False(vault["properties.enabledForTemplateDeployment"].Bool());
    }

    [Fact]
    public void Intake_key_is_RSA_HSM_3072_with_limited_operations_and_an_expiry()
    {
        var key = template.Single("Microsoft.KeyVault/vaults/keys");

        Assert.Equal("RSA-HSM", key["properties.kty"].Str());
        Assert.True(key["properties.keySize"].Long() >= 3072, "the intake key must be at least 3072 bits");
        Assert.Equal(["unwrapKey", "wrapKey"], Strings(key["properties.keyOps"]).Order(StringComparer.Ordinal));
        Assert.NotNull(key["properties.attributes.exp"]);
        Assert.True(key["properties.attributes.enabled"].Bool());
    }

    [Fact]
    public void Intake_key_has_a_rotation_policy_that_rotates_and_notifies_before_expiry()
    {
        var key = template.Single("Microsoft.KeyVault/vaults/keys");

        Assert.Matches(IsoDuration(), key.Resolved("properties.rotationPolicy.attributes.expiryTime").Str() ?? "");
        var actions = key["properties.rotationPolicy.lifetimeActions"]!.AsArray()
            .ToDictionary(action => action.At("action.type").Str()!.ToUpperInvariant(), action => action!);
        Assert.Equal(["NOTIFY", "ROTATE"], actions.Keys.Order(StringComparer.Ordinal));
        foreach (var action in actions.Values)
        {
            Assert.Matches(IsoDuration(), CompiledTemplate.Resolve(action.At("trigger.timeBeforeExpiry"), key.Deployment).Str() ?? "");
        }
    }

    [Fact]
    public void Function_identity_gets_the_crypto_role_on_the_key_only()
    {
        var assignments = RoleAssignments(Roles.KeyVaultCryptoServiceEncryptionUser).ToList();

        var assignment = Assert.Single(assignments);
        Assert.StartsWith("[resourceId('Microsoft.KeyVault/vaults/keys',", assignment["scope"].Str(), StringComparison.Ordinal);
        AssertAppIdentity(assignment);
        Assert.Null(assignment["condition"]);
    }

    [Theory]
    [InlineData(Roles.StorageBlobDataOwner, "Microsoft.Storage/storageAccounts/blobServices/containers")]
    [InlineData(Roles.StorageQueueDataContributor, "Microsoft.Storage/storageAccounts/queueServices/queues")]
    [InlineData(Roles.StorageTableDataContributor, "Microsoft.Storage/storageAccounts/tableServices/tables")]
    [InlineData(Roles.MonitoringMetricsPublisher, "Microsoft.Insights/components")]
    public void Function_identity_roles_are_scoped_to_single_resources(string role, string scopeType)
    {
        var assignment = Assert.Single(RoleAssignments(role));

        Assert.StartsWith($"[resourceId('{scopeType}',", assignment["scope"].Str(), StringComparison.Ordinal);
        AssertAppIdentity(assignment);
        Assert.Null(assignment["condition"]);
    }

    [Fact]
    public void The_deploying_principal_gets_no_role_at_all()
    {
        // Deploying needs none on the data: azd publishes the package through the site's /api/publish with an ARM token.
        // Reading tips or unwrapping keys by hand is a deliberate break-glass step (docs/deploy.md).
        var assignments = template.OfType("Microsoft.Authorization/roleAssignments").ToList();

        Assert.NotEmpty(assignments);
        Assert.All(assignments, AssertAppIdentity);
        Assert.DoesNotContain("parameters('principalId')", string.Concat(template.OfType("Microsoft.Resources/deployments")
            .Select(d => d["properties.parameters"]?.ToJsonString())), StringComparison.Ordinal);
        Assert.DoesNotContain(assignments, a => RoleId(a) is Roles.KeyVaultCryptoOfficer or Roles.KeyVaultCryptoUser or Roles.KeyVaultAdministrator);
        Assert.Empty(RoleAssignments(Roles.StorageTableDataReader));
    }

    [Fact]
    public void Principal_type_comes_from_azd_and_names_only_what_azd_reports()
    {
        var parameter = template.Root.At("parameters.principalType")!;

        Assert.Equal(["ServicePrincipal", "User"], Strings(parameter["allowedValues"]).Order(StringComparer.Ordinal));
        Assert.Equal("${AZURE_PRINCIPAL_TYPE}", ParametersFile.Value("principalType"));
        Assert.Equal("${AZURE_PRINCIPAL_ID}", ParametersFile.Value("principalId"));
        Assert.Equal("[parameters('principalType')]", template.Root.At("outputs.AZURE_PRINCIPAL_TYPE.value").Str());
    }

    [Fact]
    public void No_role_is_assigned_above_a_single_resource()
    {
        var assignments = template.OfType("Microsoft.Authorization/roleAssignments").ToList();

        Assert.Equal(6, assignments.Select(a => RoleId(a)).Distinct().Count());
        Assert.All(assignments, assignment =>
        {
            var scope = assignment["scope"].Str() ?? "";
            Assert.Matches(ResourceScope(), scope);
            Assert.DoesNotContain("[resourceId('Microsoft.Storage/storageAccounts',", scope, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Claim_check_container_is_private_and_the_app_may_only_read_write_delete_and_list_in_it()
    {
        const string ClaimCheckScope = "[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', parameters('name'), 'default', variables('claimCheckContainerName'))]";
        var container = Assert.Single(template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
            c => (c["name"].Str() ?? "").Contains("variables('claimCheckContainerName')", StringComparison.Ordinal));
        Assert.Equal("tips-inbound-jwe", container.Deployment.Template.At("variables.claimCheckContainerName").Str());
        Assert.Equal("None", container["properties.publicAccess"].Str());
        Assert.Equal("[variables('claimCheckContainerName')]", container.Deployment.Template.At("outputs.claimCheckContainerName.value").Str());

        // Exactly one role on the container: the app's Storage Blob Data Contributor (no Owner: no ACL or owner changes).
        var onContainer = template.OfType("Microsoft.Authorization/roleAssignments").Where(a => a["scope"].Str() == ClaimCheckScope).ToList();
        var assignment = Assert.Single(onContainer);
        Assert.Equal(Roles.StorageBlobDataContributor, RoleId(assignment));
        AssertAppIdentity(assignment);
        Assert.Null(assignment["condition"]);
        // Contributor is given on four containers only: the claim-check, the backups (write-once under their policy) and
        // the two attachment containers (docs/attachments.md, "Infrastructure").
        Assert.Equal(
            new[] { "attachmentStagingContainerName", "attachmentsContainerName", "backupContainerName", "claimCheckContainerName" }
                .Select(v => ClaimCheckScope.Replace("claimCheckContainerName", v, StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            RoleAssignments(Roles.StorageBlobDataContributor).Select(a => a["scope"].Str()).Order(StringComparer.Ordinal));
        Assert.All(RoleAssignments(Roles.StorageBlobDataContributor), a => { AssertAppIdentity(a); Assert.Null(a["condition"]); });

        // The Owner loop stays on the deployment and host containers.
        var containerNames = container.Deployment.Template.At("variables.containerNames").Str() ?? "";
        Assert.DoesNotContain("claimCheckContainerName", containerNames, StringComparison.Ordinal);
        Assert.DoesNotContain("tips-inbound-jwe", Strings(container.Deployment.Template.At("variables.hostContainerNames")));

        // No blob role anywhere above a single container (account, blob service, resource group).
        var blobRoles = new[] { Roles.StorageBlobDataOwner, Roles.StorageBlobDataContributor, Roles.StorageBlobDataReader };
        Assert.All(template.OfType("Microsoft.Authorization/roleAssignments").Where(a => blobRoles.Contains(RoleId(a))), blobAssignment =>
            Assert.StartsWith("[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers',", blobAssignment["scope"].Str(), StringComparison.Ordinal));

        // No lifecycle rule deletes a current blob by age outside tips-backup/ and attachments-staging/: a quarantined tip
        // (Retention__QuarantineAfter, up to 10 years) or a tip still waiting on tips-inbound (messages never expire) needs
        // its JWE, and a kept tip its attached files (in attachments/); the app's retention deletes the leftovers. Every
        // such rule has exactly one prefix, ending in '/' (a prefix "attachments" alone would match both attachment
        // containers; a rule without one, the whole account). Rules for previous versions only are fine.
        var rules = template.Single("Microsoft.Storage/storageAccounts/managementPolicies")["properties.policy.rules"]!.AsArray();
        var prefixes = new Dictionary<string, string>
        {
            ["[format('{0}/', variables('backupContainerName'))]"] = "tips-backup/",
            ["[format('{0}/', variables('attachmentStagingContainerName'))]"] = "attachments-staging/",
        };
        var deleting = rules.Where(rule => rule.At("definition.actions")!.AsObject().ContainsKey("baseBlob"))
            .Select(rule => Assert.Single(Strings(rule.At("definition.filters.prefixMatch"))))
            .Select(prefix => prefixes.GetValueOrDefault(prefix, prefix))
            .ToList();
        Assert.Equal(["attachments-staging/", "tips-backup/"], deleting.Order(StringComparer.Ordinal));
        var staging = rules.Single(r => r!["name"].Str() == "abandoned-uploads")!;
        Assert.Equal(30, staging.At("definition.actions.baseBlob.delete.daysAfterModificationGreaterThan").Long());
    }

    [Fact]
    public void No_storage_key_or_secret_appears_anywhere()
    {
        Assert.DoesNotContain("listKeys", template.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey", template.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("InstrumentationKey=", template.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AzureWebJobsStorage", AppSettings.Keys);
        Assert.All(AppSettings.Values, value => Assert.DoesNotContain("list", value.Str() ?? "", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void App_settings_use_identity_based_storage_Key_Vault_and_Entra_telemetry()
    {
        var settings = AppSettings;

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"].Str());
        Assert.Equal("[parameters('identityClientId')]", settings["AzureWebJobsStorage__clientId"].Str());
        Assert.Equal("[parameters('identityClientId')]", settings["AZURE_CLIENT_ID"].Str());
        // blob: the host, and the app's claim-check store (BlobServiceClient on this URI when no connection string is set).
        foreach (var service in (string[])["blob", "queue", "table"])
        {
            Assert.StartsWith($"[format('https://{{0}}.{service}.{{1}}', parameters('storageAccountName'), ", settings[$"AzureWebJobsStorage__{service}ServiceUri"].Str(), StringComparison.Ordinal);
        }

        Assert.Equal("false", settings["Storage__CreateIfMissing"].Str());
        Assert.Equal("[parameters('keyVaultUri')]", settings["KeyVault__VaultUri"].Str());
        Assert.Equal("[parameters('keyName')]", settings["KeyVault__KeyName"].Str());
        Assert.Equal("[parameters('applicationInsightsConnectionString')]", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"].Str());
        Assert.Equal("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"].Str());
        // Flex Consumption takes the runtime from functionAppConfig and rejects these.
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
    }

    [Fact]
    public void Receipt_salt_is_derived_per_deployment_and_long_enough()
    {
        var expression = template.Root.At("variables.receiptSalt").Str() ?? "";

        // base64 of a 36-character GUID string: 36 bytes, above IntakeOptions' 16.
        Assert.StartsWith("[base64(guid(subscription().id,", expression, StringComparison.Ordinal);
        Assert.Contains("parameters('environmentName')", expression, StringComparison.Ordinal);
        Assert.Contains("'receipt-salt'", expression, StringComparison.Ordinal);
        Assert.Equal("[parameters('receiptSalt')]", AppSettings["Intake__ReceiptSalt"].Str());
    }

    [Fact]
    public void Receipt_pepper_is_a_secret_azd_generates_once_and_keeps_so_it_never_changes_between_deployments()
    {
        var pepper = template.Root.At("parameters.receiptPepper");

        Assert.Equal("securestring", pepper.At("type").Str());
        Assert.Null(pepper!["defaultValue"]); // a default (newGuid()) would make a new pepper, and unverifiable receipts, on every deployment
        Assert.Equal("generate", pepper.At("metadata.azd.type").Str());
        Assert.True(pepper.At("metadata.azd.config.length")!.GetValue<int>() >= 44); // base64 of at least 32 bytes
        Assert.True(pepper.At("metadata.azd.config.noSpecial")!.GetValue<bool>()); // only base64 characters
        Assert.Equal("[parameters('receiptPepper')]", AppSettings["Intake__ReceiptPepper"].Str());
    }

    [Fact]
    public void Every_instance_shares_one_random_flood_control_key_per_deployment()
    {
        var seed = template.Root.At("parameters.floodControlKeySeed");
        Assert.Equal("securestring", seed.At("type").Str());
        Assert.Equal("[newGuid()]", seed.At("defaultValue").Str());
        Assert.StartsWith("[base64(", template.Root.At("variables.floodControlChallengeKey").Str(), StringComparison.Ordinal);
        Assert.Equal("[parameters('floodControlChallengeKey')]", AppSettings["FloodControl__ChallengeKey"].Str());
    }

    [Fact]
    public void The_triage_index_key_is_a_secure_parameter_kept_from_provision_to_provision()
    {
        var key = template.Root.At("parameters.triageIndexKey");
        Assert.Equal("securestring", key.At("type").Str());

        // No default such as newGuid(): a new key every provision would make every indexed tip unsearchable.
        Assert.Null(key.At("defaultValue"));
        Assert.Equal(44, key.At("minLength").Long());
        Assert.Equal("[parameters('triageIndexKey')]", AppSettings["Triage__IndexKey"].Str());
    }

    [Fact]
    public void Site_is_HTTPS_only_TLS12_without_FTP_basic_auth_or_affinity_cookie()
    {
        var site = Site;

        Assert.True(site["properties.httpsOnly"].Bool());
        Assert.False(site["properties.clientAffinityEnabled"].Bool());
        Assert.Equal("1.2", site["properties.siteConfig.minTlsVersion"].Str());

        // Flex Consumption has no FTP (ftpsState is refused: FlexConsumptionTests); SCM basic auth is off.
        var policy = Assert.Single(template.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies"));
        Assert.Equal("scm", PolicyName().Match(policy.Node["name"].Str() ?? "").Groups[1].Value);
        Assert.False(policy["properties.allow"].Bool());
    }

    [Fact]
    public void Site_runs_as_the_user_assigned_identity_only()
    {
        Assert.Equal("UserAssigned", Site["identity.type"].Str());
        Assert.Single(Site["identity.userAssignedIdentities"]!.AsObject());
    }

    [Fact]
    public void Function_app_is_dotnet_isolated_10_on_Flex_Consumption()
    {
        var plan = template.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", plan["sku.name"].Str());
        Assert.Equal("FlexConsumption", plan["sku.tier"].Str());
        Assert.True(plan["properties.reserved"].Bool());

        var site = Site;
        Assert.Equal("functionapp,linux", site["kind"].Str());
        Assert.Equal("dotnet-isolated", site["properties.functionAppConfig.runtime.name"].Str());
        Assert.Equal("10.0", site["properties.functionAppConfig.runtime.version"].Str());
        Assert.Equal(2048, site.Resolved("properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB").Long());
        Assert.InRange(site.Resolved("properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount").Long() ?? 0, 40, 1000);
        Assert.NotNull(template.Root.At("parameters.maximumInstanceCount"));

        Assert.Equal("blobContainer", site["properties.functionAppConfig.deployment.storage.type"].Str());
        Assert.Equal("UserAssignedIdentity", site["properties.functionAppConfig.deployment.storage.authentication.type"].Str());
        Assert.Equal("[parameters('identityId')]", site["properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId"].Str());
    }

    [Fact]
    public void Telemetry_accepts_Entra_ID_only_and_keeps_IP_masking()
    {
        var insights = template.Single("Microsoft.Insights/components");
        Assert.True(insights["properties.DisableLocalAuth"].Bool());
        Assert.False(insights["properties.DisableIpMasking"].Bool());
        Assert.NotNull(insights["properties.WorkspaceResourceId"]);

        var workspace = template.Single("Microsoft.OperationalInsights/workspaces");
        Assert.True(workspace["properties.features.disableLocalAuth"].Bool());
    }

    [Fact]
    public void Diagnostic_settings_send_Key_Vault_and_storage_logs_to_the_workspace_and_none_the_function_app_HTTP_logs()
    {
        var settings = template.OfType("Microsoft.Insights/diagnosticSettings").ToList();

        // The Function app's (or its plan's) HTTP logs would carry reporters' IP addresses and user agents: never.
        Assert.All(settings, setting => Assert.DoesNotContain("Microsoft.Web/", setting["scope"].Str() ?? "", StringComparison.Ordinal));
        var scopes = settings.Select(setting => setting["scope"].Str()!).ToList();
        Assert.Contains(scopes, scope => scope.StartsWith("[resourceId('Microsoft.KeyVault/vaults',", StringComparison.Ordinal));
        foreach (var service in (string[])["blobServices", "queueServices", "tableServices"])
        {
            Assert.Contains(scopes, scope => scope.StartsWith($"[resourceId('Microsoft.Storage/storageAccounts/{service}',", StringComparison.Ordinal));
        }

        Assert.Equal(4, settings.Count);
        Assert.All(settings, setting =>
        {
            Assert.Equal("[parameters('logAnalyticsId')]", setting["properties.workspaceId"].Str());
            Assert.Matches(@"^\[reference\(.*'monitoring'.*\.outputs\.logAnalyticsId\.value\]$", setting.Resolved("properties.workspaceId").Str() ?? "");
        });
        // Who read tips outside triage shows in the table logs; the host's queue polling (reads) is left out.
        var logs = settings[0].Deployment.Template.At("variables.dataPlaneLogs")!;
        Assert.Equal(["StorageDelete", "StorageRead", "StorageWrite"], Strings(logs["table"]).Order(StringComparer.Ordinal));
        Assert.Equal(["StorageDelete", "StorageRead", "StorageWrite"], Strings(logs["blob"]).Order(StringComparer.Ordinal));
        Assert.Equal(["StorageDelete", "StorageWrite"], Strings(logs["queue"]).Order(StringComparer.Ordinal));
        foreach (var service in (string[])["blob", "queue", "table"])
        {
            var setting = settings.Single(s => s["scope"].Str()!.Contains($"{service}Services", StringComparison.Ordinal));
            Assert.Equal($"[variables('dataPlaneLogs').{service}[copyIndex('logs')]]", setting["properties.copy"]!.AsArray()[0].At("input.category").Str());
        }

        var vault = settings.Single(s => s["scope"].Str()!.Contains("KeyVault", StringComparison.Ordinal));
        Assert.Equal("audit", vault["properties.logs"]!.AsArray().Single().At("categoryGroup").Str());
    }

    [Fact]
    public void Private_networking_is_optional_and_turns_public_access_off()
    {
        var parameter = template.Root.At("parameters.enablePrivateNetworking");
        Assert.Equal("bool", parameter.At("type").Str());
        Assert.False(parameter.At("defaultValue").Bool());

        var deployments = template.OfType("Microsoft.Resources/deployments").ToDictionary(d => d.Node["name"].Str()!, StringComparer.Ordinal);
        Assert.Equal("[parameters('enablePrivateNetworking')]", deployments["network"].Node["condition"].Str());
        Assert.Equal("[if(parameters('enablePrivateNetworking'), createObject('value', 'Disabled'), createObject('value', 'Enabled'))]",
            deployments["storage"]["properties.parameters.publicNetworkAccess"].Str());
        Assert.Equal("[if(parameters('enablePrivateNetworking'), createObject('value', 'Disabled'), createObject('value', parameters('keyVaultPublicNetworkAccess')))]",
            deployments["keyvault"]["properties.parameters.publicNetworkAccess"].Str());
        Assert.StartsWith("[if(parameters('enablePrivateNetworking'), createObject('value', reference(",
            deployments["functionapp"]["properties.parameters.virtualNetworkSubnetId"].Str(), StringComparison.Ordinal);

        var network = deployments["network"].Node.At("properties.template")!;
        var groups = network.At("variables.endpoints")!.AsArray().Select(endpoint => endpoint!["name"].Str()).ToList();
        Assert.Equal(["blob", "queue", "table", "vault"], groups);
        var privateEndpoint = template.Single("Microsoft.Network/privateEndpoints");
        Assert.Equal("[length(variables('endpoints'))]", privateEndpoint["copy.count"].Str());
        Assert.Equal("[variables('endpoints')[copyIndex()].name]",
            privateEndpoint["properties.privateLinkServiceConnections"]!.AsArray().Single().At("properties.groupIds")!.AsArray().Single().Str());
        var subnet = Assert.Single(template.OfType("Microsoft.Network/virtualNetworks"))["properties.subnets"]!.AsArray()
            .Single(s => s!["name"].Str() == "app");
        Assert.Equal("Microsoft.App/environments", subnet.At("properties.delegations")!.AsArray().Single().At("properties.serviceName").Str());
    }

    [Fact]
    public void Outputs_give_azd_what_it_needs_in_upper_snake_case()
    {
        var outputs = template.Root["outputs"]!.AsObject().Select(output => output.Key).ToList();

        Assert.All(outputs, name => Assert.Matches("^[A-Z][A-Z0-9_]*$", name));
        Assert.Subset(outputs.ToHashSet(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal)
        {
            "AZURE_LOCATION", "AZURE_RESOURCE_GROUP", "AZURE_FUNCTION_APP_NAME", "AZURE_KEY_VAULT_URI",
            "AZURE_KEY_VAULT_KEY_NAME", "AZURE_STORAGE_ACCOUNT_NAME", "APPLICATIONINSIGHTS_CONNECTION_STRING",
        });
    }

    private IEnumerable<ArmResource> RoleAssignments(string roleId) =>
        template.OfType("Microsoft.Authorization/roleAssignments").Where(assignment => RoleId(assignment) == roleId);

    /// <summary>The role definition GUID, from a literal or the module's variables (<c>variables('roles').name</c>, <c>variables('name')</c>).</summary>
    private static string RoleId(ArmResource assignment)
    {
        var expression = assignment["properties.roleDefinitionId"].Str() ?? "";
        var match = RoleDefinition().Match(expression);
        Assert.True(match.Success, $"Unexpected roleDefinitionId in {assignment}: {expression}");
        var variables = assignment.Deployment.Template["variables"];
        return match.Groups["literal"].Success ? match.Groups["literal"].Value
            : match.Groups["member"].Success ? variables.At($"{match.Groups["variable"].Value}.{match.Groups["member"].Value}").Str()!
            : variables.At(match.Groups["variable"].Value).Str()!;
    }

    private static void AssertAppIdentity(ArmResource assignment)
    {
        Assert.Equal("[parameters('appPrincipalId')]", assignment["properties.principalId"].Str());
        Assert.Equal("ServicePrincipal", assignment["properties.principalType"].Str());
        // The module is given the managed identity's principal id from the identity module.
        // By resource id, or by symbolic name (templates with user-defined types compile to language version 2.0).
        Assert.Matches(@"^\[reference\((extensionResourceId\(.*'Microsoft\.Resources/deployments', 'identity'\).*|'identity')\)\.outputs\.principalId\.value\]$",
            assignment.Resolved("properties.principalId").Str() ?? "");
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(item => item.Str() ?? "").ToList() : throw new InvalidOperationException($"Not an array: {node}");

    [GeneratedRegex(@"^\[subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', (?:'(?<literal>[0-9a-f-]{36})'|variables\('(?<variable>\w+)'\)(?:\.(?<member>\w+))?)\)\]$")]
    private static partial Regex RoleDefinition();

    [GeneratedRegex(@"^\[resourceId\('Microsoft\.[A-Za-z]+/[A-Za-z/]+', ")]
    private static partial Regex ResourceScope();

    [GeneratedRegex(@"'(scm|ftp)'\)\]$")]
    private static partial Regex PolicyName();

    [GeneratedRegex(@"^P(?:\d+[YMD])+$")]
    private static partial Regex IsoDuration();
}
