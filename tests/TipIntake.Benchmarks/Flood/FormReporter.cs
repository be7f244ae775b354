using System.Diagnostics;
using System.Net;

namespace TipIntake.Benchmarks.Flood;

/// <summary>
/// The no-script reporter: a browser without JavaScript, as plain requests — load the form, post it; when the answer
/// is "too many reports" (429), wait as long as its Retry-After says and post the page it came back with again, until
/// accepted or the deadline.
/// </summary>
public static class FormReporter
{
    public static async Task<List<ReportResult>> RunAsync(
        Uri origin, IReadOnlyList<string> markers, TimeSpan interval, TimeSpan deadline, DateTimeOffset firstAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(markers);
        using var http = FloodClients.Create(origin, 8);
        var reports = markers.Select(async (marker, index) =>
        {
            var delay = firstAt + (interval * index) - DateTimeOffset.UtcNow;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken);
            }

            return await ReportAsync(http, index, marker, deadline, cancellationToken);
        }).ToList();
        return [.. await Task.WhenAll(reports)];
    }

    private static async Task<ReportResult> ReportAsync(HttpClient http, int index, string marker, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var attempts = 0;
        var outcome = "deadline";
        try
        {
            var page = await http.GetStringAsync(new Uri("/?lang=en", UriKind.Relative), cancellationToken);
            while (clock.Elapsed < deadline)
            {
                attempts++;
                using var form = FormPages.Report(page, "trafficking", "soon", $"No-script reporter {marker}. A woman from Musan was sold into a marriage.");
                using var response = await http.PostAsync(new Uri("submit", UriKind.Relative), form, cancellationToken);
                page = await response.Content.ReadAsStringAsync(cancellationToken);
                outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (response.StatusCode != HttpStatusCode.TooManyRequests && response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    break;
                }

                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                var left = deadline - clock.Elapsed;
                if (left <= wait)
                {
                    outcome = "deadline";
                    break;
                }

                await Task.Delay(wait, cancellationToken);
            }
        }
        catch (HttpRequestException)
        {
            outcome = "error";
        }

        var accepted = outcome == "200" && clock.Elapsed <= deadline;
        return new ReportResult(index, marker, startedAt, accepted, clock.Elapsed, accepted ? "200" : outcome, attempts, [], 0);
    }
}
