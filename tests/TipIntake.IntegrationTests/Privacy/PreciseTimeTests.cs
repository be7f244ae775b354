using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TipIntake.IntegrationTests.Forms;
using TipIntake.IntegrationTests.Triage;

namespace TipIntake.IntegrationTests.Privacy;

/// <summary>
/// Issue 13, finding 4: the service keeps only the hour of a tip's arrival, so nothing it hands out or writes to logs
/// may carry a finer time of a tip. Found: the triage ETag was the table ETag, which decodes to the row's write time to
/// 100 ns; and "Tip {TipId} stored" was logged at Information, shipped with its own timestamp — seconds after arrival.
/// One flow (script path, a long testimony through the claim-check, the no-script form, processing, triage reads and
/// changes) at the production log levels, then every ETag, log line and diagnostic activity is searched.
/// </summary>
[Trait("Category", "Privacy")]
public sealed partial class PreciseTimeTests
{
    [Fact]
    public async Task No_etag_log_line_or_telemetry_field_carries_a_time_finer_than_the_hour_or_ties_a_tip_to_its_processing_time()
    {
        var activities = new ConcurrentQueue<(string All, string Tags)>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => activities.Enqueue((Describe(activity, withStatus: true), Describe(activity, withStatus: false))),
        };
        ActivitySource.AddActivityListener(listener);
        await using var triage = await TriageHost.StartAsync();
        var host = triage.Host;

        var script = TestTips.NewMarker();
        using (var accepted = await TestTips.PostAsync(host.Http, await TestTips.EncryptAsync(host.Http, TestTips.ValidTipJson($"script {script}"))))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var longOne = TestTips.NewMarker();
        var testimony = longOne + " " + string.Concat(Enumerable.Repeat("도문 구류소에 세 사람이 있습니다. ", 900));
        using (var accepted = await TestTips.PostAsync(host.Http, await TestTips.EncryptAsync(host.Http, TestTips.ValidTipJson(testimony))))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var form = TestTips.NewMarker();
        using (var page = await host.Http.PostAsync(new Uri("submit", UriKind.Relative), await TestForms.NewFormAsync(host.Http, new Dictionary<string, string>
        {
            ["category"] = "detention",
            ["narrative"] = $"form {form}",
            ["urgency"] = "soon",
        })))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        var tipIds = new List<string>();
        foreach (var marker in new[] { script, longOne, form })
        {
            tipIds.Add((await host.WaitForTipAsync(marker)).RowKey);
        }

        await host.WaitUntilInboundIsEmptyAsync();
        var processingLines = host.Logs.Lines.ToList();
        var processingActivities = activities.ToList();

        // Triage: reads and changes, each answered with an ETag.
        var etags = new List<string>();
        foreach (var id in tipIds)
        {
            var (_, etag) = await triage.ReadTipAsync(id);
            etags.Add(etag);
            using var changed = await triage.ChangeAsync(id, "status", new { status = "in-review" }, etag);
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
            etags.Add(changed.Headers.ETag!.ToString());
            using var noted = await triage.ChangeAsync(id, "notes", new { text = "checked" }, changed.Headers.ETag!.ToString());
            Assert.Equal(HttpStatusCode.OK, noted.StatusCode);
            etags.Add(noted.Headers.ETag!.ToString());
        }

        // ETags: a count of changes, nothing more; they move on with every change.
        Assert.All(etags, etag => Assert.Matches("^\"[0-9]{1,19}\"$", etag));
        Assert.Equal(["\"0\"", "\"1\"", "\"2\""], etags.Take(3));
        Assert.All(etags, etag => Assert.Null(TimeIn(etag)));

        // Log lines written while tips arrived and were processed: none that is shipped (Information and above, the
        // production levels this host runs with) names a tip, since its timestamp would date the tip's arrival.
        Assert.Contains(processingLines, line => line.Contains("Tip stored in triage queue", StringComparison.Ordinal));
        foreach (var line in processingLines)
        {
            Assert.DoesNotContain(tipIds, id => line.Contains(id, StringComparison.Ordinal));
        }

        // Nor does any activity of arrival or processing (what a telemetry exporter would send, each with its own
        // start time): the claim-checked JWE's blob is named by a keyed hash, not by the tip id.
        Assert.NotEmpty(processingActivities);
        Assert.Contains(processingActivities, a => a.All.Contains("tips-inbound-jwe", StringComparison.Ordinal));
        foreach (var (all, _) in processingActivities)
        {
            Assert.DoesNotContain(tipIds, id => all.Contains(id, StringComparison.Ordinal));
        }

        // Nothing the app logs, and no activity's tags, at any time of the run, carry a time finer than the hour.
        // (An Azure Storage error's message names the storage service's clock when it refused a request — at start,
        // "queue does not exist" — which is that request's own time, like a line's timestamp, not a tip's.)
        foreach (var text in host.Logs.Lines.Where(l => l.Contains(" TipIntake.", StringComparison.Ordinal)).Concat(activities.Select(a => a.Tags)))
        {
            Assert.True(TimeIn(text) is null, $"A time finer than the hour in: {text}");
        }
    }

    /// <summary>
    /// A time finer than the hour in <paramref name="text"/>, or in what it decodes to (an opaque token in base64):
    /// an ISO 8601 time with minutes or seconds, Table Storage's <c>datetime'…'</c>, or its ETag's encoded form.
    /// </summary>
    private static string? TimeIn(string text)
    {
        foreach (var candidate in new[] { text }.Concat(Decoded(text)))
        {
            foreach (Match match in IsoTime().Matches(candidate))
            {
                if (match.Groups["rest"].Value.Trim(':', '0', '.', 'Z', ' ') is { Length: > 0 })
                {
                    return match.Value;
                }
            }

            if (candidate.Contains("datetime'", StringComparison.OrdinalIgnoreCase) || candidate.Contains("datetime%27", StringComparison.OrdinalIgnoreCase))
            {
                return "datetime'…'";
            }
        }

        return null;
    }

    private static IEnumerable<string> Decoded(string text)
    {
        foreach (Match token in Base64Token().Matches(text))
        {
            var value = token.Value.Replace('-', '+').Replace('_', '/');
            value += new string('=', (4 - (value.Length % 4)) % 4);
            var buffer = new byte[value.Length];
            if (Convert.TryFromBase64String(value, buffer, out var written))
            {
                yield return Encoding.UTF8.GetString(buffer, 0, written);
            }
        }
    }

    private static string Describe(Activity activity, bool withStatus)
    {
        var text = new StringBuilder($"{activity.Source.Name} {activity.OperationName} {activity.DisplayName} {(withStatus ? activity.StatusDescription : "")}");
        foreach (var (key, value) in activity.EnumerateTagObjects())
        {
            text.Append(' ').Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
        }

        foreach (var activityEvent in withStatus ? activity.Events : [])
        {
            text.Append(' ').Append(activityEvent.Name);
            foreach (var (key, value) in activityEvent.EnumerateTagObjects())
            {
                text.Append(' ').Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}[T ]\d{2}(?<rest>:\d{2}(:\d{2}(\.\d+)?)?)")]
    private static partial Regex IsoTime();

    [GeneratedRegex("[A-Za-z0-9+/_-]{16,}={0,2}")]
    private static partial Regex Base64Token();
}
