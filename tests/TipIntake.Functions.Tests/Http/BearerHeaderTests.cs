using Microsoft.Extensions.Primitives;
using TipIntake.Functions.Http;

namespace TipIntake.Functions.Tests.Http;

public sealed class BearerHeaderTests
{
    [Theory]
    [InlineData("Bearer abc.def.ghi")]
    [InlineData("bearer abc.def.ghi")]
    [InlineData("BEARER abc.def.ghi")]
    [InlineData("  Bearer   abc.def.ghi  ")]
    public void The_bearer_scheme_is_case_insensitive(string header)
    {
        Assert.Equal("abc.def.ghi", StaffOnlyMiddleware.BearerToken(header));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Basic YWRhOnNlY3JldA==")]
    [InlineData("Bearerabc.def.ghi")]
    public void Anything_but_one_bearer_credential_is_no_token(string header)
    {
        Assert.True(string.IsNullOrEmpty(StaffOnlyMiddleware.BearerToken(header)));
    }

    [Fact]
    public void No_header_or_two_headers_is_no_token()
    {
        Assert.Null(StaffOnlyMiddleware.BearerToken(StringValues.Empty));
        Assert.Null(StaffOnlyMiddleware.BearerToken(new StringValues(["Bearer a.b.c", "Bearer d.e.f"])));
    }

    [Fact]
    public void What_follows_the_scheme_is_handed_on_for_the_authenticator_to_judge()
    {
        Assert.Equal("abc.def.ghi, Bearer abc.def.ghi", StaffOnlyMiddleware.BearerToken("Bearer abc.def.ghi, Bearer abc.def.ghi"));
    }
}
