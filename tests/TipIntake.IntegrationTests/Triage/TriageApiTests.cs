using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TipIntake.IntegrationTests.Triage;

/// <summary>The triage API over HTTP on the local host, against real Azurite, with a test staff authenticator.</summary>
public sealed class TriageApiTests : IAsyncLifetime
{
    private static readonly string[] ChangeRoutes = ["status", "assignment", "labels", "notes"];

    private TriageHost _host = null!;

    public async Task InitializeAsync() => _host = await TriageHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static IEnumerable<(HttpMethod Method, string Path)> Routes(string id) =>
    [
        (HttpMethod.Get, "api/triage/counts"),
        (HttpMethod.Get, "api/triage/tips"),
        (HttpMethod.Get, "api/triage/overdue"),
        (HttpMethod.Get, $"api/triage/tips/{id}"),
        (HttpMethod.Get, $"api/triage/tips/{id}/events"),
        .. ChangeRoutes.Select(route => (HttpMethod.Post, $"api/triage/tips/{id}/{route}")),
        (HttpMethod.Post, "api/triage/dismissals"),
    ];

    [Fact]
    public async Task Every_triage_route_answers_401_with_a_bearer_challenge_without_or_with_an_invalid_token()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());

        foreach (var (method, path) in Routes(id))
        {
            foreach (var token in new[] { null, "forged" })
            {
                using var response = await _host.SendAsync(method, path, token, method == HttpMethod.Post ? new { status = "in-review" } : null, "\"x\"");
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            }
        }
    }

    [Fact]
    public async Task An_editor_dismisses_a_floods_untouched_tips_in_bulk_seeing_their_effort_band_each_audited_without_content()
    {
        var markers = Enumerable.Range(0, 3).Select(_ => TestTips.NewMarker()).ToList();
        var spam = new List<string>();
        foreach (var marker in markers)
        {
            spam.Add(await _host.SeedAsync(marker, effort: 22));
        }

        var real = await _host.SeedAsync(TestTips.NewMarker(), effort: 27);
        var (_, realETag) = await _host.ReadTipAsync(real);
        using (var assigned = await _host.ChangeAsync(real, "assignment", new { assignee = "oid-editor" }, realETag))
        {
            Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        }

        // The list and the detail show each tip's effort band (22 bits → band 5), by which a flood's tips are found.
        using var list = await _host.GetAsync("api/triage/tips?pageSize=100", "reader");
        var items = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
        Assert.All(items.Where(i => spam.Contains(i.GetProperty("id").GetString()!)), i => Assert.Equal(5, i.GetProperty("effortBand").GetInt32()));
        Assert.Equal(6, (await _host.ReadTipAsync(real)).Tip.GetProperty("effortBand").GetInt32());

        using var asReader = await _host.SendAsync(HttpMethod.Post, "api/triage/dismissals", "reader", new { tipIds = spam });
        Assert.Equal(HttpStatusCode.Forbidden, asReader.StatusCode);

        using var response = await _host.SendAsync(HttpMethod.Post, "api/triage/dismissals", "editor", new { tipIds = spam.Append(real).ToArray() });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(spam, body.GetProperty("dismissed").EnumerateArray().Select(e => e.GetString()));
        var skipped = Assert.Single(body.GetProperty("skipped").EnumerateArray());
        Assert.Equal((real, "touched"), (skipped.GetProperty("tipId").GetString(), skipped.GetProperty("reason").GetString()));
        foreach (var id in spam)
        {
            var (tip, _) = await _host.ReadTipAsync(id, "reader");
            Assert.Equal("dismissed", tip.GetProperty("status").GetString());
            var dismissal = Assert.Single(await _host.EventsAsync(id), e => e.GetProperty("action").GetString() != "viewed");
            Assert.Equal(("dismissed-in-bulk", "new", "dismissed"),
                (dismissal.GetProperty("action").GetString(), dismissal.GetProperty("from").GetString(), dismissal.GetProperty("to").GetString()));
        }

        Assert.Equal("new", (await _host.ReadTipAsync(real)).Tip.GetProperty("status").GetString());
        foreach (var marker in markers)
        {
            Assert.DoesNotContain(marker, _host.Host.Logs.All, StringComparison.Ordinal);
        }

        using var malformed = await _host.SendAsync(HttpMethod.Post, "api/triage/dismissals", "editor", new { tipIds = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, malformed.StatusCode);
    }

    [Fact]
    public async Task Staff_without_a_triage_role_get_403_everywhere()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());

        foreach (var (method, path) in Routes(id))
        {
            using var response = await _host.SendAsync(method, path, "norole", method == HttpMethod.Post ? new { status = "in-review" } : null, "\"x\"");
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_reader_reads_but_gets_403_on_every_change_route_and_nothing_changes()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());
        var (tip, etag) = await _host.ReadTipAsync(id, "reader");
        object[] bodies = [new { status = "in-review" }, new { assignee = "oid-reader" }, new { add = new[] { "x" } }, new { text = "note" }];

        for (var i = 0; i < ChangeRoutes.Length; i++)
        {
            using var response = await _host.ChangeAsync(id, ChangeRoutes[i], bodies[i], etag, "reader");
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        var (after, etagAfter) = await _host.ReadTipAsync(id, "reader");
        Assert.Equal("new", tip.GetProperty("status").GetString());
        Assert.Equal(etag, etagAfter);
        Assert.Equal(0, after.GetProperty("notes").GetArrayLength());
        Assert.DoesNotContain(await _host.EventsAsync(id), e => e.GetProperty("action").GetString() != "viewed");
    }

    [Fact]
    public async Task Every_allowed_transition_works_over_HTTP_and_an_invalid_one_is_409()
    {
        string[][] paths =
        [
            ["in-review", "verified", "escalated", "closed"],
            ["in-review", "dismissed", "in-review", "escalated", "closed"],
            ["in-review", "verified", "closed"],
            ["in-review", "dismissed", "closed"],
        ];
        var covered = new HashSet<(string, string)>();

        foreach (var path in paths)
        {
            var id = await _host.SeedAsync(TestTips.NewMarker());
            var (_, etag) = await _host.ReadTipAsync(id);
            var from = "new";
            foreach (var to in path)
            {
                using var response = await _host.ChangeAsync(id, "status", new { status = to }, etag);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(to, body.GetProperty("status").GetString());
                Assert.NotEqual(etag, response.Headers.ETag!.ToString());
                etag = response.Headers.ETag!.ToString();
                covered.Add((from, to));
                from = to;
            }

            using var invalid = await _host.ChangeAsync(id, "status", new { status = "in-review" }, etag);
            Assert.Equal(HttpStatusCode.Conflict, invalid.StatusCode);
            Assert.Equal("urn:tipintake:problem:triage-invalid-transition",
                (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        }

        Assert.Equal(9, covered.Count);
        var fresh = await _host.SeedAsync(TestTips.NewMarker());
        using var skip = await _host.ChangeAsync(fresh, "status", new { status = "verified" }, (await _host.ReadTipAsync(fresh)).ETag);
        Assert.Equal(HttpStatusCode.Conflict, skip.StatusCode);
    }

    [Fact]
    public async Task Two_editors_with_the_same_ETag_the_second_gets_412_and_a_change_without_If_Match_gets_428()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());
        var (_, etag) = await _host.ReadTipAsync(id);

        using var first = await _host.ChangeAsync(id, "assignment", new { assignee = "oid-editor" }, etag, "editor");
        using var second = await _host.ChangeAsync(id, "assignment", new { assignee = "oid-editor2" }, etag, "editor2");
        using var missing = await _host.ChangeAsync(id, "notes", new { text = "no precondition" }, etag: null);
        using var wildcard = await _host.ChangeAsync(id, "notes", new { text = "no precondition" }, "*");
        using var forged = await _host.ChangeAsync(id, "notes", new { text = "forged" }, "\"bm90LWFuLWV0YWc\"");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, second.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionRequired, missing.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionRequired, wildcard.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, forged.StatusCode);
        var (tip, _) = await _host.ReadTipAsync(id);
        Assert.Equal("oid-editor", tip.GetProperty("assignedTo").GetString());
        Assert.Equal(0, tip.GetProperty("notes").GetArrayLength());
    }

    [Fact]
    public async Task Paging_returns_every_tip_exactly_once_while_new_tips_arrive()
    {
        var seeded = new ConcurrentBag<string>();
        var now = Core.Intake.TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow);
        await Task.WhenAll(Enumerable.Range(0, 45).Select(async i =>
            seeded.Add(await _host.SeedAsync(TestTips.NewMarker(), priority: 1 + (i % 3), receivedHour: now - TimeSpan.FromHours(i % 4)))));
        using var stop = new CancellationTokenSource();

        // One new tip per page read, stored while the next page is read: arrivals interleave with paging on a fast
        // machine and a slow one alike, and the list cannot grow faster than it is read (unpaced arrivals outran the
        // reader on a loaded machine and the test ran for minutes).
        using var pageRead = new SemaphoreSlim(0);
        var arrivals = Enumerable.Range(0, 3).Select(async i =>
        {
            var count = 0;
            try
            {
                while (true)
                {
                    await pageRead.WaitAsync(stop.Token);
                    await _host.SeedAsync(TestTips.NewMarker(), priority: 1 + ((i + count) % 3), receivedHour: now - TimeSpan.FromHours(count % 5));
                    count++;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return count;
            }
        }).ToArray();

        var seen = new List<string>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var query = "api/triage/tips?pageSize=4" + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation));
            using var response = await _host.GetAsync(query, "reader");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            var items = body.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 0, 4);
            seen.AddRange(items.Select(item => item.GetProperty("id").GetString()!));
            continuation = body.GetProperty("continuation").GetString();
            pages++;
            pageRead.Release();
        }
        while (continuation is not null && pages < 500);

        await stop.CancelAsync();
        var inserted = (await Task.WhenAll(arrivals)).Sum();

        Assert.True(inserted > 0, "Tips must have arrived while paging.");
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Superset(seeded.ToHashSet(), seen.ToHashSet());
        Assert.True(pages >= 12, $"45 tips in pages of 4 take at least 12 pages, not {pages}.");
    }

    [Fact]
    public async Task Lists_put_urgent_tips_first_then_the_newest_and_counts_are_per_queue_and_status()
    {
        var now = Core.Intake.TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow);
        var oldGeneral = await _host.SeedAsync(TestTips.NewMarker(), "general", 5, receivedHour: now - TimeSpan.FromHours(5));
        var newGeneral = await _host.SeedAsync(TestTips.NewMarker(), "general", 5, receivedHour: now);
        var urgentOld = await _host.SeedAsync(TestTips.NewMarker(), "urgent", 1, "imminent", now - TimeSpan.FromHours(9));
        var detention = await _host.SeedAsync(TestTips.NewMarker(), "detention", 3);
        using (await _host.ChangeAsync(detention, "status", new { status = "in-review" }, (await _host.ReadTipAsync(detention)).ETag))
        {
        }

        using var list = await _host.GetAsync("api/triage/tips", "reader");
        var items = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
        using var filtered = await _host.GetAsync("api/triage/tips?queue=general&status=new", "reader");
        var general = (await filtered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
        using var counts = await _host.GetAsync("api/triage/counts", "reader");
        var countBody = await counts.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal([urgentOld, detention, newGeneral, oldGeneral], items.Select(i => i.GetProperty("id").GetString()));
        Assert.Equal([newGeneral, oldGeneral], general.Select(i => i.GetProperty("id").GetString()));
        Assert.DoesNotContain(items, i => i.TryGetProperty("narrative", out _) || i.TryGetProperty("contact", out _));
        Assert.Equal(
            ["detention/in-review/1", "general/new/2", "urgent/new/1"],
            countBody.GetProperty("counts").EnumerateArray().Select(c =>
                $"{c.GetProperty("queue").GetString()}/{c.GetProperty("status").GetString()}/{c.GetProperty("count").GetInt32()}"));
    }

    [Fact]
    public async Task Every_change_leaves_an_audit_event_without_narrative_or_note_text()
    {
        var marker = TestTips.NewMarker();
        var noteText = "NOTE-" + TestTips.NewMarker();
        var id = await _host.SeedAsync(marker);
        var (tip, etag) = await _host.ReadTipAsync(id);
        Assert.Contains(marker, tip.GetProperty("narrative").GetString(), StringComparison.Ordinal);

        foreach (var (route, body) in new (string, object)[]
        {
            ("status", new { status = "in-review" }),
            ("assignment", new { assignee = "oid-editor2" }),
            ("labels", new { add = new[] { "needs-translation", "jilin" } }),
            ("notes", new { text = noteText }),
            ("labels", new { remove = new[] { "jilin" } }),
            ("assignment", new { assignee = (string?)null }),
        })
        {
            using var response = await _host.ChangeAsync(id, route, body, etag);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            etag = response.Headers.ETag!.ToString();
        }

        var events = await _host.EventsAsync(id);
        var changes = events.Where(e => e.GetProperty("action").GetString() != "viewed").ToList();
        Assert.Equal(
            ["status-changed new>in-review", "assigned >oid-editor2", "labels-changed >jilin,needs-translation", "note-added",
             "labels-changed jilin,needs-translation>needs-translation", "assigned oid-editor2>"],
            changes.Select(e => e.GetProperty("action").GetString() + (e.GetProperty("action").GetString() == "note-added"
                ? "" : $" {e.GetProperty("from").GetString()}>{e.GetProperty("to").GetString()}")));
        Assert.All(changes, e => Assert.Equal(_host.ObjectId("editor"), e.GetProperty("actor").GetString()));
        Assert.Contains(events, e => e.GetProperty("action").GetString() == "viewed");

        var (final, _) = await _host.ReadTipAsync(id);
        var note = Assert.Single(final.GetProperty("notes").EnumerateArray());
        Assert.Equal(noteText, note.GetProperty("text").GetString());
        Assert.Equal(note.GetProperty("id").GetString(), changes[3].GetProperty("to").GetString());

        // Nothing of the tip or the note in the events (read over HTTP and straight from the table), nor in any log line.
        using var raw = await _host.GetAsync($"api/triage/tips/{id}/events", "reader");
        var rawEvents = await raw.Content.ReadAsStringAsync();
        var table = new Azure.Data.Tables.TableClient(_host.Host.ConnectionString, "TipEvents");
        var rows = new StringBuilder();
        await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == id))
        {
            rows.AppendJoin('|', row.Select(pair => pair.Value));
        }

        Assert.True(rows.Length > 0, "The events must be in table TipEvents.");
        foreach (var secret in new[] { marker, noteText, "도문", "Tumen" })
        {
            Assert.DoesNotContain(secret, rawEvents, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, rows.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, _host.Host.Logs.All, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Notes_are_append_only_no_route_edits_or_deletes_them()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());
        var (_, etag) = await _host.ReadTipAsync(id);
        using var first = await _host.ChangeAsync(id, "notes", new { text = "first note" }, etag);
        etag = first.Headers.ETag!.ToString();
        using var second = await _host.ChangeAsync(id, "notes", new { text = "second note" }, etag);
        var noteId = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("notes")[0].GetProperty("id").GetString();

        foreach (var method in new[] { HttpMethod.Delete, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Post })
        {
            foreach (var path in new[] { $"api/triage/tips/{id}/notes/{noteId}", $"api/triage/tips/{id}/notes" })
            {
                if (method == HttpMethod.Post && path.EndsWith("/notes", StringComparison.Ordinal))
                {
                    continue;
                }

                using var response = await _host.SendAsync(method, path, "editor", new { text = "rewritten" }, second.Headers.ETag!.ToString());
                Assert.False(response.IsSuccessStatusCode, $"{method} {path} must not succeed.");
            }
        }

        var (tip, _) = await _host.ReadTipAsync(id);
        Assert.Equal(["first note", "second note"], tip.GetProperty("notes").EnumerateArray().Select(n => n.GetProperty("text").GetString()));
        Assert.All(tip.GetProperty("notes").EnumerateArray(), n => Assert.Equal(_host.ObjectId("editor"), n.GetProperty("author").GetString()));
    }

    [Fact]
    public async Task Change_bodies_are_strict_bounded_JSON_and_invalid_values_are_422()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());
        var (_, etag) = await _host.ReadTipAsync(id);

        async Task<HttpStatusCode> Post(string route, object body)
        {
            using var response = await _host.ChangeAsync(id, route, body, etag);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.BadRequest, await Post("status", "{\"status\":\"in-review\",\"extra\":1}"));
        Assert.Equal(HttpStatusCode.BadRequest, await Post("status", "{\"status\":\"in-review\",\"status\":\"closed\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, await Post("status", "{}"));
        Assert.Equal(HttpStatusCode.BadRequest, await Post("assignment", "{}"));
        Assert.Equal(HttpStatusCode.BadRequest, await Post("notes", "not json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await Post("notes", new StringContent("{\"text\":\"x\"}", Encoding.UTF8, "text/plain")));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await Post("notes", new { text = new string('a', 17 * 1024) }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await Post("status", new { status = "archived" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await Post("labels", new { add = new[] { "no spaces" } }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await Post("notes", new { text = new string('a', 4001) }));
        Assert.Equal(HttpStatusCode.NotFound, await ChangeUnknown());
        Assert.Equal(etag, (await _host.ReadTipAsync(id)).ETag);

        async Task<HttpStatusCode> ChangeUnknown()
        {
            using var response = await _host.ChangeAsync(Core.Intake.TipIntakeService.NewTipId(), "status", new { status = "in-review" }, etag);
            return response.StatusCode;
        }
    }

    [Fact]
    public async Task A_tip_is_answered_with_its_ETag_content_and_the_security_headers_and_an_unknown_one_is_404()
    {
        var marker = TestTips.NewMarker();
        var id = await _host.SeedAsync(marker, "urgent", 1, "imminent");

        using var response = await _host.GetAsync($"api/triage/tips/{id}", "reader");
        using var unknown = await _host.GetAsync($"api/triage/tips/{Core.Intake.TipIntakeService.NewTipId()}", "reader");
        using var unknownEvents = await _host.GetAsync($"api/triage/tips/{Core.Intake.TipIntakeService.NewTipId()}/events", "reader");
        using var badQuery = await _host.GetAsync("api/triage/tips?pageSize=500", "reader");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var tip = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("contact " + marker, tip.GetProperty("contact").GetString());
        Assert.Equal("Tumen " + marker, tip.GetProperty("place").GetString());
        Assert.Equal("2026-11-01", tip.GetProperty("observedFrom").GetString());
        Assert.Equal(3, tip.GetProperty("peopleCount").GetInt32());
        Assert.Equal(["in-review"], tip.GetProperty("nextStatuses").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownEvents.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badQuery.StatusCode);
    }
}

/// <summary>The overdue view, with Triage:OverdueAfter at one second so that time can pass within a test.</summary>
public sealed class TriageOverdueTests : IAsyncLifetime
{
    private TriageHost _host = null!;

    public async Task InitializeAsync() => _host = await TriageHost.StartAsync(new Dictionary<string, string> { ["Triage:OverdueAfter"] = "00:00:01" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Imminent_tips_left_new_or_in_review_become_overdue_and_others_never_do()
    {
        var now = Core.Intake.TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow);
        var waiting = await _host.SeedAsync(TestTips.NewMarker(), "urgent", 1, "imminent", now);
        var soon = await _host.SeedAsync(TestTips.NewMarker(), "detention", 3, "soon", now - TimeSpan.FromHours(3));
        var escalated = await _host.SeedAsync(TestTips.NewMarker(), "urgent", 1, "imminent", now);
        var reviewed = await _host.SeedAsync(TestTips.NewMarker(), "urgent", 1, "imminent", now);
        var etag = (await _host.ReadTipAsync(escalated)).ETag;
        foreach (var status in new[] { "in-review", "escalated" })
        {
            using var response = await _host.ChangeAsync(escalated, "status", new { status }, etag);
            etag = response.Headers.ETag!.ToString();
        }

        using (var review = await _host.ChangeAsync(reviewed, "status", new { status = "in-review" }, (await _host.ReadTipAsync(reviewed)).ETag))
        {
            Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        }

        var overdue = await Eventually.ReturnsAsync(async () =>
        {
            using var response = await _host.GetAsync("api/triage/overdue", "reader");
            var ids = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
                .Select(i => i.GetProperty("id").GetString()!).ToList();
            return ids.Contains(waiting) && ids.Contains(reviewed) ? ids : null;
        }, "the waiting and the reviewed imminent tips to be overdue");

        Assert.DoesNotContain(soon, overdue);
        Assert.DoesNotContain(escalated, overdue);
    }
}
