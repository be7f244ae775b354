using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Primitives;

namespace TipIntake.Functions.Http;

/// <summary>What a triage function needs of the caller.</summary>
public enum StaffAccess
{
    Read,
    Edit,
}

/// <summary>
/// Declares a function, or all of a class's, for signed-in staff with the role <see cref="Access"/> needs
/// (<see cref="StaffOnlyMiddleware"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class StaffOnlyAttribute(StaffAccess access) : Attribute
{
    public StaffAccess Access => access;
}

/// <summary>
/// The gate of every <see cref="StaffOnlyAttribute"/> function: the bearer token checked by
/// <see cref="IStaffAuthenticator"/> (401 with <c>WWW-Authenticate: Bearer</c> when rejected), the role checked (403),
/// then the function, with storage outages answered 503. The token is handed on and never read, kept or logged here.
/// </summary>
public sealed class StaffOnlyMiddleware(IStaffAuthenticator authenticator) : IFunctionsWorkerMiddleware
{
    public static bool Guards(FunctionContext context) => SecurityHeaders.Declared<StaffOnlyAttribute>(context) is not null;

    /// <summary>
    /// The token of one <c>Authorization: Bearer &lt;token&gt;</c> header (scheme case-insensitive, RFC 6750 §2.1), or
    /// null. What the token is worth is the authenticator's to say.
    /// </summary>
    public static string? BearerToken(StringValues authorization) =>
        authorization.Count == 1 && authorization[0]?.Trim() is { Length: > 7 } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? value[7..].TrimStart(' ')
            : null;

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var http = context.GetHttpContext() ?? throw new InvalidOperationException("A staff-only function is an HTTP function.");
        var edit = SecurityHeaders.Declared<StaffOnlyAttribute>(context)!.Access == StaffAccess.Edit;
        var authentication = await authenticator.AuthenticateAsync(BearerToken(http.Request.Headers.Authorization), context.CancellationToken);
        if (authentication is not StaffAuthentication.Authenticated { Member: var member } || !(edit ? member.CanEdit : member.CanRead))
        {
            context.GetInvocationResult().Value = authentication is StaffAuthentication.Authenticated ? Problems.Forbidden(edit) : Problems.Unauthenticated(http.Response);
            return;
        }

        http.Items[typeof(StaffMember)] = member;
        try
        {
            await next(context);
        }
        catch (StorageUnavailableException)
        {
            context.GetInvocationResult().Value = Problems.TriageUnavailable(http.Response);
        }
    }
}

public static class StaffRequests
{
    /// <summary>The staff member <see cref="StaffOnlyMiddleware"/> let through to this request's function.</summary>
    public static StaffMember StaffMember(this HttpRequest request) =>
        request?.HttpContext.Items[typeof(StaffMember)] as StaffMember ?? throw new InvalidOperationException("Only a [StaffOnly] function has a staff member.");
}
