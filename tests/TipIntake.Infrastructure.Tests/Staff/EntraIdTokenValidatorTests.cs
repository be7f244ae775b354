using System.Text;
using TipIntake.Core.Staff;
using TipIntake.Infrastructure.Staff;
using TipIntake.Testing;

namespace TipIntake.Infrastructure.Tests.Staff;

/// <summary>Entra ID access tokens against an in-process tenant whose metadata and keys the real ConfigurationManager fetches.</summary>
public sealed class EntraIdTokenValidatorTests : IDisposable
{
    private readonly ValidatorUnderTest _sut = new();

    private FakeEntraId Entra => _sut.Entra;

    public void Dispose() => _sut.Dispose();

    [Fact]
    public async Task Valid_token_with_roles_is_authenticated_with_object_id_name_and_roles()
    {
        var member = StaffAssert.Authenticated(await _sut.AuthenticateTokenAsync(Entra.Token([StaffRoles.Editor, StaffRoles.Reader])));

        Assert.Equal("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", member.ObjectId);
        Assert.Equal("Ada Triage", member.Name);
        Assert.Equal(new HashSet<string> { StaffRoles.Editor, StaffRoles.Reader }, member.Roles);
        Assert.True(member.CanEdit);
    }

    [Fact]
    public async Task Valid_token_without_roles_is_authenticated_with_no_roles_and_no_access()
    {
        var member = StaffAssert.Authenticated(await _sut.AuthenticateTokenAsync(Entra.Token()));

        Assert.Empty(member.Roles);
        Assert.False(member.CanRead);
    }

    [Fact]
    public async Task Name_falls_back_to_preferred_username()
    {
        var token = Entra.Token([StaffRoles.Reader], payload: p => p.Remove("name"));

        Assert.Equal("ada@contoso.example", StaffAssert.Authenticated(await _sut.AuthenticateTokenAsync(token)).Name);
    }

    [Fact]
    public async Task V1_token_from_the_tenants_sts_for_the_app_id_uri_is_accepted()
    {
        var token = Entra.Token([StaffRoles.Reader], payload: p =>
        {
            p["iss"] = FakeEntraId.IssuerV1;
            p["aud"] = $"api://{FakeEntraId.ClientId}";
            p["ver"] = "1.0";
        });

        Assert.True(StaffAssert.Authenticated(await _sut.AuthenticateTokenAsync(token)).CanRead);
    }

    [Theory]
    [InlineData("User.Read")]
    [InlineData("Tips.Triage.All")]
    [InlineData("tips.triage")]
    [InlineData("openid profile")]
    public async Task Token_without_the_triage_scope_is_rejected(string scopes)
    {
        var token = Entra.Token([StaffRoles.Editor], payload: p => p["scp"] = scopes);

        StaffAssert.Rejected(StaffRejectionReason.WrongScope, await _sut.AuthenticateTokenAsync(token));
    }

    [Fact]
    public async Task Token_with_the_triage_scope_among_others_is_accepted()
    {
        var token = Entra.Token([StaffRoles.Reader], payload: p => p["scp"] = "openid Tips.Triage profile");

        Assert.True(StaffAssert.Authenticated(await _sut.AuthenticateTokenAsync(token)).CanRead);
    }

    [Theory]
    [InlineData("azp", "9a1c2e3f-0000-4000-8000-000000000bad")]
    [InlineData(null, null)]
    public async Task Token_issued_to_another_client_application_is_rejected(string? claim, string? client)
    {
        var token = Entra.Token([StaffRoles.Editor], payload: p =>
        {
            p.Remove("azp");
            if (claim is not null)
            {
                p[claim] = client;
            }
        });

        StaffAssert.Rejected(StaffRejectionReason.WrongClient, await _sut.AuthenticateTokenAsync(token));
    }

    [Theory]
    [InlineData(FakeEntraId.ClientId, true)]
    [InlineData("9a1c2e3f-0000-4000-8000-000000000bad", false)]
    public async Task V1_token_names_its_client_in_appid(string appId, bool accepted)
    {
        var token = Entra.Token([StaffRoles.Reader], payload: p =>
        {
            p["iss"] = FakeEntraId.IssuerV1;
            p["aud"] = $"api://{FakeEntraId.ClientId}";
            p["ver"] = "1.0";
            p.Remove("azp");
            p["appid"] = appId;
        });

        var result = await _sut.AuthenticateTokenAsync(token);

        if (accepted)
        {
            StaffAssert.Authenticated(result);
        }
        else
        {
            StaffAssert.Rejected(StaffRejectionReason.WrongClient, result);
        }
    }

