using System.Reflection.Emit;
using Microsoft.Azure.WebJobs.Extensions.Timers;
using Newtonsoft.Json.Linq;

// IJobHostMetadataProvider is marked "not ready for public consumption", yet it is how the Functions host itself
// turns binding JSON into extension attributes (GeneralScriptBindingProvider); WebJobs 3.0.48 has no other way.
#pragma warning disable CS0618

namespace TipIntake.LocalHost.Triggers;

/// <summary>
/// The worker's non-HTTP functions as WebJobs functions, made from the worker's metadata the way the Functions host
/// makes them (its <c>FunctionGenerator</c> and <c>WorkerFunctionDescriptorProvider</c>): the trigger binding's JSON
/// becomes the extension's own attribute through <see cref="IJobHostMetadataProvider"/> (<c>queueTrigger</c> →
/// <c>QueueTriggerAttribute</c> with every property the JSON sets; timers as the host's core binding makes them), and a class is emitted with one <c>[FunctionName]</c> method per function whose only work is to hand the
/// trigger's value to <see cref="WorkerTriggerInvoker"/>. WebJobs then indexes that class as any other, with its
/// listeners, retries, poison queue, leases and <c>AzureWebJobs.{name}.Disabled</c>. A new function in the app needs
/// nothing here.
/// </summary>
internal static class WorkerTriggerFunctions
{
    public static Type Emit(IEnumerable<WorkerFunction> functions, IJobHostMetadataProvider extensions)
    {
        var name = new AssemblyName("TipIntake.LocalHost.WorkerFunctions");
        var module = AssemblyBuilder.DefineDynamicAssembly(name, AssemblyBuilderAccess.Run).DefineDynamicModule(name.Name!);
        var type = module.DefineType("WorkerFunctions", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);
        var invoker = type.DefineField("_invoker", typeof(WorkerTriggerInvoker), FieldAttributes.Private | FieldAttributes.InitOnly);

        // public WorkerFunctions(WorkerTriggerInvoker invoker): WebJobs' activator takes it from the local host's services.
        var constructor = type.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, [typeof(WorkerTriggerInvoker)]);
        constructor.DefineParameter(1, ParameterAttributes.None, "invoker");
        var il = constructor.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Call, typeof(object).GetConstructor(Type.EmptyTypes)!);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, invoker);
        il.Emit(OpCodes.Ret);

        var invoke = typeof(WorkerTriggerInvoker).GetMethod(nameof(WorkerTriggerInvoker.InvokeAsync))!;
        foreach (var function in functions.Where(f => !f.IsHttp))
        {
            var (attribute, parameterType) = TriggerOf(function, extensions);

            // public Task {Name}([Trigger(...)] T {triggerName}, CancellationToken cancellationToken)
            //     => _invoker.InvokeAsync("{Name}", {triggerName}, cancellationToken);
            var method = type.DefineMethod(function.Name, MethodAttributes.Public, typeof(Task), [parameterType, typeof(CancellationToken)]);
            method.SetCustomAttribute(new CustomAttributeBuilder(typeof(FunctionNameAttribute).GetConstructor([typeof(string)])!, [function.Name]));
            method.DefineParameter(1, ParameterAttributes.None, function.TriggerName).SetCustomAttribute(AttributeBuilder.For(attribute));
            method.DefineParameter(2, ParameterAttributes.None, "cancellationToken");
            il = method.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldfld, invoker);
            il.Emit(OpCodes.Ldstr, function.Name);
            il.Emit(OpCodes.Ldarg_1);
            if (parameterType.IsValueType)
            {
                il.Emit(OpCodes.Box, parameterType);
            }

            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Callvirt, invoke);
            il.Emit(OpCodes.Ret);
        }

        return type.CreateType();
    }

    /// <summary>
    /// The trigger's attribute, and the type its parameter binds to. A timer is made as the Functions host's own core
    /// binding makes it (<c>CoreExtensionsScriptBindingProvider</c>: <c>schedule</c>, <c>runOnStartup</c>,
    /// <c>useMonitor</c> defaulting to true; <see cref="TimerInfo"/>). Any other trigger goes through the extension's
    /// metadata, binding to <see cref="ParameterBindingData"/> when the worker binds the value itself
    /// (<c>supportsDeferredBinding</c>, e.g. a <c>QueueMessage</c>, which the Functions host sends as <c>ModelBindingData</c>).
    /// </summary>
    private static (Attribute Attribute, Type ParameterType) TriggerOf(WorkerFunction function, IJobHostMetadataProvider extensions)
    {
        var trigger = function.Trigger;
        if (function.TriggerType.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase))
        {
            var timer = new TimerTriggerAttribute((string?)trigger["schedule"] ?? throw new InvalidOperationException($"Timer function {function.Name} has no schedule."))
            {
                RunOnStartup = (bool?)trigger["runOnStartup"] ?? false,
                UseMonitor = (bool?)trigger["useMonitor"] ?? true,
            };
            return (timer, typeof(TimerInfo));
        }

        var attributeType = extensions.GetAttributeTypeFromName(function.TriggerType)
            ?? throw new NotSupportedException($"Function {function.Name}: no WebJobs extension handles '{function.TriggerType}' in the local host.");
        var attribute = extensions.GetAttribute(attributeType, JObject.Parse(trigger.ToJsonString()));
        var deferred = bool.TryParse((string?)trigger["properties"]?["supportsDeferredBinding"], out var supports) && supports;
        return (attribute, deferred ? typeof(ParameterBindingData) : extensions.GetDefaultType(attribute, FileAccess.Read, typeof(object)));
    }
}
