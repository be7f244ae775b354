using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using TipIntake.Core.Attachments;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.Tests.Attachments;

/// <summary>A tip's <c>attachments</c> member read strictly: each way an entry can be wrong is named, and a bad entry never costs the others.</summary>
public sealed class AttachmentManifestReaderTests
{
    private static readonly AttachmentLimits Limits = new();

    [Fact]
    public void A_well_formed_entry_is_read_with_every_member()
    {
        var node = Entry(size: 1_000_000);

        var read = Read(new JsonArray(node));

        Assert.Null(read.Fault);
        Assert.Empty(read.Rejected);
        var entry = Assert.Single(read.Entries);
        Assert.Equal((node["upload"]!.GetValue<string>(), 1, ChunkLayout.LargeChunkBytes, 1_000_000L), (entry.Upload, entry.Chunks, entry.ChunkBytes, entry.Size));
        Assert.Equal(("image/jpeg", "photo-1.jpg", "scrubbed", "3"), (entry.Type, entry.Name, entry.Handling, entry.KeyId));
        Assert.Equal(["location", "serial-number"], entry.Removed);
        Assert.Equal(JoseBase64.Encode(entry.Digest), node["digest"]!.GetValue<string>());
    }

    public static TheoryData<string, string, AttachmentManifestFault> Broken() => new()
    {
        { "upload", "\"short\"", AttachmentManifestFault.UploadInvalid },
        { "upload", "\"qvH4M4u8SCa1x0E0q9KzTh\"", AttachmentManifestFault.UploadInvalid }, // not canonical
        { "digest", "\"AAAA\"", AttachmentManifestFault.DigestInvalid },
        { "chunks", "2", AttachmentManifestFault.SizeInvalid }, // more chunks than the size needs
        { "chunks", "1.0", AttachmentManifestFault.LayoutInvalid },
        { "chunkBytes", "1048576", AttachmentManifestFault.LayoutInvalid },
        { "size", "1048576", AttachmentManifestFault.SizeInvalid }, // the marker would not fit one chunk
        { "size", "-1", AttachmentManifestFault.SizeInvalid },
        { "key", "{\"alg\":\"RSA1_5\",\"kid\":\"3\",\"ek\":\"AA\"}", AttachmentManifestFault.KeyInvalid },
        { "key", "{\"alg\":\"RSA-OAEP-256\",\"kid\":\"3\"}", AttachmentManifestFault.KeyInvalid },
        { "sha256", "\"AA\"", AttachmentManifestFault.Sha256Invalid },
        { "type", "\"image/svg+xml\"", AttachmentManifestFault.TypeNotAllowed },
        { "type", "\"text/html\"", AttachmentManifestFault.TypeNotAllowed },
        { "name", "\"IMG_20261203_101500.jpg\"", AttachmentManifestFault.NameInvalid },
        { "name", "\"photo-1.png\"", AttachmentManifestFault.NameInvalid },
        { "name", "\"../photo-1.jpg\"", AttachmentManifestFault.NameInvalid },
        { "handling", "\"cleaned\"", AttachmentManifestFault.HandlingInvalid },
        { "removed", "[\"location\",\"location\"]", AttachmentManifestFault.RemovedInvalid },
        { "removed", "[\"everything\"]", AttachmentManifestFault.RemovedInvalid },
        { "removed", "\"location\"", AttachmentManifestFault.RemovedInvalid },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_broken_entry_is_named_by_number_and_the_others_are_still_taken(string member, string json, AttachmentManifestFault fault)
    {
        var broken = Entry(size: 1_000_000);
        broken[member] = JsonNode.Parse(json);

        var read = Read(new JsonArray(Entry(size: 5), broken));

        Assert.Null(read.Fault);
        Assert.Single(read.Entries);
        Assert.Equal([(2, fault)], read.Rejected);
    }

    [Fact]
    public void Members_missing_added_or_doubled_uploads_and_kept_originals_with_removals_are_refused()
    {
        var missing = Entry(size: 5);
        missing.Remove("sha256");
        var extra = Entry(size: 5);
        extra["path"] = "/home/reporter/photo.jpg";
        var first = Entry(size: 5);
        var again = JsonNode.Parse(first.ToJsonString())!;
        var original = Entry(size: 5);
        original["handling"] = "original";

        var read = Read(new JsonArray(missing, extra, first, again, original, JsonValue.Create(3)));

        Assert.Equal(
            [(1, AttachmentManifestFault.MissingMember), (2, AttachmentManifestFault.UnknownMember), (4, AttachmentManifestFault.DuplicateUpload),
                (5, AttachmentManifestFault.RemovedInvalid), (6, AttachmentManifestFault.NotAnObject)],
            read.Rejected);
        Assert.Equal(first["upload"]!.GetValue<string>(), Assert.Single(read.Entries).Upload);
    }

    [Fact]
    public void The_member_is_optional_and_over_its_limits_takes_no_file()
    {
        Assert.Same(AttachmentManifestRead.Absent, AttachmentManifestReader.Read(null, Limits));
        Assert.Same(AttachmentManifestRead.Absent, Read(null));
        Assert.Equal(AttachmentManifestFault.NotAnArray, Read(new JsonObject()).Fault);
        Assert.Equal(AttachmentManifestFault.TooManyFiles, Read(new JsonArray([.. Enumerable.Range(0, 11).Select(_ => (JsonNode)Entry(size: 5))])).Fault);

        // Two files of 40 MiB pad to 48 MiB each (96 MiB); a third passes 128 MiB.
        JsonNode[] Large(int count) => [.. Enumerable.Range(0, count).Select(_ => (JsonNode)Entry(size: 40L * 1024 * 1024))];
        var two = Read(new JsonArray(Large(2)));
        Assert.Equal((null, 2), (two.Fault, two.Entries.Count));
        var over = Read(new JsonArray(Large(3)));
        Assert.Equal((AttachmentManifestFault.TooManyBytes, 0), (over.Fault, over.Entries.Count));
        Assert.Equal(AttachmentManifestFault.SizeInvalid, Read(new JsonArray(Entry(size: 70L * 1024 * 1024))).Rejected.Single().Fault);
    }

    private static AttachmentManifestRead Read(JsonNode? member)
    {
        using var document = JsonDocument.Parse(member?.ToJsonString() ?? "null");
        return AttachmentManifestReader.Read(document.RootElement.Clone(), Limits);
    }

    /// <summary>An entry as the form writes it, for a file of <paramref name="size"/> bytes in 1 MiB chunks.</summary>
    private static JsonObject Entry(long size) => new()
    {
        ["upload"] = JoseBase64.Encode(RandomNumberGenerator.GetBytes(16)),
        ["digest"] = JoseBase64.Encode(RandomNumberGenerator.GetBytes(32)),
        ["chunks"] = ChunkLayout.ChunksFor(size, ChunkLayout.LargeChunkBytes),
        ["chunkBytes"] = ChunkLayout.LargeChunkBytes,
        ["key"] = new JsonObject { ["alg"] = "RSA-OAEP-256", ["kid"] = "3", ["ek"] = JoseBase64.Encode(RandomNumberGenerator.GetBytes(384)) },
        ["size"] = size,
        ["sha256"] = JoseBase64.Encode(RandomNumberGenerator.GetBytes(32)),
        ["type"] = "image/jpeg",
        ["name"] = "photo-1.jpg",
        ["handling"] = "scrubbed",
        ["removed"] = new JsonArray("location", "serial-number"),
    };
}
