namespace TipIntake.Core.Tips;

/// <summary>
/// Source-generated, strict: camelCase names, unknown and duplicate members refused (so that two readers can never
/// disagree about what a tip says), numbers only as JSON numbers, shallow nesting.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    NumberHandling = JsonNumberHandling.Strict,
    AllowDuplicateProperties = false,
    MaxDepth = 4)]
[JsonSerializable(typeof(TipDocument))]
internal sealed partial class TipJsonContext : JsonSerializerContext;
