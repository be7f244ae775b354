namespace TipIntake.Core.Attachments;

/// <summary>
/// The count of open uploads that <c>Attachments:MaxOpenUploads</c> bounds (docs/attachments.md, "Open uploads"), shared
/// by every instance: one counter per day on which slots were taken. A create takes a slot on its day; deleting an
/// upload's row gives back the slot it holds (<see cref="IUploadStore.DeleteAsync"/>). Only days from a window's start
/// are counted, so a slot whose release was lost (a crash between a row's deletion and its release, or between a
/// take and the row's write) stops counting once its day leaves the window, about <c>OrphanAfter</c> later.
/// </summary>
public interface IOpenUploadLedger
{
    /// <summary>
    /// Takes one slot on <paramref name="day"/> unless <paramref name="max"/> are held on the days from
    /// <paramref name="countFrom"/> to <paramref name="day"/>; false when they are.
    /// </summary>
    /// <exception cref="Intake.StorageUnavailableException">The ledger could not be reached.</exception>
    Task<bool> TryTakeAsync(DateOnly day, DateOnly countFrom, int max, CancellationToken cancellationToken);

    /// <summary>Gives back one slot taken on <paramref name="day"/>; nothing once that day's counter is gone.</summary>
    /// <exception cref="Intake.StorageUnavailableException">The ledger could not be reached.</exception>
    Task ReleaseAsync(DateOnly day, CancellationToken cancellationToken);
}
