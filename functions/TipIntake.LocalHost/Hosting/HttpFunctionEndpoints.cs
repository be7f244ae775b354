using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;

namespace TipIntake.LocalHost.Hosting;

/// <summary>
/// Maps every <c>[Function]</c> method with an <c>[HttpTrigger]</c> in the Functions assembly to an endpoint with the
/// same route (under host.json's routePrefix) and methods, and invokes it as the worker would: a fresh instance from
/// DI per request, then the returned <see cref="IActionResult"/> executed against the response.
/// </summary>
internal static class HttpFunctionEndpoints
{
    public static void MapHttpFunctions(this WebApplication app, Assembly functions, string routePrefix, FunctionCatalog catalog)
    {
        foreach (var (type, method, name) in FunctionClasses.FunctionMethods(functions))
        {
            var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null);
            if (trigger is null)
            {
                continue;
            }

            var route = "/" + string.Join('/', new[] { routePrefix, trigger.Route ?? name }.Where(s => s.Length > 0));
            var binders = method.GetParameters().Select(p => BinderFor(p, name)).ToArray();
            var handler = (RequestDelegate)(context => InvokeAsync(context, type, method, binders));
            var methods = trigger.Methods?.Select(m => m.ToUpperInvariant()).ToArray();
            _ = methods is null ? app.Map(route, handler) : app.MapMethods(route, methods, handler);
            catalog.Add(new ServedFunction(name, "httpTrigger", trigger.Route, trigger.Methods, trigger.AuthLevel.ToString()));
        }
    }

    private static async Task InvokeAsync(HttpContext context, Type type, MethodInfo method, Func<HttpContext, object?>[] binders)
    {
        var instance = context.RequestServices.GetRequiredService(type);
        var arguments = binders.Select(bind => bind(context)).ToArray();
        var returned = method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
        if (returned is Task task)
        {
            await task;
            returned = task.GetType().GetProperty(nameof(Task<object>.Result))?.GetValue(task);
        }

        if (returned is not IActionResult result)
        {
            throw new InvalidOperationException($"{type.Name}.{method.Name} returned {returned?.GetType().Name ?? "null"}, not an IActionResult.");
        }

        await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }

    /// <summary>The parameter kinds the functions use; anything else fails at start-up, not at the first request.</summary>
    private static Func<HttpContext, object?> BinderFor(ParameterInfo parameter, string function) => parameter.ParameterType switch
    {
        var t when t == typeof(HttpRequest) => context => context.Request,
        var t when t == typeof(CancellationToken) => context => context.RequestAborted,
        var t when t == typeof(string) => context => context.Request.RouteValues[parameter.Name!]?.ToString(),
        _ => throw new NotSupportedException(
            $"The local host cannot bind parameter '{parameter.Name}' of type {parameter.ParameterType.Name} in function {function}."),
    };
}
