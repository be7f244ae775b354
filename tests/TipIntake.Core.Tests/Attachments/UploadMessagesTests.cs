using System.Text;
using TipIntake.Core.Attachments;

namespace TipIntake.Core.Tests.Attachments;

/// <summary>The upload routes' JSON is read strictly: exactly the protocol's members, v = 1, integers, canonical digests.</summary>
public sealed class UploadMessagesTests
{
    private const string Digest = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU";

    [Theory]
    [InlineData("""{"v":1,"chunks":12,"chunkBytes":1048592}""", true)]
    [InlineData("""{"chunkBytes":262160,"chunks":1,"v":1}""", true)]
    [InlineData("""{"v":2,"chunks":12,"chunkBytes":1048592}""", false)]
    [InlineData("""{"v":1.0,"chunks":12,"chunkBytes":1048592}""", false)]
    [InlineData("""{"v":1,"chunks":"12","chunkBytes":1048592}""", false)]
    [InlineData("""{"v":1,"chunks":12.5,"chunkBytes":1048592}""", false)]
    [InlineData("""{"v":1,"chunks":1e40,"chunkBytes":1048592}""", false)]
    [InlineData("""{"v":1,"chunks":12}""", false)]
    [InlineData("""{"v":1,"chunks":12,"chunkBytes":1048592,"x":0}""", false)]
    [InlineData("""{"v":1,"chunks":12,"chunks":12}""", false)]
    [InlineData("""[1,12,1048592]""", false)]
    [InlineData("""{"v":1,"chunks":12,"chunkBytes":1048592""", false)]
    public void Create_is_read_strictly(string json, bool valid) =>
        Assert.Equal(valid, UploadMessages.ReadCreate(Encoding.UTF8.GetBytes(json)) is not null);

    [Theory]
    [InlineData($$"""{"v":1,"chunkDigests":["{{Digest}}"]}""", 1)]
    [InlineData($$"""{"chunkDigests":["{{Digest}}","{{Digest}}"],"v":1}""", 2)]
    [InlineData("""{"v":1,"chunkDigests":[]}""", 0)]
    [InlineData("""{"v":1,"chunkDigests":["47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFV"]}""", 0)] // not canonical
    [InlineData("""{"v":1,"chunkDigests":["47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="]}""", 0)] // base64, not base64url
    [InlineData("""{"v":1,"chunkDigests":[1]}""", 0)]
    [InlineData("""{"v":1,"chunkDigests":"x"}""", 0)]
    [InlineData($$"""{"v":1,"chunkDigests":["{{Digest}}"],"extra":true}""", 0)]
    public void Complete_is_read_strictly(string json, int digests) =>
        Assert.Equal(digests, UploadMessages.ReadComplete(Encoding.UTF8.GetBytes(json))?.Count ?? 0);

    [Fact]
    public void Complete_takes_at_most_256_digests()
    {
        string Of(int count) => $$"""{"v":1,"chunkDigests":[{{string.Join(',', Enumerable.Repeat($"\"{Digest}\"", count))}}]}""";
        Assert.Equal(256, UploadMessages.ReadComplete(Encoding.UTF8.GetBytes(Of(256)))!.Count);
        Assert.True(Encoding.UTF8.GetByteCount(Of(256)) < UploadMessages.MaxCompleteBytes);
        Assert.Null(UploadMessages.ReadComplete(Encoding.UTF8.GetBytes(Of(257))));
    }
}
