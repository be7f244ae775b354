using Azure.Core.Pipeline;

namespace TipIntake.Infrastructure.KeyVault;

/// <summary>
/// Key Vault's challenge-based authentication, as the official client does it: the first request to a vault goes out
/// without credentials or body; the 401's <c>WWW-Authenticate: Bearer authorization="…", resource="…"</c> names the
/// tenant and the resource; after checking that the resource belongs to the vault's domain, the request is sent again
/// with a token for that resource. The challenge is remembered per vault host, so later requests authenticate at once.
/// </summary>
internal sealed class KeyVaultChallengePolicy(TokenCredential credential, bool verifyChallengeResource)
    : BearerTokenAuthenticationPolicy(credential, Array.Empty<string>())
{
    private const string StashedContentProperty = "TipIntake.KeyVault.StashedContent";
    private readonly ConcurrentDictionary<string, TokenRequestContext> _challenges = new(StringComparer.OrdinalIgnoreCase);

    protected override ValueTask AuthorizeRequestAsync(HttpMessage message) => AuthorizeAsync(message, async: true);

    protected override void AuthorizeRequest(HttpMessage message) => AuthorizeAsync(message, async: false).AsTask().GetAwaiter().GetResult();

    protected override ValueTask<bool> AuthorizeRequestOnChallengeAsync(HttpMessage message) => OnChallengeAsync(message, async: true);

    protected override bool AuthorizeRequestOnChallenge(HttpMessage message) => OnChallengeAsync(message, async: false).AsTask().GetAwaiter().GetResult();

    private async ValueTask AuthorizeAsync(HttpMessage message, bool async)
    {
        if (_challenges.TryGetValue(message.Request.Uri.Host ?? "", out var context))
        {
            await AuthenticateAsync(message, context, async).ConfigureAwait(false);
            return;
        }

        // No challenge yet for this vault: send nothing sensitive until the vault has said who may authenticate.
        if (message.Request.Content is not null)
        {
            message.SetProperty(StashedContentProperty, message.Request.Content);
            message.Request.Content = null;
        }
    }

    private async ValueTask<bool> OnChallengeAsync(HttpMessage message, bool async)
    {
        if (message.TryGetProperty(StashedContentProperty, out var stashed) && stashed is RequestContent content)
        {
            message.Request.Content = content;
        }

        var header = message.Response.Headers.TryGetValue("WWW-Authenticate", out var value) ? value : null;
        if (!BearerChallenge.TryParse(header, out var challenge))
        {
            return false;
        }

        var vaultHost = message.Request.Uri.Host ?? "";
        if (verifyChallengeResource && !IsSameDomain(vaultHost, challenge.Resource))
        {
            throw new InvalidOperationException(
                $"The Key Vault challenge names resource '{challenge.Resource}', which is not in the domain of '{vaultHost}'. "
                + "Refusing to send a token there; if this is intended, set KeyVault:DisableChallengeResourceVerification.");
        }

        var context = new TokenRequestContext([challenge.Scope], parentRequestId: message.Request.ClientRequestId, tenantId: challenge.TenantId);
        _challenges[vaultHost] = context;
        await AuthenticateAsync(message, context, async).ConfigureAwait(false);
        return true;
    }

    /// <summary><c>myvault.vault.azure.net</c> belongs to <c>https://vault.azure.net</c>; <c>evil.example</c> does not.</summary>
    private static bool IsSameDomain(string vaultHost, Uri resource) =>
        vaultHost.EndsWith("." + resource.Host, StringComparison.OrdinalIgnoreCase);

    private ValueTask AuthenticateAsync(HttpMessage message, TokenRequestContext context, bool async)
    {
        if (async)
        {
            return AuthenticateAndAuthorizeRequestAsync(message, context);
        }

        AuthenticateAndAuthorizeRequest(message, context);
        return ValueTask.CompletedTask;
    }
}
