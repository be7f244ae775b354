using TipIntake.Infrastructure.Staff;

namespace TipIntake.Infrastructure.Tests.Staff;

public sealed class StaffAuthOptionsValidatorTests
{
    private const string ClientId = "2b8f0e3a-9d41-4f7e-8c3b-6a5d4e2f1c90";
    private const string Scope = "api://2b8f0e3a-9d41-4f7e-8c3b-6a5d4e2f1c90/Tips.Triage";

    private readonly StaffAuthOptionsValidator _validator = new();

    [Fact]
    public void Nothing_set_is_valid_and_means_sign_in_is_off()
    {
        var options = new StaffAuthOptions();

        Assert.True(_validator.Validate(null, options).Succeeded);
        Assert.False(options.IsConfigured);
    }

    [Theory]
    [InlineData("7f5c1c55-4c5b-4c2e-9a54-3d2f6b1e0a11")]
    [InlineData("contoso.onmicrosoft.com")]
    [InlineData("hr-org.example")]
    public void Tenant_as_guid_or_domain_with_an_audience_is_valid(string tenant)
    {
        var options = new StaffAuthOptions { TenantId = tenant, Audience = "api://tipintake-triage", ClientId = ClientId, Scope = Scope };

        Assert.True(_validator.Validate(null, options).Succeeded);
        Assert.True(options.IsConfigured);
    }

    [Theory]
    [InlineData("common")]
    [InlineData("organizations")]
    [InlineData("consumers")]
    [InlineData("not a tenant")]
    [InlineData("https://login.microsoftonline.com/contoso.onmicrosoft.com")]
    [InlineData("")]
    public void Tenant_that_is_neither_guid_nor_domain_fails_the_start(string tenant)
    {
        var result = _validator.Validate(null, new StaffAuthOptions { TenantId = tenant, Audience = "api://tipintake-triage", ClientId = ClientId, Scope = Scope });

        Assert.True(result.Failed);
        Assert.Contains("TenantId", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Partial_configuration_without_an_audience_fails_the_start()
    {
        var result = _validator.Validate(null, new StaffAuthOptions { TenantId = "contoso.onmicrosoft.com", ClientId = "2b8f0e3a-9d41-4f7e-8c3b-6a5d4e2f1c90" });

        Assert.True(result.Failed);
        Assert.Contains("Audience", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Client_id_that_is_not_a_guid_and_a_plain_http_instance_fail_the_start()
    {
        var result = _validator.Validate(null, new StaffAuthOptions
        {
            TenantId = "contoso.onmicrosoft.com",
            Audience = "x",
            ClientId = "tipintake",
            Instance = new Uri("http://login.microsoftonline.com/"),
        });

        Assert.Contains("ClientId", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Instance", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, Scope)]
    [InlineData(ClientId, null)]
    [InlineData(ClientId, "api://x/")]
    [InlineData(ClientId, "Tips.Triage User.Read")]
    public void Configuration_without_the_client_or_its_scope_fails_the_start(string? clientId, string? scope)
    {
        var result = _validator.Validate(null, new StaffAuthOptions { TenantId = "contoso.onmicrosoft.com", Audience = ClientId, ClientId = clientId, Scope = scope });

        Assert.True(result.Failed);
        Assert.Contains(clientId is null ? "ClientId" : "Scope", result.FailureMessage, StringComparison.Ordinal);
    }
}
