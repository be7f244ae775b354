using System.Text.Json;

namespace TipIntake.IntegrationTests.Hostile;

/// <summary>
/// One case of <c>Hostile/corpus.json</c>: a request as data and the answer it must get. See docs/testing.md for the
/// format; <see cref="HostileRequestBuilder"/> turns the specs into bytes.
/// </summary>
public sealed record HostileCase(
    string Name,
    string Category,
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    JsonElement? Body,
    JsonElement? Raw,
    string Transport,
    HostileSlow? Slow,
    HostileExpectation Expect)
{
    public const string CorpusFile = "Hostile/corpus.json";

    public static IReadOnlyList<HostileCase> LoadCorpus()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(System.IO.Path.Combine(AppContext.BaseDirectory, CorpusFile)));
        return [.. document.RootElement.GetProperty("cases").EnumerateArray().Select(Parse)];
    }

    private static HostileCase Parse(JsonElement c)
    {
        var name = c.GetProperty("name").GetString()!;
        var headers = new List<KeyValuePair<string, string>>();
        if (c.TryGetProperty("headers", out var h))
        {
            // An object keeps one value per name; an array of [name, value] pairs may repeat a name.
            if (h.ValueKind == JsonValueKind.Object)
            {
                headers.AddRange(h.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)));
            }
            else
            {
                headers.AddRange(h.EnumerateArray().Select(p => KeyValuePair.Create(p[0].GetString()!, p[1].GetString()!)));
            }
        }

        var e = c.GetProperty("expect");
        var status = e.GetProperty("status");
        var statuses = status.ValueKind == JsonValueKind.Array ? status.EnumerateArray().Select(s => s.GetInt32()).ToArray() : [status.GetInt32()];
        var slow = c.TryGetProperty("slow", out var s)
            ? new HostileSlow(
                s.GetProperty("bytes").GetInt32(),
                s.GetProperty("intervalMs").GetInt32(),
                s.TryGetProperty("fromStart", out var fromStart) && fromStart.GetBoolean())
            : null;
        return new HostileCase(
            name,
            c.TryGetProperty("category", out var category) ? category.GetString()! : name.Split('/')[0],
            c.TryGetProperty("method", out var method) ? method.GetString()! : "GET",
            c.TryGetProperty("path", out var path) ? path.GetString()! : "/",
            headers,
            c.TryGetProperty("body", out var body) ? body.Clone() : null,
            c.TryGetProperty("raw", out var raw) ? raw.Clone() : null,
            c.TryGetProperty("transport", out var transport) ? transport.GetString()! : "http",
            slow,
            new HostileExpectation(
                statuses,
                e.TryGetProperty("type", out var type) ? type.GetString() : null,
                e.TryGetProperty("body", out var kind) ? kind.GetString()! : "problem"));
    }

    public override string ToString() => Name;
}

/// <summary>Trickle the body (or, with <see cref="FromStart"/>, the whole request) <see cref="Bytes"/> at a time.</summary>
public sealed record HostileSlow(int Bytes, int IntervalMs, bool FromStart);

/// <summary>
/// The allowed statuses; the problem type's prefix; and the body kind: <c>problem</c> (application/problem+json with
/// that type and the status), <c>html</c> (a page route's answer), <c>empty</c> (Kestrel's own bodiless refusal of a
/// request it cannot parse, before any application code), or <c>any</c> (only the status is checked).
/// </summary>
public sealed record HostileExpectation(IReadOnlyList<int> Statuses, string? TypePrefix, string Body);
