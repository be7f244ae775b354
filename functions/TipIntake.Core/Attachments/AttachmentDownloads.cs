using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Core.Staff;
using TipIntake.Core.Triage;

namespace TipIntake.Core.Attachments;

/// <summary>What came of asking for a tip's file; only <see cref="Ready"/> has anything to send.</summary>
public abstract record DownloadOpening
{
    private DownloadOpening()
    {
    }

    /// <summary>No such tip (or one being purged): nothing recorded, nothing read.</summary>
    public sealed record NoTip : DownloadOpening;

    /// <summary>The tip names no file with this number.</summary>
    public sealed record NoAttachment : DownloadOpening;

    /// <summary>The tip names it, but it is not attached (awaited, missing, mismatch, over limit): there is nothing to serve.</summary>
    public sealed record NotAttached(AttachmentState State) : DownloadOpening;

    /// <summary>The intake key version that wraps the file's key is disabled or deleted.</summary>
    public sealed record KeyUnavailable : DownloadOpening;

    /// <summary>The key service or storage could not be reached: try again (the attempt stays recorded).</summary>
    public sealed record Unavailable : DownloadOpening;

    /// <summary>Found faulty before a byte of it was sent (its key refused, its blob absent): recorded and logged.</summary>
    public sealed record IntegrityFailed(AttachmentIntegrityFault Fault) : DownloadOpening;

    public sealed record Ready(AttachmentDownload Download) : DownloadOpening;
}

