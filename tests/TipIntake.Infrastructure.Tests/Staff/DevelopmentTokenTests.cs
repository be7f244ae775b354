using TipIntake.Core.Staff;
using TipIntake.Infrastructure.Staff;
using TipIntake.Testing;

namespace TipIntake.Infrastructure.Tests.Staff;

/// <summary>Development tokens are trusted in the Development environment and nowhere else.</summary>
public sealed class DevelopmentTokenTests : IDisposable
{
    private readonly DevelopmentTokenIssuer _issuer = ValidatorUnderTest.NewDevelopmentIssuer();

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task Development_token_is_accepted_in_Development_with_its_name_roles_and_a_guid_object_id()
    {
        using var sut = new ValidatorUnderTest("Development", configured: false, developmentIssuer: _issuer);
        var token = _issuer.Issue("Dev Editor", [StaffRoles.Editor]);

        var member = StaffAssert.Authenticated(await sut.AuthenticateTokenAsync(token.AccessToken));

        Assert.Equal("Dev Editor", member.Name);
        Assert.Equal(new HashSet<string> { StaffRoles.Editor }, member.Roles);
        Assert.True(Guid.TryParse(member.ObjectId, out _));
        Assert.Equal(TimeSpan.FromHours(1), token.ExpiresIn);
        Assert.True(sut.Validator.TrustsDevelopmentTokens);
    }

    [Fact]
    public async Task Development_token_is_accepted_in_Development_beside_a_configured_Entra_ID()
    {
        using var sut = new ValidatorUnderTest("Development", developmentIssuer: _issuer);

        Assert.True(StaffAssert.Authenticated(await sut.AuthenticateTokenAsync(_issuer.Issue("Dev Reader", [StaffRoles.Reader]).AccessToken)).CanRead);
        Assert.True(StaffAssert.Authenticated(await sut.AuthenticateTokenAsync(sut.Entra.Token([StaffRoles.Reader]))).CanRead);
    }

    [Fact]
    public async Task One_name_is_one_object_id()
    {
        using var sut = new ValidatorUnderTest("Development", configured: false, developmentIssuer: _issuer);

        var first = StaffAssert.Authenticated(await sut.AuthenticateTokenAsync(_issuer.Issue("Dev Editor", [StaffRoles.Editor]).AccessToken));
        var again = StaffAssert.Authenticated(await sut.AuthenticateTokenAsync(_issuer.Issue("Dev Editor", []).AccessToken));
        var other = StaffAssert.Authenticated(await sut.AuthenticateTokenAsync(_issuer.Issue("Dev Reader", []).AccessToken));

        Assert.Equal(first.ObjectId, again.ObjectId);
        Assert.NotEqual(first.ObjectId, other.ObjectId);
        Assert.Empty(again.Roles);
    }

    [Theory]
    [InlineData("Production", true)]
    [InlineData("Production", false)]
    [InlineData("Staging", true)]
    [InlineData("development-but-not-quite", false)]
    public async Task Development_token_is_rejected_outside_Development_even_with_the_issuer_at_hand(string environment, bool entraConfigured)
    {
        using var sut = new ValidatorUnderTest(environment, configured: entraConfigured, developmentIssuer: _issuer);
        var token = _issuer.Issue("Dev Editor", [StaffRoles.Editor]).AccessToken;

        var rejected = Assert.IsType<StaffAuthentication.Rejected>(await sut.AuthenticateTokenAsync(token));

        Assert.False(sut.Validator.TrustsDevelopmentTokens);
        Assert.Equal(entraConfigured ? StaffRejectionReason.WrongIssuer : StaffRejectionReason.NotConfigured, rejected.Reason);
    }

    [Fact]
    public async Task Development_token_is_not_an_Entra_token_even_with_Entras_issuer_and_audience_in_Development()
    {
        var options = new StaffAuthOptions { Audience = FakeEntraId.ClientId };
        using var issuer = ValidatorUnderTest.NewDevelopmentIssuer(options);
        using var sut = new ValidatorUnderTest("Development", developmentIssuer: issuer);
        var token = issuer.Issue("Dev Editor", [StaffRoles.Editor]).AccessToken;
        var parts = token.Split('.');
        var asEntra = sut.Entra.Token([StaffRoles.Editor]).Split('.')[1];

        // Same audience as Entra tokens, but signed by the development key: only the development path accepts it.
        Assert.Equal(FakeEntraId.ClientId, issuer.Audience);
        StaffAssert.Authenticated(await sut.AuthenticateTokenAsync(token));
        StaffAssert.Rejected(StaffRejectionReason.BadSignature, await sut.AuthenticateTokenAsync($"{parts[0]}.{asEntra}.{parts[2]}"));
    }

    [Fact]
    public async Task Token_claiming_the_development_issuer_but_signed_by_another_key_is_rejected_in_Development()
    {
        using var sut = new ValidatorUnderTest("Development", developmentIssuer: _issuer);
        var token = sut.Entra.Token([StaffRoles.Editor], payload: p =>
        {
            p["iss"] = DevelopmentTokenIssuer.IssuerName;
            p["aud"] = _issuer.Audience;
        });

        StaffAssert.Rejected(StaffRejectionReason.BadSignature, await sut.AuthenticateTokenAsync(token));
    }

    [Fact]
    public async Task Development_issuer_never_issues_other_roles_and_signs_RS256()
    {
        Assert.Throws<ArgumentException>(() => _issuer.Issue("Dev", ["TipTriage.Admin"]));
        Assert.Throws<ArgumentException>(() => _issuer.Issue("Dev", ["tiptriage.editor"]));
        Assert.Throws<ArgumentException>(() => _issuer.Issue(new string('x', DevelopmentTokenIssuer.MaxNameLength + 1), []));

        var header = System.Text.Json.JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(_issuer.Issue("Dev", []).AccessToken.Split('.')[0]));
        Assert.Equal("RS256", header.RootElement.GetProperty("alg").GetString());
        using var sut = new ValidatorUnderTest("Development", configured: false, developmentIssuer: _issuer);
        Assert.True(StaffAssert.Authenticated(await sut.AuthenticateTokenAsync(_issuer.Issue("Dev", [StaffRoles.Reader]).AccessToken)).CanRead);
    }
}
