using System.Text.Json.Nodes;

namespace TipIntake.Infra.Tests;

/// <summary>
/// The Function app is what Flex Consumption accepts: nothing from the "Flex Consumption plan deprecations" table of the
/// Functions app-settings reference (newer regions refuse some with ARM error 51021: "…site configuration properties
/// (Site.SiteConfig.FtpsState, …) for Flex Consumption sites is invalid"), scale within 40–1000, regions that have it.
/// </summary>
[Collection(CompiledTemplateGroup.Name)]
public sealed class FlexConsumptionTests(CompiledTemplate template)
{
    /// <summary>
    /// Site and siteConfig properties deprecated or refused on Flex Consumption: the deprecation table, and the properties
    /// named in reported 51021 rejections (FtpsState, Use32BitWorkerProcess, NetFrameworkVersion,
    /// FunctionsRuntimeScaleMonitoringEnabled, LinuxFxVersion, FunctionAppScaleLimit).
    /// </summary>
    private static readonly string[] DeprecatedSiteProperties =
    [
        "alwaysOn", "containerSize", "ftpsState", "isReserved", "isXenon", "javaVersion", "linuxFxVersion",
        "windowsFxVersion", "netFrameworkVersion", "powerShellVersion", "functionAppScaleLimit", "preWarmedInstanceCount",
        "use32BitWorkerProcess", "vnetBackupRestoreEnabled", "vnetContentShareEnabled", "vnetImagePullEnabled",
        "functionsRuntimeScaleMonitoringEnabled", "minimumElasticInstanceCount", "vnetRouteAllEnabled",
    ];

    /// <summary>App settings deprecated on Flex Consumption (replaced by functionAppConfig, or not supported there).</summary>
    private static readonly string[] DeprecatedAppSettings =
    [
        "ENABLE_ORYX_BUILD", "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION",
        "FUNCTIONS_MAX_HTTP_CONCURRENCY", "FUNCTIONS_WORKER_PROCESS_COUNT", "FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED",
        "SCM_DO_BUILD_DURING_DEPLOYMENT", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTOVERVNET",
        "WEBSITE_CONTENTSHARE", "WEBSITE_DNS_SERVER", "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT",
        "WEBSITE_NODE_DEFAULT_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_SKIP_CONTENTSHARE_VALIDATION",
        "WEBSITE_VNET_ROUTE_ALL", "WEBSITE_TIME_ZONE", "TZ", "WEBSITES_CONTAINER_START_TIME_LIMIT",
        "WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED", "WEBSITE_MOUNT_ENABLED",
    ];

    /// <summary>Regions offering Flex Consumption (Azure-Samples/functions-quickstart-dotnet-azd's list, early 2026).</summary>
    private static readonly string[] FlexConsumptionRegions =
    [
        "australiaeast", "australiasoutheast", "brazilsouth", "canadacentral", "centralindia", "centralus", "eastasia",
        "eastus", "eastus2", "francecentral", "germanywestcentral", "italynorth", "japaneast", "koreacentral",
        "northcentralus", "northeurope", "norwayeast", "southafricanorth", "southcentralus", "southeastasia",
        "southindia", "spaincentral", "swedencentral", "uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope",
        "westus", "westus2", "westus3",
    ];

    private ArmResource Site => template.Single("Microsoft.Web/sites");

    [Fact]
    public void The_site_sets_no_property_or_app_setting_that_Flex_Consumption_deprecates()
    {
        var site = Site;
        Assert.Equal("FC1", template.Single("Microsoft.Web/serverfarms")["sku.name"].Str());

        var siteProperties = Keys(site["properties"]);
        var siteConfig = Keys(site["properties.siteConfig"]);
        foreach (var deprecated in DeprecatedSiteProperties)
        {
            Assert.DoesNotContain(deprecated, siteProperties, StringComparer.OrdinalIgnoreCase);
            Assert.DoesNotContain(deprecated, siteConfig, StringComparer.OrdinalIgnoreCase);
        }

        // Only what Microsoft's own Flex quickstart sets there, plus the app settings: nothing to be refused.
        Assert.Equal(["appSettings", "minTlsVersion"], siteConfig.Order(StringComparer.Ordinal));

        var settings = CompiledTemplate.FixedAppSettings(site).Keys.Concat(SettingsTests.OperatorSettingNames(template)).ToList();
        Assert.Contains("AzureWebJobsStorage__credential", settings);
        foreach (var deprecated in DeprecatedAppSettings)
        {
            Assert.DoesNotContain(deprecated, settings, StringComparer.OrdinalIgnoreCase);
        }

        // Runtime, scale and deployment are where Flex Consumption wants them.
        Assert.NotNull(site["properties.functionAppConfig.runtime.name"]);
        Assert.NotNull(site["properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount"]);
        Assert.NotNull(site["properties.functionAppConfig.deployment.storage.value"]);
    }

    [Fact]
    public void No_ftp_publishing_policy_for_a_plan_without_ftp()
    {
        var policies = template.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").Select(p => p["name"].Str() ?? "").ToList();

        Assert.Single(policies);
        Assert.DoesNotContain(policies, name => name.Contains("'ftp'", StringComparison.Ordinal));
    }

    [Fact]
    public void Scale_out_stays_within_what_Flex_Consumption_allows()
    {
        foreach (var parameters in (JsonNode?[])[template.Root["parameters"], Site.Deployment.Template["parameters"]])
        {
            var count = parameters.At("maximumInstanceCount")!;
            Assert.Equal(40, count["minValue"].Long());
            Assert.Equal(1000, count["maxValue"].Long());
            Assert.InRange(count["defaultValue"].Long() ?? 0, 40, 1000);
            Assert.Equal([512L, 2048L, 4096L], parameters.At("instanceMemoryMB")!["allowedValues"]!.AsArray().Select(v => v.Long() ?? 0));
        }

        Assert.Equal("[parameters('maximumInstanceCount')]", Site["properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount"].Str());
    }

    [Fact]
    public void The_azd_region_picker_offers_only_regions_with_Flex_Consumption()
    {
        var location = template.Root.At("parameters.location")!;
        var allowed = (location["allowedValues"] as JsonArray ?? []).Select(v => v.Str()!).ToList();

        Assert.Equal("location", location.At("metadata.azd.type").Str());
        Assert.Null(location["defaultValue"]);
        Assert.NotEmpty(allowed);
        Assert.Subset(FlexConsumptionRegions.ToHashSet(StringComparer.Ordinal), allowed.ToHashSet(StringComparer.Ordinal));
        // The example region of docs/deploy.md is one of them.
        Assert.Contains("westeurope", allowed);
        // Left out because the default GZRS storage is not offered there (no zones, or no paired region).
        foreach (var region in (string[])["westus", "westcentralus", "ukwest", "southindia", "australiasoutheast", "northcentralus", "italynorth", "spaincentral"])
        {
            Assert.DoesNotContain(region, allowed);
        }
    }

    private static List<string> Keys(JsonNode? node) => node is JsonObject obj ? obj.Select(p => p.Key).ToList() : [];
}
