using TipIntake.Core.Attachments;

namespace TipIntake.Infrastructure.Attachments;

/// <summary>Attachments (docs/attachments.md): the resumable upload routes' service, store and byte budget, the processor's binding of a tip's files and the sweep, and their downloads.</summary>
public static class AttachmentsServiceCollectionExtensions
{
    public static IServiceCollection AddAttachments(this IServiceCollection services)
    {
        services.AddValidatedOptions<AttachmentOptions, AttachmentOptionsValidator>(AttachmentOptions.SectionName);
        services.TryAddSingleton<IUploadStore, AzureUploadStore>();
        services.TryAddSingleton<IOpenUploadLedger, TableOpenUploadLedger>();
        services.TryAddSingleton<ITipAttachmentStore, AzureTipAttachmentStore>();
        services.TryAddSingleton<IAttachmentBlobs, AzureAttachmentBlobs>();

        // Binding records quarantined files in the tips' trails, through the one writer of TipEvents.
        services.TryAddSingleton<Core.Triage.IAuditTrail>(provider => provider.GetRequiredService<Core.Triage.ITriageStore>());
        services.TryAddSingleton<AttachmentBinder>();
        services.TryAddSingleton<AttachmentSweep>();
        services.TryAddSingleton<AttachmentRetention>();
        services.TryAddSingleton<UploadService>();
        services.TryAddSingleton<AttachmentDownloads>();
        services.TryAddSingleton<UploadGate>();
        services.TryAddSingleton<FormAttachmentWriter>();
        return services;
    }
}
