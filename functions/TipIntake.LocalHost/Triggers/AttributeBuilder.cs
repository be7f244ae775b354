using System.Reflection.Emit;

namespace TipIntake.LocalHost.Triggers;

/// <summary>
/// An attribute instance as a <see cref="CustomAttributeBuilder"/> for emitted code, as the Functions host's
/// <c>ExtensionBinding.GetAttributeBuilder</c> does it: the public constructor with the most parameters whose names
/// match properties that have a value, then every other settable property with its value.
/// </summary>
internal static class AttributeBuilder
{
    public static CustomAttributeBuilder For(Attribute attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        var type = attribute.GetType();
        var values = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.Name != nameof(Attribute.TypeId))
            .ToDictionary(p => p.Name, p => p.GetValue(attribute), StringComparer.OrdinalIgnoreCase);
        var constructor = type.GetConstructors()
            .Where(c => c.GetParameters().All(p => values.TryGetValue(p.Name!, out var value) && value is not null))
            .MaxBy(c => c.GetParameters().Length)
            ?? throw new NotSupportedException($"{type.Name} has no constructor its values can fill.");
        var parameters = constructor.GetParameters();
        var arguments = parameters.Select(p => values[p.Name!]).ToArray();
        var settable = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod?.IsPublic == true && Nullable.GetUnderlyingType(p.PropertyType) is null
                && !parameters.Any(c => string.Equals(c.Name, p.Name, StringComparison.OrdinalIgnoreCase))
                && values[p.Name] is not null && IsAttributeArgument(p.PropertyType))
            .ToArray();
        return new CustomAttributeBuilder(constructor, arguments, settable, settable.Select(p => values[p.Name]).ToArray());
    }

    private static bool IsAttributeArgument(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(Type)
        || (type.IsArray && IsAttributeArgument(type.GetElementType()!));
}
