using System.Net;

namespace TipIntake.Benchmarks.Flood;

/// <summary>
/// The no-script flooder: <c>W</c> dedicated threads posting valid reports to <c>POST /submit</c> as fast as they are
/// answered. A page (and its ticket) is fetched once and posted again and again until a report is accepted, since a
/// refused post does not spend its ticket; then a fresh page is fetched.
/// </summary>
public sealed class FormAttacker(Uri origin, int workers) : Attacker(origin, workers, "form-attacker")
{
    protected override void Run(int seed)
    {
        var n = seed * 1_000_000;
        string? page = null;
        while (!Stopping.IsCancellationRequested)
        {
            try
            {
                page ??= FloodClients.GetText(Http, "/?lang=en", Stopping.Token);
                using var form = FormPages.Report(page, "forced-repatriation", "imminent", $"Flood report {n++}. Three people were taken to the detention centre.");
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("submit", UriKind.Relative)) { Content = form };
                CountRequest();
                using var response = Http.Send(request, Stopping.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    CountAccepted();
                    page = null;
                }
                else if (response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    page = null;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                page = null;
            }
        }
    }
}
