using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TipIntake.Core.Staff;

namespace TipIntake.IntegrationTests.Triage;

/// <summary>
/// The triage API with the real authenticator wired in, not a test one: development tokens from the local host's
/// sign-in, and tokens that must fail, all through HTTP.
/// </summary>
public sealed class TriageRealTokenTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer")]
    [InlineData("Bearer not-a-token")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJvaWQiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDEiLCJyb2xlcyI6WyJUaXBUcmlhZ2UuRWRpdG9yIl19.")]
    public async Task Request_without_a_valid_token_gets_401_with_a_bearer_challenge(string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/triage/counts", UriKind.Relative));
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await _host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Reader_reads_but_cannot_change_and_a_token_without_a_role_reads_nothing()
    {
        var id = await SubmitTipAsync();
        var reader = await TokenAsync(StaffRoles.Reader);
        var noRole = await TokenAsync();

        using var read = await SendAsync(HttpMethod.Get, $"/api/triage/tips/{id}", reader);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var etag = read.Headers.ETag!.Tag;

        using var change = await SendAsync(HttpMethod.Post, $"/api/triage/tips/{id}/status", reader, new { status = "in-review" }, etag);
        Assert.Equal(HttpStatusCode.Forbidden, change.StatusCode);
        using var note = await SendAsync(HttpMethod.Post, $"/api/triage/tips/{id}/notes", reader, new { text = "x" }, etag);
        Assert.Equal(HttpStatusCode.Forbidden, note.StatusCode);
        using var forbidden = await SendAsync(HttpMethod.Get, "/api/triage/counts", noRole);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        var editor = await TokenAsync(StaffRoles.Editor);
        using var edited = await SendAsync(HttpMethod.Post, $"/api/triage/tips/{id}/status", editor, new { status = "in-review" }, etag);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.DoesNotContain(editor, _host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(reader, _host.Logs.All, StringComparison.Ordinal);
    }

    private async Task<string> SubmitTipAsync()
    {
        var marker = TestTips.NewMarker();
        using var response = await TestTips.PostAsync(_host.Http, await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(marker)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await _host.WaitForTipAsync(marker)).RowKey;
    }

    private async Task<string> TokenAsync(params string[] roles)
    {
        using var response = await _host.Http.PostAsJsonAsync("/dev/token", new { roles, name = "Test " + string.Join('+', roles) });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await _host.Http.SendAsync(request);
    }
}
