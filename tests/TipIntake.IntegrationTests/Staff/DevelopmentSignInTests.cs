using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.Staff;
using TipIntake.Infrastructure.KeyVault;
using TipIntake.Infrastructure.Staff;
using TipIntake.Testing;

namespace TipIntake.IntegrationTests.Staff;

/// <summary>
/// The local host's development sign-in (<c>POST /dev/token</c>) and the registered authenticator: on in Development,
/// absent and untrusted in Production.
/// </summary>
public sealed class DevelopmentSignInTests
{
    [Fact]
    public async Task Development_token_endpoint_issues_a_token_the_registered_authenticator_accepts_with_the_asked_roles()
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.Http.PostAsJsonAsync("/dev/token", new { roles = new[] { StaffRoles.Editor }, name = "Dev Editor" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.StartsWith("default-src 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Bearer", body.RootElement.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.RootElement.GetProperty("expires_in").GetInt32());
        var token = body.RootElement.GetProperty("access_token").GetString()!;

        var authenticator = host.Host.Services.GetRequiredService<IStaffAuthenticator>();
        var member = Assert.IsType<StaffAuthentication.Authenticated>(await authenticator.AuthenticateAsync("Bearer " + token, CancellationToken.None)).Member;

        Assert.Equal("Dev Editor", member.Name);
        Assert.Equal(new HashSet<string> { StaffRoles.Editor }, member.Roles);
        Assert.True(member.CanEdit);
        AssertTokenNotLogged(host, token);
    }

    [Theory]
    [InlineData("attacker.example")]
    [InlineData("attacker.example:7071")]
    [InlineData("127.0.0.1.nip.io")]
    [InlineData("localhost.attacker.example")]
    [InlineData("10.0.0.5")]
    public async Task Development_token_is_refused_for_a_host_name_a_web_page_could_rebind_to_this_machine(string hostHeader)
    {
        await using var host = await TestHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/dev/token", UriKind.Relative))
        {
            Content = JsonContent.Create(new { roles = new[] { StaffRoles.Editor } }),
        };
        request.Headers.Host = hostHeader;

        using var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:tipintake:problem:not-loopback", problem.GetProperty("type").GetString());
        Assert.DoesNotContain("access_token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("triage.localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public async Task Development_token_is_issued_for_loopback_names(string name)
    {
        await using var host = await TestHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/dev/token", UriKind.Relative))
        {
            Content = JsonContent.Create(new { roles = new[] { StaffRoles.Reader } }),
        };
        request.Headers.Host = $"{name}:{host.Host.BaseAddress.Port}";

        using var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Development_token_without_roles_is_a_signed_in_member_without_access()
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.Http.PostAsJsonAsync("/dev/token", new { roles = Array.Empty<string>() });
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        var result = await host.Host.Services.GetRequiredService<IStaffAuthenticator>().AuthenticateAsync("Bearer " + token, CancellationToken.None);

        var member = Assert.IsType<StaffAuthentication.Authenticated>(result).Member;
        Assert.False(member.CanRead);
        Assert.Equal("Dev User", member.Name);
    }

    [Theory]
    [InlineData("""{"roles":["TipTriage.Admin"],"name":"Dev"}""", "application/json", HttpStatusCode.BadRequest, "unknown-role")]
    [InlineData("""{"roles":["tiptriage.editor"]}""", "application/json", HttpStatusCode.BadRequest, "unknown-role")]
    [InlineData("""{"roles":["TipTriage.Editor"],"oid":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}""", "application/json", HttpStatusCode.BadRequest, "malformed-json")]
    [InlineData("""{"roles":""", "application/json", HttpStatusCode.BadRequest, "malformed-json")]
    [InlineData("""{"roles":["TipTriage.Editor"]}""", "text/plain", HttpStatusCode.UnsupportedMediaType, "unsupported-media-type")]
    public async Task Development_token_request_outside_the_two_app_roles_or_malformed_is_refused(
        string json, string mediaType, HttpStatusCode status, string code)
    {
        await using var host = await TestHost.StartAsync();

        using var content = new StringContent(json, Encoding.UTF8, mediaType);
        using var response = await host.Http.PostAsync("/dev/token", content);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("urn:tipintake:problem:" + code, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.DoesNotContain("access_token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_Production_without_Triage_Auth_there_is_no_token_endpoint_dev_tokens_are_rejected_and_intake_still_works()
    {
        using var vault = new FakeKeyVault(new FakeTokenCredential());
        await using var host = await StartProductionAsync(vault);
        using var issuer = NewDevelopmentIssuer();
        var devToken = issuer.Issue("Dev Editor", [StaffRoles.Editor]).AccessToken;

        using var response = await host.Http.PostAsJsonAsync("/dev/token", new { roles = new[] { StaffRoles.Editor }, name = "Dev Editor" });
        var result = await host.Host.Services.GetRequiredService<IStaffAuthenticator>().AuthenticateAsync("Bearer " + devToken, CancellationToken.None);
        using var intakeKey = await host.Http.GetAsync("/api/intake-key");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(host.Host.Services.GetService<DevelopmentTokenIssuer>());
        Assert.Equal(StaffRejectionReasons.NotConfigured, Assert.IsType<StaffAuthentication.Rejected>(result).Reason);
        Assert.Equal(HttpStatusCode.OK, intakeKey.StatusCode);
        Assert.Single(host.Logs.Lines, line => line.Contains("Triage sign-in is not configured", StringComparison.Ordinal));
        AssertTokenNotLogged(host, devToken);
    }

    [Fact]
    public async Task In_Production_with_Entra_ID_configured_Entra_tokens_are_accepted_and_dev_tokens_are_not()
    {
        using var vault = new FakeKeyVault(new FakeTokenCredential());
        using var entra = new FakeEntraId();
        using var metadataClient = new EntraIdMetadataClient(entra);
        await using var host = await StartProductionAsync(
            vault,
            new Dictionary<string, string>
            {
                ["Triage:Auth:TenantId"] = FakeEntraId.TenantId,
                ["Triage:Auth:ClientId"] = FakeEntraId.ClientId,
                ["Triage:Auth:Audience"] = FakeEntraId.ClientId,
                ["Triage:Auth:Scope"] = $"api://{FakeEntraId.ClientId}/{FakeEntraId.Scope}",
            },
            services => services.AddSingleton(metadataClient));
        using var issuer = NewDevelopmentIssuer(FakeEntraId.ClientId);
        var devToken = issuer.Issue("Dev Editor", [StaffRoles.Editor]).AccessToken;
        var entraToken = entra.Token([StaffRoles.Reader]);
        var authenticator = host.Host.Services.GetRequiredService<IStaffAuthenticator>();

        var member = Assert.IsType<StaffAuthentication.Authenticated>(await authenticator.AuthenticateAsync("Bearer " + entraToken, CancellationToken.None)).Member;
        var rejected = Assert.IsType<StaffAuthentication.Rejected>(await authenticator.AuthenticateAsync("Bearer " + devToken, CancellationToken.None));
        using var response = await host.Http.PostAsJsonAsync("/dev/token", new { roles = new[] { StaffRoles.Editor } });

        Assert.True(member.CanRead);
        Assert.False(member.CanEdit);
        Assert.Equal(StaffRejectionReasons.WrongIssuer, rejected.Reason);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(entra.MetadataRequests >= 1);
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains("Triage sign-in is not configured", StringComparison.Ordinal));
        AssertTokenNotLogged(host, devToken);
        AssertTokenNotLogged(host, entraToken);
    }

    [Fact]
    public async Task In_Production_an_incomplete_Triage_Auth_fails_the_start()
    {
        using var vault = new FakeKeyVault(new FakeTokenCredential());

        var failure = await Record.ExceptionAsync(() => StartProductionAsync(vault, new Dictionary<string, string> { ["Triage:Auth:TenantId"] = "common" }));

        Assert.NotNull(failure);
        Assert.Contains("Triage:Auth:TenantId", failure.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Production needs its intake key from Key Vault: the fake one, through the real client (as TestHost.StartWithKeyVaultAsync).</summary>
    private static Task<TestHost> StartProductionAsync(
        FakeKeyVault vault, IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var values = new Dictionary<string, string>
        {
            ["KeyVault:VaultUri"] = vault.VaultUri.ToString(),
            ["KeyVault:KeyName"] = vault.KeyName,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }

        return TestHost.StartAsync(
            services =>
            {
                services.AddSingleton<TokenCredential>(vault.Credential);
                services.AddSingleton(new KeyVaultKeysClientOptions
                {
                    Transport = vault.Transport(),
                    Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(20), NetworkTimeout = TimeSpan.FromSeconds(10) },
                });
                configureServices?.Invoke(services);
            },
            values,
            environment: "Production");
    }

    private static DevelopmentTokenIssuer NewDevelopmentIssuer(string? audience = null) => new(
        Microsoft.Extensions.Options.Options.Create(new StaffAuthOptions { Audience = audience }),
        TimeProvider.System,
        new CapturingLogger<DevelopmentTokenIssuer>());

    private static void AssertTokenNotLogged(TestHost host, string token)
    {
        var logged = host.Logs.All;
        foreach (var part in token.Split('.').Where(part => part.Length > 0))
        {
            Assert.DoesNotContain(part, logged, StringComparison.Ordinal);
        }
    }
}