/// <summary>
/// Staff downloads of a tip's files (docs/attachments.md, "Download (triage)"): the request is recorded
/// (<c>attachment-downloaded</c>) before anything of the file is read, and nothing is served if it cannot be; then
/// the row, the file's key unwrapped with its own key version (the only unwrap of a file key anywhere), and the
/// ciphertext opened. Streaming it out is <see cref="AttachmentDownload.WriteAsync"/>. Callers have authenticated and
/// role-checked the staff member.
/// </summary>
public sealed class AttachmentDownloads(
    ITriageStore triage, ITipAttachmentStore attachments, IIntakeKey intakeKey, TimeProvider time, ILogger<AttachmentDownloads> logger)
{
    /// <summary>Table <c>Attachments</c> numbers a tip's files with two digits.</summary>
    public const int MaxNumber = 99;

    /// <summary>A file's number as a route gives it: a decimal from 1 without sign or leading zeros, at most <see cref="MaxNumber"/>.</summary>
    public static int? NumberOf(string? text) =>
        text is { Length: 1 or 2 } && text[0] is >= '1' and <= '9' && (text.Length == 1 || char.IsAsciiDigit(text[1]))
            ? int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)
            : null;

    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached, or the request could not be recorded (then nothing was read).</exception>
    public async Task<DownloadOpening> OpenAsync(string tipId, int number, StaffMember staff, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staff);
        if (!TriageIds.IsTipId(tipId) || number is < 1 or > MaxNumber
            || await triage.GetAsync(tipId, cancellationToken).ConfigureAwait(false) is not { } tip || tip.PendingIndex?.Kind == PendingIndexKinds.Purge)
        {
            return new DownloadOpening.NoTip();
        }

        try
        {
            // Before anything of the file is read: a download that cannot be recorded serves nothing.
            await RecordAsync(tipId, number, staff, TipEventAction.AttachmentDownloaded, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.DownloadNotRecorded(logger, staff.ObjectId, ex.GetType().Name);
            throw;
        }

        var attachment = await attachments.GetAsync(tipId, number, cancellationToken).ConfigureAwait(false);
        if (attachment is null)
        {
            return new DownloadOpening.NoAttachment();
        }

        if (attachment.State != AttachmentState.Attached)
        {
            return new DownloadOpening.NotAttached(attachment.State);
        }

        var key = await UnwrapAsync(attachment, staff, cancellationToken).ConfigureAwait(false);
        if (key is not DownloadOpening.Ready { Download: var download })
        {
            return key;
        }

        try
        {
            if (await attachments.OpenCiphertextAsync(tipId, number, attachment.Entry.ChunkBytes, cancellationToken).ConfigureAwait(false) is not { } ciphertext)
            {
                await download.DisposeAsync().ConfigureAwait(false);
                return await FailedAsync(attachment, staff, AttachmentIntegrityFault.Absent, cancellationToken).ConfigureAwait(false);
            }

            download.Ciphertext = ciphertext;
            return key;
        }
        catch
        {
            await download.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The file's key, as a download not yet opened, or why there is none.</summary>
    private async Task<DownloadOpening> UnwrapAsync(TipAttachment attachment, StaffMember staff, CancellationToken cancellationToken)
    {
        if (!JoseBase64.TryDecode(attachment.Entry.WrappedKey, out var wrapped))
        {
            return await FailedAsync(attachment, staff, AttachmentIntegrityFault.Key, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var key = await intakeKey.UnwrapAsync(attachment.Entry.KeyId, wrapped, cancellationToken).ConfigureAwait(false);
            return new DownloadOpening.Ready(new AttachmentDownload(this, attachment, staff, key));
        }
        catch (IntakeKeyException ex)
        {
            Log.DownloadKeyFailed(logger, Codes.Of(ex.Failure), staff.ObjectId);
            return ex.Failure switch
            {
                IntakeKeyFailure.KeyUnavailable => new DownloadOpening.KeyUnavailable(),
                IntakeKeyFailure.Rejected => await FailedAsync(attachment, staff, AttachmentIntegrityFault.Key, cancellationToken).ConfigureAwait(false),
                _ => new DownloadOpening.Unavailable(),
            };
        }
    }

    private async Task<DownloadOpening> FailedAsync(TipAttachment attachment, StaffMember staff, AttachmentIntegrityFault fault, CancellationToken cancellationToken)
    {
        await RecordFaultAsync(attachment, staff, fault, cancellationToken).ConfigureAwait(false);
        return new DownloadOpening.IntegrityFailed(fault);
    }

    /// <summary>
    /// Logs an error (the fault, the number and the staff member; never the tip's upload id or a key) and records
    /// <c>attachment-integrity-failed</c> on the tip, as well as storage allows: the download fails either way.
    /// </summary>
    internal async Task RecordFaultAsync(TipAttachment attachment, StaffMember staff, AttachmentIntegrityFault fault, CancellationToken cancellationToken)
    {
        Log.DownloadIntegrityFailed(logger, Codes.Of(fault), attachment.Number, staff.ObjectId);
        try
        {
            await RecordAsync(attachment.TipId, attachment.Number, staff, TipEventAction.AttachmentIntegrityFailed, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.IntegrityFailureNotRecorded(logger, attachment.Number, staff.ObjectId, ex.GetType().Name);
        }
    }

    internal void LogReadFailed(TipAttachment attachment, StaffMember staff, Exception ex) =>
        Log.DownloadReadFailed(logger, attachment.Number, staff.ObjectId, ex.GetType().Name);

    private Task RecordAsync(string tipId, int number, StaffMember staff, TipEventAction action, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        return triage.AddEventAsync(
            new TipEvent(tipId, TriageIds.NewTimeOrdered(at), at, staff.ObjectId, Codes.Of(action), null, number.ToString(CultureInfo.InvariantCulture)),
            cancellationToken);
    }
}

/// <summary>How a download ended once it was opened.</summary>
public enum DownloadEnd
{
    /// <summary>Every byte sent, and every check passed.</summary>
    Complete,

    /// <summary>The file is not what its tip names; recorded and logged. Whatever was sent must not pass for the file.</summary>
    IntegrityFailed,

    /// <summary>The ciphertext could not be read to its end (storage failed meanwhile); logged.</summary>
    Unreadable,
}

/// <summary>
/// One opened download: what to say of the file (<see cref="FileName"/>, <see cref="Size"/>, <see cref="Sha256"/>) and
/// its decryption into a stream. Holds the file's key until <see cref="WriteAsync"/> ends or it is disposed, then
/// zeroes it.
/// </summary>
public sealed class AttachmentDownload : IAsyncDisposable
{
    private readonly AttachmentDownloads _downloads;
    private readonly StaffMember _staff;
    private readonly byte[] _key;

    internal AttachmentDownload(AttachmentDownloads downloads, TipAttachment attachment, StaffMember staff, byte[] key)
    {
        _downloads = downloads;
        Attachment = attachment;
        _staff = staff;
        _key = key;
    }

    public TipAttachment Attachment { get; }

    /// <summary>The plaintext's size: the answer's Content-Length.</summary>
    public long Size => Attachment.Entry.Size;

    /// <summary>The plaintext's SHA-256 the reporter's browser computed, which decryption checks.</summary>
    public ReadOnlyMemory<byte> Sha256 => Attachment.Entry.Sha256;

    /// <summary>
    /// <c>tip-&lt;first 8 of the tip id&gt;-&lt;n&gt;.&lt;extension&gt;</c>: nothing the reporter chose but the
    /// type, and that only through the allow-list (<c>bin</c> for a type outside it).
    /// </summary>
    public string FileName => string.Create(CultureInfo.InvariantCulture,
        $"tip-{Attachment.TipId[..8]}-{Attachment.Number}.{AttachmentManifestReader.Types.GetValueOrDefault(Attachment.Entry.Type, "bin")}");

    internal Stream? Ciphertext { get; set; }

    /// <summary>
    /// Decrypts the file into <paramref name="destination"/>, checking everything on the way
    /// (<see cref="AttachmentDecryptor"/>); plaintext is written before the end is checked, so a caller that has started
    /// answering must abort, not end, its answer unless this is <see cref="DownloadEnd.Complete"/>. The key is zeroed
    /// when it returns.
    /// </summary>
    public async Task<DownloadEnd> WriteAsync(Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var ciphertext = Ciphertext ?? throw new InvalidOperationException("The download was not opened.");
        AttachmentIntegrityFault fault;
        try
        {
            fault = await AttachmentDecryptor.DecryptAsync(ciphertext, destination, Attachment.ToStored(), _key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The blob's reads (or the answer's writes) failed: the file was not sent whole, and nothing says it was faulty.
            _downloads.LogReadFailed(Attachment, _staff, ex);
            return DownloadEnd.Unreadable;
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
        }

        if (fault == AttachmentIntegrityFault.None)
        {
            return DownloadEnd.Complete;
        }

        await _downloads.RecordFaultAsync(Attachment, _staff, fault, cancellationToken).ConfigureAwait(false);
        return DownloadEnd.IntegrityFailed;
    }

    public async ValueTask DisposeAsync()
    {
        CryptographicOperations.ZeroMemory(_key);
        if (Ciphertext is { } ciphertext)
        {
            Ciphertext = null;
            await ciphertext.DisposeAsync().ConfigureAwait(false);
        }
    }
}
