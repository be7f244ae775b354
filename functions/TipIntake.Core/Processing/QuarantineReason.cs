namespace TipIntake.Core.Processing;

public enum QuarantineReason
{
    /// <summary>The queue message is not a v1 envelope.</summary>
    EnvelopeInvalid,

    /// <summary>The envelope's JWE does not parse (it passed intake, so something changed it on the way).</summary>
    JweInvalid,

    /// <summary>The key version named by <c>kid</c> is unknown, disabled or deleted. Replay once it is enabled again.</summary>
    KeyUnavailable,

    /// <summary>The key refused to unwrap the content key: it was not wrapped with this key.</summary>
    UnwrapRejected,

    /// <summary>AES-GCM authentication failed: the ciphertext, IV, tag or header were altered, or the content key is wrong.</summary>
    TagMismatch,

    /// <summary>The plaintext is not a valid v1 tip.</summary>
    TipInvalid,

    /// <summary>Transient failures outlasted the queue's retries; the message came through the poison queue.</summary>
    RetriesExhausted,

    /// <summary>The envelope names a claim-checked JWE that is not there, and no tip with its id was stored.</summary>
    JweMissing,

    /// <summary>The plaintext of an answer (docs/follow-up.md, "Answering") is not a v1 answer.</summary>
    AnswerInvalid,

    /// <summary>An answer whose code and thread match no thread: purged, expired, or a forged lookup token. Kept, never dropped.</summary>
    AnswerUnmatched,

    /// <summary>
    /// An upload completed and named by no tip after <c>Attachments:OrphanAfter</c>; its blob is kept at
    /// <c>attachments/quarantine/&lt;upload&gt;</c> (docs/attachments.md, "Processing: binding, quarantine").
    /// </summary>
    AttachmentOrphan,

    /// <summary>An upload created and never completed after <c>Attachments:OrphanAfter</c>; its staged blocks expire by themselves.</summary>
    UploadAbandoned,

    /// <summary>A tip's file whose upload was not completed within <c>Attachments:AwaitAfter</c>, or whose blob is gone; the entry is kept.</summary>
    AttachmentMissing,

    /// <summary>A tip's file whose upload was completed with another digest or layout; the blob moved to the quarantine.</summary>
    AttachmentMismatch,

    /// <summary>A tip's <c>attachments</c> member over the report's count or size limit: none of its files is attached.</summary>
    AttachmentOverLimit,

    /// <summary>
    /// A tip's <c>attachments</c> member, or one of its entries, that the manifest reader refused for its shape (detail:
    /// the fault's code, e.g. <c>digest-invalid</c>); the tip itself is stored.
    /// </summary>
    AttachmentInvalid,
}
