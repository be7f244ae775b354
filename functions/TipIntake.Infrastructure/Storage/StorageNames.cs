namespace TipIntake.Infrastructure.Storage;

/// <summary>The storage resources (docs/architecture.md). Queue names are also fixed in the queue functions' trigger attributes.</summary>
public static class StorageNames
{
    /// <summary>The main lane: work paid at least the suggested effort, and the no-script lane's reports.</summary>
    public const string InboundQueue = "tips-inbound";
    public const string PoisonQueue = InboundQueue + "-poison";

    /// <summary>The bulk lane: work paid less, processed while the main lane is (nearly) empty (docs/flood-control.md).</summary>
    public const string BulkQueue = "tips-inbound-bulk";
    public const string BulkPoisonQueue = BulkQueue + "-poison";

    /// <summary>Flood control's shared state: the floor, each instance's counts, spent nonces, shared token buckets.</summary>
    public const string FloodControlTable = "FloodControl";
    public const string TipsTable = "Tips";
    public const string QuarantineTable = "Quarantine";

    /// <summary>Blob container of JWEs too large for one queue message (the claim-check), named by tip id.</summary>
    public const string ClaimCheckContainer = "tips-inbound-jwe";

    /// <summary>
    /// Table backups (<c>TableBackup</c>): snapshots of Tips, TipNotes, TipEvents and Quarantine. In Azure the container
    /// has a time-based immutability policy, so a snapshot can be neither changed nor deleted while it is retained.
    /// </summary>
    public const string BackupContainer = "tips-backup";

    /// <summary>Staff notes on tips, append-only: PartitionKey tip id, RowKey a time-ordered note id.</summary>
    public const string NotesTable = "TipNotes";

    /// <summary>The triage audit trail, append-only: PartitionKey tip id, RowKey a time-ordered event id.</summary>
    public const string EventsTable = "TipEvents";

    /// <summary>The triage index: ordered sets (views, filters, search terms, related-report keys), tip locators and the counts' tally.</summary>
    public const string IndexTable = "TipIndex";

    /// <summary>Related reports: each tip's related list and each pair's decision.</summary>
    public const string RelationsTable = "TipRelations";

    /// <summary>Follow-up threads: PartitionKey the tip id; the reporter's answers and the organisation's messages (docs/follow-up.md, "Storage").</summary>
    public const string MessagesTable = "TipMessages";

    /// <summary>Follow-up enrolments: PartitionKey the lookup hash <c>H</c>, RowKey the tip id (docs/follow-up.md, "Storage").</summary>
    public const string FollowUpKeysTable = "FollowUpKeys";

    /// <summary>Resumable uploads not yet attached: PartitionKey the upload id, RowKey <c>upload</c> (docs/attachments.md, "Storage").</summary>
    public const string UploadsTable = "Uploads";

    /// <summary>Blob container of uploads not yet attached: one block blob per upload id, a block per chunk.</summary>
    public const string AttachmentsStagingContainer = "attachments-staging";

    /// <summary>A tip's files: PartitionKey the tip id, RowKey the number as two digits (docs/attachments.md, "Storage").</summary>
    public const string AttachmentsTable = "Attachments";

    /// <summary>Blob container of attached files (<c>&lt;tip id&gt;/&lt;n&gt;</c>) and quarantined uploads (<c>quarantine/&lt;upload id&gt;</c>).</summary>
    public const string AttachmentsContainer = "attachments";

    /// <summary>The connection the Functions host and the queue triggers use; the same name holds either a connection string or identity-based settings.</summary>
    public const string Connection = "AzureWebJobsStorage";
}
