namespace TipIntake.Core.FloodControl;

/// <summary>
/// What every instance knows of the flood now, kept current by <see cref="FloodCoordinator"/>: the floor (shared across
/// instances), and the main processing lane's backlog, from which the suggested effort follows. Read by intake (what
/// to ask of a stamp) and by the processor (what to process first). Thread-safe.
/// </summary>
public sealed class FloodState(Microsoft.Extensions.Options.IOptions<FloodControlOptions> options)
{
    private int _floor;
    private long _mainBacklog;

    /// <summary>The least effort a stamp must have to be accepted now.</summary>
    public int Floor => Volatile.Read(ref _floor);

    /// <summary>Messages waiting in the main lane when last counted.</summary>
    public long MainBacklog => Interlocked.Read(ref _mainBacklog);

    /// <summary>
    /// The effort that is processed ahead of the current backlog: the floor, or one bit more while the main lane holds
    /// more than <see cref="FloodControlOptions.BacklogThreshold"/> messages (the processor then moves what was paid
    /// less for to the bulk lane).
    /// </summary>
    public int SuggestedEffort => Floor + (MainBacklog > options.Value.BacklogThreshold ? 1 : 0);

    public void SetFloor(int floor) => Volatile.Write(ref _floor, Math.Clamp(floor, 0, options.Value.MaxFloor));

    public void SetMainBacklog(long messages) => Interlocked.Exchange(ref _mainBacklog, Math.Max(0, messages));
}
