using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace TipIntake.Functions.Http;

/// <summary>
/// The method behind a function of this app, found once per function from its entry point
/// (<c>Namespace.Class.Method</c>), so that middleware can read what the method declares.
/// </summary>
internal static class FunctionMethods
{
    private static readonly ConcurrentDictionary<string, MethodInfo?> Methods = new();

    public static T? Declared<T>(FunctionContext context)
        where T : Attribute =>
        Methods.GetOrAdd(context.FunctionId, static (_, entryPoint) => Find(entryPoint), context.FunctionDefinition.EntryPoint)
            ?.GetCustomAttribute<T>();

    private static MethodInfo? Find(string entryPoint)
    {
        var dot = entryPoint.LastIndexOf('.');
        return dot < 0 ? null : typeof(FunctionMethods).Assembly.GetType(entryPoint[..dot])
            ?.GetMethod(entryPoint[(dot + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static);
    }
}
