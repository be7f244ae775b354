using System.Collections.Frozen;

namespace TipIntake.Core;

/// <summary>
/// The published code of an enum value — in problem types, quarantine rows and logs — by one rule for every enum:
/// System.Text.Json's kebab-case naming policy, or the member's <see cref="JsonStringEnumMemberNameAttribute"/> where a
/// code was published before the member got its name. Computed once per value.
/// </summary>
public static class Codes
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };

    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        Table<TEnum>.ByValue.TryGetValue(value, out var code)
            ? code
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a named {typeof(TEnum).Name}.");

    private static class Table<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly FrozenDictionary<TEnum, string> ByValue = Enum.GetValues<TEnum>()
            .ToFrozenDictionary(value => value, value => JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(value, Options))!);
    }
}
