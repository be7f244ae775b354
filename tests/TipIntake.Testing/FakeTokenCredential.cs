using System.Collections.Concurrent;
using System.Security.Cryptography;
using Azure.Core;

namespace TipIntake.Testing;

/// <summary>Issues one random bearer token and records every token request (scopes and tenant) made of it.</summary>
public sealed class FakeTokenCredential : TokenCredential
{
    private readonly ConcurrentQueue<TokenRequestContext> _requests = new();

    public string Token { get; } = "fake-kv-token-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public IReadOnlyCollection<TokenRequestContext> Requests => _requests;

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        _requests.Enqueue(requestContext);
        return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
