using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.Intake;
using TipIntake.Core.Processing;
using TipIntake.Core.Routing;
using TipIntake.Core.Staff;
using TipIntake.Core.Tips;
using TipIntake.Core.Triage.Index;
using TipIntake.Infrastructure.Staff;
using Microsoft.IdentityModel.JsonWebTokens;

namespace TipIntake.IntegrationTests.Triage;

/// <summary>
/// A host with staff tokens from its own development sign-in — "reader", "editor", "editor2" (both editors) and
/// "norole" (signed in, no role) — validated by the real authenticator in the worker; tips seeded through the real
/// <see cref="ITipStore"/>; and HTTP helpers. A token name that is none of these is sent as it is.
/// </summary>
public sealed class TriageHost : IAsyncDisposable
{
    private static readonly Dictionary<string, string[]> Staff = new(StringComparer.Ordinal)
    {
        ["reader"] = [StaffRoles.Reader],
        ["editor"] = [StaffRoles.Editor],
        ["editor2"] = [StaffRoles.Editor],
        ["norole"] = [],
    };

    private readonly Dictionary<string, string> _tokens;

    private TriageHost(TestHost host)
    {
        Host = host;
        var issuer = host.Host.Services.GetRequiredService<DevelopmentTokenIssuer>();
        _tokens = Staff.ToDictionary(pair => pair.Key, pair => issuer.Issue("Test " + pair.Key, pair.Value).AccessToken, StringComparer.Ordinal);
    }

    public TestHost Host { get; }

    public static async Task<TriageHost> StartAsync(
        IReadOnlyDictionary<string, string>? settings = null, string? connectionString = null, params IAsyncDisposable[] owned) =>
        new(await TestHost.StartAsync(settings: settings, connectionString: connectionString, owned: owned));

    /// <summary>The object id (<c>oid</c>) in the token of <paramref name="name"/>: the actor the audit trail names.</summary>
    public string ObjectId(string name) => new JsonWebToken(_tokens[name]).GetPayloadValue<string>("oid");

    public async Task<string> SeedAsync(
        string marker, string queue = "detention", int priority = 3, string urgency = TipUrgencies.Soon, DateTimeOffset? receivedHour = null, int? effort = null)
    {
        var store = Host.App.GetRequiredService<ITipStore>();
        var id = TipIntakeService.NewTipId();
        var tip = new Tip(TipCategories.Detention, $"세 명이 도문 구류소에 있습니다 {marker}", urgency,
            new TipLocation("CN", "Jilin", "Tumen " + marker), new DateOnly(2026, 11, 1), null, 3, "ko", "contact " + marker);
        var hour = receivedHour ?? TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow);
        Assert.True(await store.TryAddAsync(new StoredTip(id, new RouteDecision(queue, priority), tip, hour, "hash", "kid", effort), default));
        return id;
    }

    /// <summary>
    /// Stores <paramref name="tip"/> as the processor would (routing aside): row, then index, and waits until its
    /// content is indexed too (search and related reports see it).
    /// </summary>
    public async Task<string> SeedTipAsync(Tip tip, string queue = "detention", int priority = 3, DateTimeOffset? receivedHour = null)
    {
        var store = Host.App.GetRequiredService<ITipStore>();
        var id = TipIntakeService.NewTipId();
        var hour = receivedHour ?? TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow);
        Assert.True(await store.TryAddAsync(new StoredTip(id, new RouteDecision(queue, priority), tip, hour, "hash", "kid"), default));
        await WaitForContentIndexAsync();
        return id;
    }

    /// <summary>
    /// Waits until no stored tip's content waits to be indexed (lists show a tip at once; search once this is done).
    /// Tips seeded through <see cref="TestHost.App"/> do not wake the worker's indexer (it polls every 10 s), so the
    /// test's own app indexes them too, as a second instance of the app would: the work is idempotent.
    /// </summary>
    public Task WaitForContentIndexAsync() => Eventually.HoldsAsync(
        async () =>
        {
            await Host.App.GetRequiredService<ContentIndexer>().RunOnceAsync(default);
            return await Host.App.GetRequiredService<IIndexSets>().CountAsync(TriageSets.PendingContent, default) == 0;
        },
        "every stored tip's content indexed");

    /// <summary>The ids of a list page (or search) answer, and its continuation.</summary>
    public async Task<(List<string> Ids, string? Continuation)> ListIdsAsync(string path, string token = "reader")
    {
        using var response = await GetAsync(path, token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return ([.. body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)], body.GetProperty("continuation").GetString());
    }

    /// <param name="completion">When the answer is handed back: with its body read (the default), or as soon as its headers are in.</param>
    public async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, string? token, object? body = null, string? ifMatch = null, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens.GetValueOrDefault(token, token));
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (body is not null)
        {
            request.Content = body as HttpContent ?? new StringContent(
                body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        return await Host.Http.SendAsync(request, completion);
    }

    public Task<HttpResponseMessage> GetAsync(string path, string? token = "editor") => SendAsync(HttpMethod.Get, path, token);

    public async Task<(JsonElement Tip, string ETag)> ReadTipAsync(string id, string token = "editor")
    {
        using var response = await GetAsync($"api/triage/tips/{id}", token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(), response.Headers.ETag!.ToString());
    }

    /// <summary>A change with the caller's ETag; returns the answer (the caller disposes it).</summary>
    public Task<HttpResponseMessage> ChangeAsync(string id, string route, object body, string? etag, string token = "editor") =>
        SendAsync(HttpMethod.Post, $"api/triage/tips/{id}/{route}", token, body, etag);

    public async Task<List<JsonElement>> EventsAsync(string id, string token = "reader")
    {
        using var response = await GetAsync($"api/triage/tips/{id}/events", token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()];
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
