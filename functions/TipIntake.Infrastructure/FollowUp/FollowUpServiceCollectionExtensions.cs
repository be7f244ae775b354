using TipIntake.Core.FollowUp;

namespace TipIntake.Infrastructure.FollowUp;

/// <summary>Anonymous follow-up (docs/follow-up.md): enrolment with the tip, the lookup, and the reporter's answers.</summary>
public static class FollowUpServiceCollectionExtensions
{
    public static IServiceCollection AddFollowUp(this IServiceCollection services)
    {
        services.AddValidatedOptions<FollowUpOptions, FollowUpOptionsValidator>(FollowUpOptions.SectionName);
        services.TryAddSingleton<FollowUpSecrets>();
        services.TryAddSingletonServing<TableFollowUpStore>(typeof(IFollowUpStore), typeof(IFollowUpExpiryStore));
        services.TryAddSingletonServing<TableThreadMessages>(typeof(IThreadMessages), typeof(IAnswerStore), typeof(IThreadStore));
        services.TryAddSingleton<ReporterAnswers>();
        services.TryAddSingleton<StaffThreads>();
        services.TryAddSingleton<FollowUpEnrolments>();
        services.TryAddSingleton<FormEnrolments>();
        services.TryAddSingleton<FollowUpLookup>();
        services.TryAddSingleton<LookupGate>();
        services.TryAddSingleton<FormFollowUpGate>();
        services.TryAddSingleton<FollowUpSessions>();
        services.TryAddSingleton<FormFollowUp>();
        services.TryAddSingleton<FormAnswers>();
        services.TryAddSingleton<FollowUpExpiry>();
        return services;
    }
}