    [Fact]
    public async Task Pss_signed_token_is_accepted()
    {
        Assert.True(StaffAssert.Authenticated(await _sut.AuthenticateTokenAsync(Entra.Token([StaffRoles.Reader], alg: "PS256"))).CanRead);
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "missing")]
    [InlineData("   ", "missing")]
    [InlineData("abc", "malformed")]
    [InlineData("abc.def", "malformed")]
    [InlineData("abc.def.ghi.jkl.mno", "malformed")]
    [InlineData("abc..ghi", "malformed")]
    [InlineData("abc.d!f.ghi", "malformed")]
    [InlineData("abc.def.ghi, Bearer abc.def.ghi", "malformed")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln", "malformed")]
    public async Task Token_that_is_not_one_jws_is_rejected(string? token, string reason)
    {
        StaffAssert.Rejected(reason, await _sut.AuthenticateAsync(token));
    }

    [Fact]
    public async Task Over_long_token_is_rejected_before_parsing()
    {
        var token = Entra.Token([StaffRoles.Reader], payload: p => p["padding"] = new string('x', BearerToken.MaxLength));

        StaffAssert.Rejected(StaffRejectionReason.Malformed, await _sut.AuthenticateTokenAsync(token));
        Assert.Equal(0, Entra.MetadataRequests);
    }

    [Fact]
    public async Task Expired_token_is_rejected()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = Entra.Token([StaffRoles.Reader], payload: p =>
        {
            p["iat"] = now - 7200;
            p["nbf"] = now - 7200;
            p["exp"] = now - 600;
        });

        StaffAssert.Rejected(StaffRejectionReason.Expired, await _sut.AuthenticateTokenAsync(token));
    }

    [Fact]
    public async Task Token_expired_within_the_clock_skew_is_still_accepted()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = Entra.Token([StaffRoles.Reader], payload: p => p["exp"] = now - 30);

        Assert.True(StaffAssert.Authenticated(await _sut.AuthenticateTokenAsync(token)).CanRead);
    }

    [Fact]
    public async Task Token_not_yet_valid_is_rejected()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = Entra.Token([StaffRoles.Reader], payload: p =>
        {
            p["nbf"] = now + 1800;
            p["exp"] = now + 5400;
        });

        StaffAssert.Rejected(StaffRejectionReason.NotYetValid, await _sut.AuthenticateTokenAsync(token));
    }

    [Fact]
    public async Task Token_without_expiry_is_rejected()
    {
        StaffAssert.Rejected(StaffRejectionReason.Malformed, await _sut.AuthenticateTokenAsync(Entra.Token([StaffRoles.Reader], payload: p => p.Remove("exp"))));
    }

    [Theory]
    [InlineData("https://login.microsoftonline.com/11111111-2222-4333-8444-555555555555/v2.0")]
    [InlineData("https://sts.windows.net/11111111-2222-4333-8444-555555555555/")]
    [InlineData("https://login.microsoftonline.com/common/v2.0")]
    [InlineData("https://evil.example/7f5c1c55-4c5b-4c2e-9a54-3d2f6b1e0a11/v2.0")]
    public async Task Token_from_another_issuer_is_rejected(string issuer)
    {
        var token = Entra.Token([StaffRoles.Reader], payload: p => p["iss"] = issuer);

        StaffAssert.Rejected(StaffRejectionReason.WrongIssuer, await _sut.AuthenticateTokenAsync(token));
    }

    [Theory]
    [InlineData("00000003-0000-0000-c000-000000000000")]
    [InlineData("https://graph.microsoft.com")]
    [InlineData("api://another-app")]
    public async Task Token_for_another_audience_is_rejected(string audience)
    {
        var token = Entra.Token([StaffRoles.Reader], payload: p => p["aud"] = audience);

        StaffAssert.Rejected(StaffRejectionReason.WrongAudience, await _sut.AuthenticateTokenAsync(token));
    }

    [Fact]
    public async Task Unsigned_token_with_alg_none_is_rejected()
    {
        var token = Entra.Token([StaffRoles.Editor], alg: "none", header: h => h.Remove("kid"));

        Assert.EndsWith(".", token, StringComparison.Ordinal);
        StaffAssert.Rejected(StaffRejectionReason.BadAlgorithm, await _sut.AuthenticateTokenAsync(token));
    }

    [Fact]
    public async Task Token_with_alg_none_and_a_signature_segment_is_rejected()
    {
        var token = Entra.Token([StaffRoles.Editor], alg: "none") + "c2lnbmF0dXJl";

        StaffAssert.Rejected(StaffRejectionReason.BadAlgorithm, await _sut.AuthenticateTokenAsync(token));
    }

    [Fact]
    public async Task Hs256_token_keyed_with_the_rsa_public_key_is_rejected()
    {
        await _sut.AuthenticateTokenAsync(Entra.Token([StaffRoles.Reader])); // the key is published and cached
        var withDer = Entra.Token([StaffRoles.Editor], alg: "HS256", hmacKey: Entra.CurrentKey.PublicKeyDer);
        var withPem = Entra.Token([StaffRoles.Editor], alg: "HS256", hmacKey: Encoding.ASCII.GetBytes(Entra.CurrentKey.PublicKeyPem));
        var withModulus = Entra.Token([StaffRoles.Editor], alg: "HS256", hmacKey: Entra.CurrentKey.Rsa.ExportParameters(false).Modulus);

        StaffAssert.Rejected(StaffRejectionReason.BadAlgorithm, await _sut.AuthenticateTokenAsync(withDer));
        StaffAssert.Rejected(StaffRejectionReason.BadAlgorithm, await _sut.AuthenticateTokenAsync(withPem));
        StaffAssert.Rejected(StaffRejectionReason.BadAlgorithm, await _sut.AuthenticateTokenAsync(withModulus));
    }

    [Fact]
    public async Task Token_signed_by_another_key_under_the_published_kid_is_rejected()
    {
        using var attacker = FakeEntraId.SigningKey.Create();
        var token = Entra.Token([StaffRoles.Editor], key: attacker, header: h => h["kid"] = Entra.CurrentKey.KeyId);

        StaffAssert.Rejected(StaffRejectionReason.BadSignature, await _sut.AuthenticateTokenAsync(token));
    }

    [Fact]
    public async Task Token_with_an_unknown_kid_is_rejected_even_when_a_published_key_would_verify_it()
    {
        var token = Entra.Token([StaffRoles.Editor], header: h => h["kid"] = "not-a-published-kid");

        StaffAssert.Rejected(StaffRejectionReason.BadSignature, await _sut.AuthenticateTokenAsync(token));
    }

    [Fact]
    public async Task Tampered_payload_is_rejected()
    {
        var token = Entra.Token([StaffRoles.Reader]);
        var parts = token.Split('.');
        var forged = Entra.Token([StaffRoles.Editor]).Split('.')[1];

        StaffAssert.Rejected(StaffRejectionReason.BadSignature, await _sut.AuthenticateTokenAsync($"{parts[0]}.{forged}.{parts[2]}"));
    }

    [Fact]
    public async Task Token_without_oid_is_rejected()
    {
        StaffAssert.Rejected(StaffRejectionReason.NoObjectId, await _sut.AuthenticateTokenAsync(Entra.Token([StaffRoles.Reader], payload: p => p.Remove("oid"))));
    }

    [Fact]
    public async Task Token_whose_oid_is_not_a_guid_is_rejected()
    {
        StaffAssert.Rejected(StaffRejectionReason.NoObjectId, await _sut.AuthenticateTokenAsync(Entra.Token([StaffRoles.Reader], payload: p => p["oid"] = "admin")));
    }

    [Fact]
    public async Task Id_token_of_the_same_app_is_not_accepted_as_an_access_token()
    {
        var idToken = Entra.Token([StaffRoles.Editor], payload: p =>
        {
            p.Remove("scp");
            p["nonce"] = "a-nonce";
        });

        StaffAssert.Rejected(StaffRejectionReason.NotAccessToken, await _sut.AuthenticateTokenAsync(idToken));
    }

    [Fact]
    public async Task Metadata_and_keys_are_fetched_once_and_then_served_from_the_cache()
    {
        for (var i = 0; i < 3; i++)
        {
            StaffAssert.Authenticated(await _sut.AuthenticateTokenAsync(Entra.Token([StaffRoles.Reader])));
        }

        Assert.Equal(1, Entra.MetadataRequests);
        Assert.Equal(1, Entra.JwksRequests);
    }

    [Fact]
    public async Task Key_rotated_in_after_the_keys_were_cached_is_picked_up_by_a_refresh()
    {
        StaffAssert.Authenticated(await _sut.AuthenticateTokenAsync(Entra.Token([StaffRoles.Reader])));
        Entra.AddKey(makeCurrent: true);
        var token = Entra.Token([StaffRoles.Reader]);

        // The first sight of the new kid asks for a refresh, which the manager fetches in the background.
        StaffAssert.Rejected(StaffRejectionReason.BadSignature, await _sut.AuthenticateTokenAsync(token));
        await Entra.JwksServed(2).WaitAsync(TimeSpan.FromSeconds(30));
        var member = await EventuallyAuthenticatedAsync(token);

        Assert.True(member.CanRead);
        Assert.Equal(2, Entra.JwksRequests);
    }

    [Fact]
    public async Task Unreachable_metadata_rejects_as_unavailable_and_says_so_in_the_log()
    {
        Entra.Unavailable = true;

        StaffAssert.Rejected(StaffRejectionReason.Unavailable, await _sut.AuthenticateTokenAsync(Entra.Token([StaffRoles.Reader])));
        Assert.Contains(_sut.Logger.Lines, line => line.StartsWith("Warning 3105", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Not_configured_rejects_every_token_as_not_configured_without_fetching_anything()
    {
        using var sut = new ValidatorUnderTest(configured: false);

        StaffAssert.Rejected(StaffRejectionReason.NotConfigured, await sut.AuthenticateTokenAsync(sut.Entra.Token([StaffRoles.Editor])));
        Assert.False(sut.Validator.IsConfigured);
        Assert.Empty(sut.Entra.Requests);
    }

    [Fact]
    public async Task Neither_token_nor_claims_other_than_the_object_id_are_logged()
    {
        var good = Entra.Token([StaffRoles.Editor]);
        var expired = Entra.Token([StaffRoles.Editor], payload: p =>
        {
            p["nbf"] = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
            p["exp"] = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        });

        await _sut.AuthenticateTokenAsync(good);
        await _sut.AuthenticateTokenAsync(expired);
        await _sut.AuthenticateTokenAsync(good + "x");

        var logged = _sut.Logger.AllText;
        Assert.Contains("expired", logged, StringComparison.Ordinal);
        Assert.Contains("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", logged, StringComparison.Ordinal);
        foreach (var secret in new[] { good.Split('.')[1], good.Split('.')[2], expired.Split('.')[1], "Ada Triage", "ada@contoso.example", StaffRoles.Editor })
        {
            Assert.DoesNotContain(secret, logged, StringComparison.Ordinal);
        }
    }

    /// <summary>Validates until accepted: the refreshed keys land a moment after the fetch the fake has served.</summary>
    private async Task<StaffMember> EventuallyAuthenticatedAsync(string token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await _sut.AuthenticateTokenAsync(token) is StaffAuthentication.Authenticated authenticated)
            {
                return authenticated.Member;
            }

            Assert.True(DateTime.UtcNow < deadline, "The rotated-in key was not picked up.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Rejected_tokens_are_counted_into_one_line_a_minute_never_a_line_each()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var sut = new ValidatorUnderTest(time: time);
        for (var i = 0; i < 200; i++)
        {
            StaffAssert.Rejected(StaffRejectionReason.Malformed, await sut.AuthenticateAsync("not-a-token"));
        }

        StaffAssert.Rejected(StaffRejectionReason.Missing, await sut.AuthenticateAsync(null));
        Assert.DoesNotContain(sut.Logger.Lines, l => !l.StartsWith("Debug", StringComparison.Ordinal));

        time.Advance(TimeSpan.FromMinutes(1));

        var summary = Assert.Single(sut.Logger.Lines, l => !l.StartsWith("Debug", StringComparison.Ordinal));
        Assert.StartsWith("Information 3203:", summary, StringComparison.Ordinal);
        Assert.Contains("201 (malformed 200, missing 1)", summary, StringComparison.Ordinal);
    }
}
