namespace TipIntake.Core.Attachments;

/// <summary>One file a tip names (docs/attachments.md, "Name the files in the tip"), as read from its JWE.</summary>
/// <param name="Upload">The upload id the file was sent under (22 base64url characters).</param>
/// <param name="Digest"><c>D</c> over the upload's ciphertext chunks (<see cref="UploadDigest"/>): what binds the file.</param>
/// <param name="KeyId">The intake key version that wraps the file's key (as a JWE header's <c>kid</c>).</param>
/// <param name="WrappedKey">The file's AES-256 key, RSA-OAEP-256-wrapped to that version (base64url).</param>
/// <param name="Size">The file's true size; the rest of its chunks is padding.</param>
/// <param name="Sha256">The plaintext's SHA-256, computed in the reporter's browser, for evidence handling.</param>
/// <param name="Handling">One of <see cref="AttachmentManifestReader.Handlings"/>.</param>
/// <param name="Removed">What the browser's cleaning removed (codes of <see cref="AttachmentManifestReader.RemovedCodes"/>).</param>
public sealed record AttachmentEntry(
    string Upload,
    byte[] Digest,
    int Chunks,
    int ChunkBytes,
    string KeyId,
    string WrappedKey,
    long Size,
    byte[] Sha256,
    string Type,
    string Name,
    string Handling,
    IReadOnlyList<string> Removed);

/// <summary>Why a tip's <c>attachments</c> member, or one of its entries, was not taken.</summary>
public enum AttachmentManifestFault
{
    NotAnArray,
    TooManyFiles,
    TooManyBytes,
    NotAnObject,
    UnknownMember,
    MissingMember,
    UploadInvalid,
    DuplicateUpload,
    DigestInvalid,
    LayoutInvalid,
    KeyInvalid,
    SizeInvalid,
    Sha256Invalid,
    TypeNotAllowed,
    NameInvalid,
    HandlingInvalid,
    RemovedInvalid,
}

/// <summary>
/// The files a tip names, and what was wrong with those it could not take. A fault of the whole member
/// (<see cref="Fault"/>) takes no file; an entry's fault takes that entry only.
/// </summary>
public sealed record AttachmentManifestRead(
    IReadOnlyList<AttachmentEntry> Entries, IReadOnlyList<(int Number, AttachmentManifestFault Fault)> Rejected, AttachmentManifestFault? Fault)
{
    public static readonly AttachmentManifestRead Absent = new([], [], null);
}

/// <summary>Per report: at most this many files, and this many padded bytes in all (docs/attachments.md, "Configuration").</summary>
public sealed record AttachmentLimits(int MaxFilesPerTip = 10, long MaxBytesPerTip = 128L * 1024 * 1024, long MaxFileBytes = 64L * 1024 * 1024);
