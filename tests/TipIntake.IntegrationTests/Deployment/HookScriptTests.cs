using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using TipIntake.Infrastructure.Keys;
using YamlDotNet.RepresentationModel;

namespace TipIntake.IntegrationTests.Deployment;

/// <summary>
/// The azd hooks of azure.yaml, run exactly as azd runs them on Linux and macOS (<c>sh -c</c> with the hook's
/// <c>run</c> line, from the repository root, with azd's environment variables) against the local host's base URL in
/// place of the deployed app's: the smoke test passes on a real TipIntake and fails loudly where one is wrong.
/// </summary>
public sealed class HookScriptTests
{
    private static readonly string Root = LocalState.FindRepositoryRoot()!;

    [Fact]
    public async Task Postdeploy_smoke_test_passes_against_the_local_host_and_prints_the_urls_and_redirect_uri()
    {
        await using var host = await TestHost.StartAsync();
        var url = host.Host.BaseAddress.GetLeftPart(UriPartial.Authority);

        var result = await RunHookAsync("postdeploy", new() { ["AZURE_FUNCTION_APP_URL"] = url, ["SMOKE_TEST_TIMEOUT_SECONDS"] = "60" });

        Assert.True(result.Exit == 0, $"postdeploy exited {result.Exit}:\n{result.Output}\n{result.Error}");
        foreach (var check in (string[])["intake key", "reporter form", "proof-of-work challenge", "triage page", "staff sign-in library"])
        {
            Assert.Contains($"ok    {check}", result.Output, StringComparison.Ordinal);
        }

        Assert.Contains($"Reporter form:  {url}/\n", result.Output, StringComparison.Ordinal);
        Assert.Contains($"Triage (staff): {url}/triage\n", result.Output, StringComparison.Ordinal);
        Assert.Contains($"  {url}/triage/signed-in\n", result.Output, StringComparison.Ordinal);
        Assert.Empty(result.Error);
        // A smoke test leaves nothing behind: no tip was submitted.
        Assert.Equal(0, (await host.InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Postprovision_names_the_sign_in_settings_still_missing_and_the_command_to_register_the_redirect_uri()
    {
        const string Url = "https://func-example.azurewebsites.net";

        var off = await RunHookAsync("postprovision", new() { ["AZURE_FUNCTION_APP_URL"] = Url });
        var half = await RunHookAsync("postprovision", new()
        {
            ["AZURE_FUNCTION_APP_URL"] = Url,
            ["TRIAGE_AUTH_CLIENT_ID"] = "2b8f0e3a-0000-4000-8000-000000000001",
            ["TRIAGE_AUTH_TENANT_ID"] = "7f5c1c55-0000-4000-8000-000000000002",
        });

        Assert.Equal(0, off.Exit);
        Assert.Contains($"{Url}/triage/signed-in", off.Output, StringComparison.Ordinal);
        Assert.Contains("Staff sign-in is OFF: TRIAGE_AUTH_TENANT_ID, TRIAGE_AUTH_CLIENT_ID, TRIAGE_AUTH_AUDIENCE, TRIAGE_AUTH_SCOPE not set", off.Output, StringComparison.Ordinal);
        Assert.Equal(0, half.Exit);
        Assert.Contains("applications(appId='2b8f0e3a-0000-4000-8000-000000000001')", half.Output, StringComparison.Ordinal);
        Assert.Contains($"\"redirectUris\":[\"{Url}/triage/signed-in\"]", half.Output, StringComparison.Ordinal);
        Assert.Contains("Staff sign-in is OFF: TRIAGE_AUTH_AUDIENCE, TRIAGE_AUTH_SCOPE not set", half.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postdeploy_fails_loudly_when_nothing_answers_at_the_url()
    {
        var url = $"http://127.0.0.1:{UnusedPort()}";

        var result = await RunHookAsync("postdeploy", new() { ["AZURE_FUNCTION_APP_URL"] = url, ["SMOKE_TEST_TIMEOUT_SECONDS"] = "1" });

        Assert.Equal(1, result.Exit);
        Assert.Contains($"SMOKE TEST FAILED for {url}", result.Error, StringComparison.Ordinal);
        Assert.Contains("intake key (GET /api/intake-key): no answer", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Reporter form:", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postdeploy_fails_on_a_server_that_serves_the_pages_without_their_policy_or_MSAL()
    {
        await using var impostor = await StartImpostorAsync();

        var result = await RunHookAsync("postdeploy", new() { ["AZURE_FUNCTION_APP_URL"] = impostor.Url, ["SMOKE_TEST_TIMEOUT_SECONDS"] = "1" });

        Assert.Equal(1, result.Exit);
        Assert.Contains("ok    intake key", result.Output, StringComparison.Ordinal);
        Assert.Contains("reporter form (GET /): no Content-Security-Policy header", result.Error, StringComparison.Ordinal);
        Assert.Contains("triage page (GET /triage): default-src is not 'none' in \"default-src *\"", result.Error, StringComparison.Ordinal);
        Assert.Contains("staff sign-in library (GET /assets/msal-browser.min.js): answered 404: MSAL.js was not embedded", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hooks_without_a_url_say_how_to_give_one()
    {
        var result = await RunHookAsync("postdeploy", []);

        Assert.Equal(1, result.Exit);
        Assert.Contains("No app URL: pass --base-url <url>", result.Error, StringComparison.Ordinal);
    }

    /// <summary>The hook's posix <c>run</c> line from azure.yaml, through <c>sh -c</c> in the repository root, as azd runs it.</summary>
    private static async Task<(int Exit, string Output, string Error)> RunHookAsync(string hook, Dictionary<string, string> environment)
    {
        var posix = (YamlMappingNode)((YamlMappingNode)Hooks()[hook])["posix"];
        Assert.Equal("sh", ((YamlScalarNode)posix["shell"]).Value);
        var start = new ProcessStartInfo("sh") { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(((YamlScalarNode)posix["run"]).Value!);
        foreach (var name in (string[])["AZURE_FUNCTION_APP_URL", "SMOKE_TEST_TIMEOUT_SECONDS", "TRIAGE_AUTH_TENANT_ID", "TRIAGE_AUTH_CLIENT_ID", "TRIAGE_AUTH_AUDIENCE", "TRIAGE_AUTH_SCOPE"])
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private static YamlMappingNode Hooks()
    {
        var yaml = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Root, "azure.yaml")));
        yaml.Load(reader);
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["hooks"];
    }

    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Looks like TipIntake to a careless check: a valid-looking key, a form and a challenge, but no CSP on the form, a lax one on triage, and no MSAL.js.</summary>
    private static async Task<Impostor> StartImpostorAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var modulus = Convert.ToBase64String(new byte[384]).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        app.MapGet("/api/intake-key", () => Results.Json(new { kty = "RSA", alg = "RSA-OAEP-256", kid = "https://x.vault.azure.net/keys/intake/0123456789abcdef0123456789abcdef", n = modulus, e = "AQAB" }));
        app.MapGet("/api/challenge", () => Results.Json(new { challenge = "abc", difficulty = 0 }));
        app.MapGet("/", () => Results.Content("<html><form></form></html>", "text/html"));
        app.MapGet("/triage", (HttpResponse response) =>
        {
            response.Headers.ContentSecurityPolicy = "default-src *";
            return Results.Content("<html></html>", "text/html");
        });
        await app.StartAsync();
        return new Impostor(app);
    }

    private sealed class Impostor(WebApplication app) : IAsyncDisposable
    {
        public string Url => app.Urls.First();

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
