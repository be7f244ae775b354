namespace TipIntake.Core.Keys;

/// <summary>Escapes a kid as a JSON string without reflection.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class KeyIdJsonContext : JsonSerializerContext;
