using Microsoft.AspNetCore.Http;
using TipIntake.Functions.Attachments;
using TipIntake.Functions.Triggers;

namespace TipIntake.Functions.Tests.Http;

/// <summary>What the chunk route reads from a request before it touches storage: <c>Content-Digest</c> and the index.</summary>
public sealed class UploadRequestTests
{
    private const string Sha256OfEmpty = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

    [Theory]
    [InlineData($"sha-256=:{Sha256OfEmpty}:")]
    [InlineData($"  sha-256=:{Sha256OfEmpty}:  ")]
    [InlineData($"sha-512=:AAAA:, sha-256=:{Sha256OfEmpty}:")]
    [InlineData($"sha-256=:{Sha256OfEmpty}:;x=1")]
    public void The_sha_256_member_of_Content_Digest_is_read(string header)
    {
        Assert.Equal(ContentDigestFault.None, ContentDigest.TryRead(With(header), out var digest));
        Assert.Equal(Convert.FromBase64String(Sha256OfEmpty), digest);
    }

    [Fact]
    public void Several_Content_Digest_lines_are_one_dictionary()
    {
        Assert.Equal(ContentDigestFault.None, ContentDigest.TryRead(With("sha-512=:AAAA:", $"sha-256=:{Sha256OfEmpty}:"), out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha-512=:AAAA:")]
    [InlineData($"SHA-256=:{Sha256OfEmpty}:")] // keys are lower case (RFC 9651)
    [InlineData($"sha256=:{Sha256OfEmpty}:")]
    public void No_sha_256_member_is_missing(string? header) =>
        Assert.Equal(ContentDigestFault.Missing, ContentDigest.TryRead(With(header), out _));

    [Theory]
    [InlineData($"sha-256={Sha256OfEmpty}")]
    [InlineData($"sha-256=:{Sha256OfEmpty}")]
    [InlineData("sha-256=:AAAAAAAAAAAAAAAAAAAAAA==:")]
    [InlineData("sha-256=:not base64!:")]
    [InlineData("sha-256=::")]
    [InlineData("sha-256=:")]
    [InlineData("sha-256=")]
    [InlineData("sha-256=:47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=:")] // base64url is not the byte sequence's alphabet
    public void A_sha_256_member_that_is_not_32_bytes_of_base64_is_malformed(string header) =>
        Assert.Equal(ContentDigestFault.Malformed, ContentDigest.TryRead(With(header), out _));

    [Theory]
    [InlineData("0", 0)]
    [InlineData("7", 7)]
    [InlineData("255", 255)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("00", null)]
    [InlineData("01", null)]
    [InlineData("-1", null)]
    [InlineData("+1", null)]
    [InlineData(" 1", null)]
    [InlineData("1.0", null)]
    [InlineData("0x1", null)]
    [InlineData("١", null)] // an Arabic-Indic digit
    [InlineData("2147483648", null)]
    [InlineData("99999999999", null)]
    [InlineData("", null)]
    public void A_chunk_index_is_a_decimal_number_in_its_one_spelling(string text, int? index) =>
        Assert.Equal(index, Uploads.ChunkIndexOf(text));

    private static HttpRequest With(params string?[] headers)
    {
        var request = new DefaultHttpContext().Request;
        if (headers is not [null])
        {
            request.Headers[ContentDigest.HeaderName] = headers;
        }

        return request;
    }
}
