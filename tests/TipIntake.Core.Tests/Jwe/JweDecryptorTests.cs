using System.Text;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.Tests.Jwe;

public class JweDecryptorTests
{
    private static byte[] Decode(string text)
    {
        Assert.True(JoseBase64.TryDecode(text, out var bytes));
        return bytes;
    }

    /// <summary>The RFC's JWE, built directly: the parser would refuse its alg RSA-OAEP, which is not what is under test.</summary>
    private static CompactJwe Rfc7516Example(
        string? encodedHeader = null, byte[]? iv = null, byte[]? ciphertext = null, byte[]? tag = null) =>
        new(
            encodedHeader ?? Rfc7516A1.EncodedProtectedHeader,
            new JweHeader("RSA-OAEP", "A256GCM", "", ""),
            Decode(Rfc7516A1.EncodedEncryptedKey),
            iv ?? Decode(Rfc7516A1.EncodedInitializationVector),
            ciphertext ?? Decode(Rfc7516A1.EncodedCiphertext),
            tag ?? Decode(Rfc7516A1.EncodedAuthenticationTag));

    [Fact]
    public void Rfc7516_a1_vector_decrypts_to_its_published_plaintext()
    {
        Assert.True(JweDecryptor.TryDecrypt(Rfc7516Example(), Rfc7516A1.ContentKey, out var plaintext));

        Assert.Equal(Rfc7516A1.Plaintext, Encoding.UTF8.GetString(plaintext));
    }

    [Fact]
    public void Rfc7516_a1_vector_segments_have_the_published_sizes()
    {
        var jwe = Rfc7516Example();

        Assert.Equal(Rfc7516A1.InitializationVector, jwe.InitializationVector);
        Assert.Equal(256, jwe.EncryptedKey.Length);
        Assert.Equal(Encoding.UTF8.GetByteCount(Rfc7516A1.Plaintext), jwe.Ciphertext.Length);
        Assert.Equal(16, jwe.AuthenticationTag.Length);
        Assert.Equal("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}", Encoding.UTF8.GetString(Decode(Rfc7516A1.EncodedProtectedHeader)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    [InlineData(62)]
    public void Tampered_ciphertext_fails_to_decrypt(int index)
    {
        var ciphertext = Decode(Rfc7516A1.EncodedCiphertext);
        ciphertext[index] ^= 0x01;

        Assert.False(JweDecryptor.TryDecrypt(Rfc7516Example(ciphertext: ciphertext), Rfc7516A1.ContentKey, out var plaintext));
        Assert.Empty(plaintext);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    public void Tampered_tag_fails_to_decrypt(int index)
    {
        var tag = Decode(Rfc7516A1.EncodedAuthenticationTag);
        tag[index] ^= 0x80;

        Assert.False(JweDecryptor.TryDecrypt(Rfc7516Example(tag: tag), Rfc7516A1.ContentKey, out var plaintext));
        Assert.Empty(plaintext);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public void Tampered_iv_fails_to_decrypt(int index)
    {
        var iv = Decode(Rfc7516A1.EncodedInitializationVector);
        iv[index] ^= 0x01;

        Assert.False(JweDecryptor.TryDecrypt(Rfc7516Example(iv: iv), Rfc7516A1.ContentKey, out _));
    }

    [Theory]
    [InlineData(0, 'f')]
    [InlineData(20, 'X')]
    [InlineData(45, 'R')]
    public void Tampered_header_string_fails_to_decrypt(int index, char replacement)
    {
        var header = Rfc7516A1.EncodedProtectedHeader.ToCharArray();
        Assert.NotEqual(replacement, header[index]);
        header[index] = replacement;

        Assert.False(JweDecryptor.TryDecrypt(Rfc7516Example(encodedHeader: new string(header)), Rfc7516A1.ContentKey, out _));
    }

    [Fact]
    public void Wrong_content_key_fails_to_decrypt()
    {
        var key = (byte[])Rfc7516A1.ContentKey.Clone();
        key[31] ^= 0x01;

        Assert.False(JweDecryptor.TryDecrypt(Rfc7516Example(), key, out _));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void Content_key_of_the_wrong_length_returns_false(int length)
    {
        Assert.False(JweDecryptor.TryDecrypt(Rfc7516Example(), Rfc7516A1.ContentKey.AsSpan(0, Math.Min(length, 32)).ToArray()
            .Concat(new byte[Math.Max(0, length - 32)]).ToArray(), out var plaintext));
        Assert.Empty(plaintext);
    }

    [Fact]
    public void Jwe_built_here_decrypts_only_with_its_own_header()
    {
        var built = JweFactory.Build();
        Assert.True(JweParser.TryParse(built.Compact, 100_000, out var jwe, out _));
        var other = JweFactory.Build();
        Assert.True(JweParser.TryParse(other.Compact, 100_000, out var otherJwe, out _));

        Assert.True(JweDecryptor.TryDecrypt(jwe, built.ContentKey, out var plaintext));
        Assert.Equal(built.Plaintext, plaintext);
        Assert.False(JweDecryptor.TryDecrypt(otherJwe, built.ContentKey, out _));
    }
}
