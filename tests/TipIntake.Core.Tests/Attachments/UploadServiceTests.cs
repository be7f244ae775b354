using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Core.Tests.Fakes;

namespace TipIntake.Core.Tests.Attachments;

/// <summary>Every outcome of the upload protocol's steps (docs/attachments.md, "The upload protocol, for other clients").</summary>
public sealed class UploadServiceTests
{
    private const int ChunkBytes = ChunkLayout.SmallChunkBytes;
    private static readonly UploadId Id = Parse("AAECAwQFBgcICQoLDA0ODw");

    private readonly MemoryUploadStore _store = new();
    private readonly UploadService _service;
    private readonly EncryptedFile _file;

    public UploadServiceTests()
    {
        _service = new UploadService(_store, new MemoryOpenUploadLedger(), Options.Create(new AttachmentOptions()), TimeProvider.System, NullLogger<UploadService>.Instance);
        _file = AttachmentEncryptor.Encrypt(RandomNumberGenerator.GetBytes((2 * ChunkLayout.SmallPlaintextBytes) + 5), Id.ToString(), ChunkBytes, RandomNumberGenerator.GetBytes(32));
    }

    [Theory]
    [InlineData("AAECAwQFBgcICQoLDA0ODw", true)]
    [InlineData("AAECAwQFBgcICQoLDA0ODx", false)] // the last character's unused bits set: not canonical
    [InlineData("AAECAwQFBgcICQoLDA0OD", false)]
    [InlineData("AAECAwQFBgcICQoLDA0ODw==", false)]
    [InlineData("AAECAwQFBgcICQoLDA0OD+", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void An_upload_id_is_22_canonical_base64url_characters(string? text, bool valid)
    {
        Assert.Equal(valid, UploadId.TryParse(text, out var id));
        Assert.Equal(valid ? text : "", id.ToString());
    }

    [Theory]
    [InlineData(1, ChunkLayout.SmallChunkBytes, UploadShapeFault.None)]
    [InlineData(64, ChunkLayout.LargeChunkBytes, UploadShapeFault.None)] // exactly 64 MiB
    [InlineData(256, ChunkLayout.SmallChunkBytes, UploadShapeFault.None)]
    [InlineData(80, ChunkLayout.LargeChunkBytes, UploadShapeFault.TooLarge)]
    [InlineData(7, ChunkLayout.SmallChunkBytes, UploadShapeFault.Malformed)] // not on the ladder
    [InlineData(0, ChunkLayout.SmallChunkBytes, UploadShapeFault.Malformed)]
    [InlineData(-1, ChunkLayout.SmallChunkBytes, UploadShapeFault.Malformed)]
    [InlineData(1, ChunkLayout.SmallPlaintextBytes, UploadShapeFault.Malformed)]
    [InlineData(1, 0, UploadShapeFault.Malformed)]
    public void Create_values_are_a_chunk_size_a_ladder_count_and_within_the_file_limit(int chunks, int chunkBytes, UploadShapeFault expected) =>
        Assert.Equal(expected, _service.Check(chunks, chunkBytes));

    [Fact]
    public async Task Create_answers_created_then_repeated_for_the_same_values_and_conflict_for_others()
    {
        Assert.Equal(CreateOutcome.Created, await _service.CreateAsync(Id, 3, ChunkBytes, default));
        Assert.Equal(CreateOutcome.Repeated, await _service.CreateAsync(Id, 3, ChunkBytes, default));
        Assert.Equal(CreateOutcome.Conflict, await _service.CreateAsync(Id, 4, ChunkBytes, default));
        Assert.Equal(CreateOutcome.Conflict, await _service.CreateAsync(Id, 3, ChunkLayout.LargeChunkBytes, default));
    }

    [Fact]
    public async Task Create_that_loses_a_race_to_the_same_values_is_a_repeat()
    {
        _store.BeforeCreate = () => _store.Rows[Id.ToString()] = new UploadRecord(3, ChunkBytes);
        Assert.Equal(CreateOutcome.Repeated, await _service.CreateAsync(Id, 3, ChunkBytes, default));
    }

    [Fact]
    public async Task Create_of_a_completed_upload_is_a_conflict()
    {
        await UploadAllAsync();
        Assert.IsType<CompleteOutcome.Completed>(await _service.CompleteAsync(Id, _file.ChunkDigests, default));

        Assert.Equal(CreateOutcome.Conflict, await _service.CreateAsync(Id, 3, ChunkBytes, default));
    }

    [Fact]
    public async Task Chunks_in_any_order_with_a_resend_then_completion_give_D_and_commit_in_index_order()
    {
        await _service.CreateAsync(Id, 3, ChunkBytes, default);
        foreach (var index in new[] { 2, 0, 2, 1 })
        {
            Assert.Equal(ChunkOutcome.Staged, await StageAsync(index));
        }

        var progress = await _service.ProgressAsync(Id, default);
        Assert.NotNull(progress);
        Assert.False(progress.Complete);
        Assert.Equal([0, 1, 2], progress.Received.Select(c => c.Index));
        Assert.All(progress.Received, c => Assert.Equal(_file.ChunkDigests[c.Index][..16], c.DigestPrefix));

        var completed = Assert.IsType<CompleteOutcome.Completed>(await _service.CompleteAsync(Id, _file.ChunkDigests, default));
        Assert.Equal(_file.Digest, completed.Digest);
        Assert.Equal(_file.Chunks.SelectMany(c => c), _store.Committed(Id));

        var done = await _service.ProgressAsync(Id, default);
        Assert.True(done!.Complete);
        Assert.Equal(_file.Digest, done.Digest);
    }

    [Fact]
    public async Task Completion_again_with_the_same_digests_answers_the_same_D_and_with_others_a_conflict()
    {
        await UploadAllAsync();
        await _service.CompleteAsync(Id, _file.ChunkDigests, default);

        var again = Assert.IsType<CompleteOutcome.Completed>(await _service.CompleteAsync(Id, _file.ChunkDigests, default));
        Assert.Equal(_file.Digest, again.Digest);
        Assert.IsType<CompleteOutcome.Conflict>(await _service.CompleteAsync(Id, [.. _file.ChunkDigests.Reverse()], default));
        Assert.IsType<CompleteOutcome.Conflict>(await _service.CompleteAsync(Id, [_file.ChunkDigests[0]], default));
    }

    [Fact]
    public async Task Completion_after_a_crash_between_commit_and_the_row_finds_the_committed_blocks()
    {
        await UploadAllAsync();
        _store.FailMarkComplete = true;
        await Assert.ThrowsAsync<StorageUnavailableException>(() => _service.CompleteAsync(Id, _file.ChunkDigests, default));
        _store.FailMarkComplete = false;

        var completed = Assert.IsType<CompleteOutcome.Completed>(await _service.CompleteAsync(Id, _file.ChunkDigests, default));
        Assert.Equal(_file.Digest, completed.Digest);
        Assert.Equal(_file.Chunks.SelectMany(c => c), _store.Committed(Id));
    }

    [Fact]
    public async Task Completion_names_the_chunks_missing_or_staged_with_another_digest()
    {
        await _service.CreateAsync(Id, 3, ChunkBytes, default);
        await StageAsync(1);
        var other = RandomNumberGenerator.GetBytes(ChunkBytes);
        Assert.Equal(ChunkOutcome.Staged, await _service.StageAsync(Id, (await _service.FindAsync(Id, default))!, 2, other, SHA256.HashData(other), default));

        var incomplete = Assert.IsType<CompleteOutcome.Incomplete>(await _service.CompleteAsync(Id, _file.ChunkDigests, default));
        Assert.Equal([0, 2], incomplete.Missing);
        Assert.Null(_store.Committed(Id));
    }

    [Fact]
    public async Task Completion_of_an_unknown_upload_or_with_the_wrong_count_of_digests_is_refused()
    {
        Assert.IsType<CompleteOutcome.UnknownUpload>(await _service.CompleteAsync(Id, _file.ChunkDigests, default));
        await _service.CreateAsync(Id, 3, ChunkBytes, default);
        Assert.IsType<CompleteOutcome.WrongCount>(await _service.CompleteAsync(Id, [.. _file.ChunkDigests.Take(2)], default));
    }

    [Fact]
    public async Task A_chunk_is_refused_for_an_unknown_or_completed_upload_and_an_index_out_of_range()
    {
        Assert.Equal(ChunkOutcome.UnknownUpload, UploadService.Admit(null, 0));
        await _service.CreateAsync(Id, 3, ChunkBytes, default);
        var open = (await _service.FindAsync(Id, default))!;
        Assert.Null(UploadService.Admit(open, 2));
        Assert.Equal(ChunkOutcome.IndexOutOfRange, UploadService.Admit(open, 3));
        Assert.Equal(ChunkOutcome.IndexOutOfRange, UploadService.Admit(open, -1));
        Assert.Equal(ChunkOutcome.IndexOutOfRange, await StageAsync(3, _file.Chunks[0], _file.ChunkDigests[0]));

        await UploadAllAsync();
        await _service.CompleteAsync(Id, _file.ChunkDigests, default);
        Assert.Equal(ChunkOutcome.UploadComplete, UploadService.Admit(await _service.FindAsync(Id, default), 0));
    }

    [Fact]
    public async Task A_chunk_of_another_size_or_not_matching_its_digest_is_not_staged()
    {
        await _service.CreateAsync(Id, 3, ChunkBytes, default);
        var chunk = _file.Chunks[0];

        Assert.Equal(ChunkOutcome.SizeMismatch, await StageAsync(0, chunk[..^1], SHA256.HashData(chunk[..^1])));
        Assert.Equal(ChunkOutcome.SizeMismatch, await StageAsync(0, [.. chunk, 0], SHA256.HashData([.. chunk, 0])));
        Assert.Equal(ChunkOutcome.DigestMismatch, await StageAsync(0, chunk, _file.ChunkDigests[1]));
        Assert.Empty(_store.Blocks(Id));
    }

    private static UploadId Parse(string text) => UploadId.TryParse(text, out var id) ? id : throw new ArgumentException(text);

    private async Task UploadAllAsync()
    {
        await _service.CreateAsync(Id, 3, ChunkBytes, default);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ChunkOutcome.Staged, await StageAsync(i));
        }
    }

    private Task<ChunkOutcome> StageAsync(int index) => StageAsync(index, _file.Chunks[index], _file.ChunkDigests[index]);

    private async Task<ChunkOutcome> StageAsync(int index, byte[] chunk, byte[] digest) =>
        await _service.StageAsync(Id, (await _service.FindAsync(Id, default))!, index, chunk, digest, default);
}
