namespace TipIntake.Core.Tips;

/// <summary>One thing wrong with a tip: the field (a JSON path of the schema, never reporter text) and why.</summary>
public sealed record TipError(string Field, string Code, string Message)
{
    public override string ToString() => $"{Field}: {Code}";
}
