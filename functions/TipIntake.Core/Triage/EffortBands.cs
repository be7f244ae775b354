namespace TipIntake.Core.Triage;

/// <summary>
/// The coarse effort a stored tip keeps (column <c>EffortBand</c>, triage's <c>effortBand</c>): the stamp's effort in
/// bands of four bits (0: 0–3 bits, 4: 16–19 …), absent on the no-script path. Triage sees which tips came in while a
/// flood raised the floor, to dismiss its spam in bulk; the exact effort (with the floor's history in the logs) would
/// narrow a tip's arrival within its hour.
/// </summary>
public static class EffortBands
{
    public const int BitsPerBand = 4;

    public static int? Of(int? effort) => effort is { } bits ? Math.Clamp(bits, 0, 256) / BitsPerBand : null;
}
