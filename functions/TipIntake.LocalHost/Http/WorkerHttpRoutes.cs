using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing.Patterns;

namespace TipIntake.LocalHost.Http;

/// <summary>
/// The worker's HTTP functions as endpoints of the local host, built from the worker's own metadata exactly as the
/// worker's ASP.NET Core integration builds its endpoints (<c>FunctionsEndpointDataSource</c>): the pattern
/// <c>{routePrefix}/{route ?? name}</c> from host.json's <c>extensions.http.routePrefix</c>, the trigger's methods as
/// <see cref="HttpMethodMetadata"/> (none: any method), order 0, so ASP.NET Core's precedence picks the same function
/// here as there. That matters: the function the host names in its invocation is the one that runs, and a path the
/// worker has no endpoint for would leave the request waiting. Functions disabled with
/// <c>AzureWebJobs.{name}.Disabled</c> are not routed, as in the Functions host.
/// </summary>
internal static class WorkerHttpRoutes
{
    public static IReadOnlyList<ServedFunction> MapWorkerHttpFunctions(
        this WebApplication app, IEnumerable<WorkerFunction> functions, string routePrefix)
    {
        var served = new List<ServedFunction>();
        var forwarder = app.Services.GetRequiredService<WorkerRequestForwarder>();
        foreach (var function in functions.Where(f => f.IsHttp && !IsDisabled(app.Configuration, f.Name)))
        {
            var route = (string?)function.Trigger["route"] ?? function.Name;
            var methods = (function.Trigger["methods"] as JsonArray)?.Select(m => (string)m!).ToArray() ?? [];
            app.Map(RoutePatternFactory.Parse($"{routePrefix}/{route}"), context => forwarder.ForwardAsync(context, function))
                .WithMetadata(new HttpMethodMetadata(methods))
                .WithDisplayName(function.Name);
            served.Add(new ServedFunction(function.Name, function.TriggerType, route, methods));
        }

        return served;
    }

    public static bool IsDisabled(IConfiguration configuration, string function) =>
        bool.TryParse(configuration[$"AzureWebJobs.{function}.Disabled"], out var disabled) && disabled;
}

/// <summary>A function the local host serves: an HTTP route, or a WebJobs listener (queue, timer).</summary>
public sealed record ServedFunction(string Name, string TriggerType, string? Route = null, IReadOnlyList<string>? Methods = null);
