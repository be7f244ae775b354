using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using TipIntake.Core.Intake;
using TipIntake.Core.Staff;

namespace TipIntake.Functions.Http;

/// <summary>What a triage function needs of the caller.</summary>
public enum StaffAccess
{
    Read,
    Edit,
}

/// <summary>
/// The one gate every triage function passes: the bearer token checked by <see cref="IStaffAuthenticator"/> (401 with
/// <c>WWW-Authenticate: Bearer</c> when rejected), the role checked (403), then the function's work, with storage
/// outages answered 503. The token is handed on and never read, kept or logged here.
/// </summary>
public static class StaffGate
{
    public static async Task<IActionResult> RunAsync(
        IStaffAuthenticator authenticator,
        HttpRequest request,
        StaffAccess access,
        Func<StaffMember, Task<IActionResult>> work,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(work);
        var authentication = await authenticator.AuthenticateAsync(
            BearerHeader.TokenOf(request.Headers.Authorization), cancellationToken).ConfigureAwait(false);
        if (authentication is not StaffAuthentication.Authenticated { Member: var member })
        {
            return TriageProblems.Unauthenticated();
        }

        var allowed = access == StaffAccess.Edit ? member.CanEdit : member.CanRead;
        if (!allowed)
        {
            return TriageProblems.Forbidden(access == StaffAccess.Edit);
        }

        try
        {
            return await work(member).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            return TriageProblems.Unavailable();
        }
    }
}
