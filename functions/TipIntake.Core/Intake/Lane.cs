namespace TipIntake.Core.Intake;

/// <summary>
/// The processing lanes (docs/flood-control.md, "Lanes"): accepted work waits in one of two queues. The main lane
/// (<c>tips-inbound</c>) holds what was paid at least the suggested effort, and the no-script lane's reports; the bulk
/// lane (<c>tips-inbound-bulk</c>) what was paid less. Bulk is processed only while main is (nearly) empty and the Key
/// Vault budget has room: it waits, it is never dropped.
/// </summary>
public enum Lane
{
    Main,
    Bulk,
}
