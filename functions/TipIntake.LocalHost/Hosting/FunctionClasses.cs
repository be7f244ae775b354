using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace TipIntake.LocalHost.Hosting;

/// <summary>Finds the Functions app's function classes, which the local host registers in DI as the worker does.</summary>
internal static class FunctionClasses
{
    public static Assembly Assembly => typeof(Functions.Functions.SubmitTip).Assembly;

    public static IEnumerable<(Type Type, MethodInfo Method, string Name)> FunctionMethods(Assembly assembly) =>
        from type in assembly.GetExportedTypes()
        where type is { IsClass: true, IsAbstract: false }
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
        let attribute = method.GetCustomAttribute<FunctionAttribute>()
        where attribute is not null
        select (type, method, attribute.Name);

    /// <summary>One instance per invocation, resolved from a scope, like the isolated worker's default activation.</summary>
    public static IServiceCollection AddFunctionClasses(this IServiceCollection services, Assembly assembly)
    {
        foreach (var type in FunctionMethods(assembly).Select(f => f.Type).Distinct())
        {
            services.AddScoped(type);
        }

        return services;
    }
}
