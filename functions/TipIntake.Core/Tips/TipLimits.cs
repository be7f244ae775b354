namespace TipIntake.Core.Tips;

/// <summary>The bounds of schema v1; the reporter's form enforces the same ones.</summary>
public static class TipLimits
{
    /// <summary>Counted in Unicode code points, so a Korean or Chinese narrative gets the same room as an English one.</summary>
    public const int NarrativeMaxCharacters = 20_000;
    public const int RegionMaxCharacters = 200;
    public const int PlaceMaxCharacters = 200;
    public const int ContactMaxCharacters = 500;
    public const int LanguageMaxLength = 35;
    public const int PeopleCountMax = 100_000;

    /// <summary>A plaintext larger than this cannot be a v1 tip, whatever its padding; refuse before parsing.</summary>
    public const int PlaintextMaxBytes = 256 * 1024;
}
