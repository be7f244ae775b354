using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Core.Staff;
using TipIntake.Core.Tests.Fakes;
using TipIntake.Core.Tests.Triage;
using TipIntake.Core.Triage;

namespace TipIntake.Core.Tests.Attachments;

/// <summary>
/// Staff downloads (docs/attachments.md, "Download (triage)"): recorded before anything of the file is read, and
/// nothing read when that fails; the file's key unwrapped with its own version and zeroed after use; a disabled key
/// answered as such with the attempt kept; every integrity fault recorded in the tip's trail.
/// </summary>
public sealed class AttachmentDownloadsTests
{
    private const int ChunkBytes = ChunkLayout.SmallChunkBytes;
    private const string Upload = "qvH4M4u8SCa1x0E0q9KzTg";
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 17, 0, 0, TimeSpan.Zero);
    private static readonly StaffMember Reader = new("oid-reader", "Reader", new HashSet<string> { StaffRoles.Reader });

    private readonly FakeTriageStore _triage = new();
    private readonly FakeTipAttachmentStore _files = new();
    private readonly RecordingKey _key = new(new FakeIntakeKey());
    private readonly AttachmentDownloads _downloads;
    private readonly string _tipId;

    public AttachmentDownloadsTests()
    {
        _downloads = new AttachmentDownloads(_triage, _files, _key, new FixedTimeProvider(Now), NullLogger<AttachmentDownloads>.Instance);
        _tipId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _triage.Add(
            new TipSummary(_tipId, "detention", "new", 3, "detention", "soon", "CN", "Jilin", Now.AddHours(-1), null, [], null),
            new TipContent("narrative", null, null, null, null, "ko", null));
    }

    [Fact]
    public async Task A_download_is_recorded_before_anything_of_the_file_is_read_and_sends_the_file_with_its_key_zeroed()
    {
        var file = RandomNumberGenerator.GetBytes((2 * ChunkLayout.SmallPlaintextBytes) + 77);
        await SeedAsync(1, file);
        var recordedFirst = new List<bool>();
        _files.BeforeRead = () => recordedFirst.Add(_triage.AllEvents.Any(e => e.Action == "attachment-downloaded"));

        var ready = Assert.IsType<DownloadOpening.Ready>(await _downloads.OpenAsync(_tipId, 1, Reader, default));
        using var sent = new MemoryStream();
        var end = await ready.Download.WriteAsync(sent, default);

        Assert.Equal(DownloadEnd.Complete, end);
        Assert.Equal(file, sent.ToArray());
        Assert.NotEmpty(recordedFirst);
        Assert.All(recordedFirst, Assert.True);
        var recorded = Assert.Single(_triage.AllEvents);
        Assert.Equal((_tipId, "oid-reader", "attachment-downloaded", null, "1", Now), (recorded.TipId, recorded.Actor, recorded.Action, recorded.From, recorded.To, recorded.At));
        Assert.Equal($"tip-{_tipId[..8]}-1.png", ready.Download.FileName);
        Assert.Equal(file.Length, ready.Download.Size);
        Assert.Equal(SHA256.HashData(file), ready.Download.Sha256.ToArray());
        Assert.All(Assert.Single(_key.Unwrapped), b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task A_download_that_cannot_be_recorded_reads_nothing_of_the_file_and_unwraps_nothing()
    {
        await SeedAsync(1, RandomNumberGenerator.GetBytes(100));
        _triage.FailAppends = 1;

        await Assert.ThrowsAsync<StorageUnavailableException>(() => _downloads.OpenAsync(_tipId, 1, Reader, default));

        Assert.Equal(0, _files.Reads);
        Assert.Empty(_key.Unwrapped);
        Assert.Equal(0, _key.Inner.UnwrapCalls);
        Assert.Empty(_triage.AllEvents);
    }

    [Fact]
    public async Task A_disabled_or_deleted_key_version_is_key_unavailable_and_the_attempt_stays_recorded()
    {
        await SeedAsync(1, RandomNumberGenerator.GetBytes(100));
        _key.Inner.UnwrapFailure = IntakeKeyFailure.KeyUnavailable;

        Assert.IsType<DownloadOpening.KeyUnavailable>(await _downloads.OpenAsync(_tipId, 1, Reader, default));

        Assert.Equal(["attachment-downloaded"], _triage.AllEvents.Select(e => e.Action));
    }

    [Theory]
    [InlineData(IntakeKeyFailure.Transient)]
    [InlineData(IntakeKeyFailure.Unauthorized)]
    public async Task A_key_service_that_cannot_be_reached_is_unavailable_and_the_attempt_stays_recorded(IntakeKeyFailure failure)
    {
        await SeedAsync(1, RandomNumberGenerator.GetBytes(100));
        _key.Inner.UnwrapFailure = failure;

        Assert.IsType<DownloadOpening.Unavailable>(await _downloads.OpenAsync(_tipId, 1, Reader, default));

        Assert.Equal(["attachment-downloaded"], _triage.AllEvents.Select(e => e.Action));
    }

    [Fact]
    public async Task A_wrapped_key_the_intake_key_refuses_or_an_absent_blob_is_an_integrity_failure_before_any_byte()
    {
        await SeedAsync(1, RandomNumberGenerator.GetBytes(100), wrappedKey: JoseBase64.Encode(FakeIntakeKey.Rsa3072.Encrypt(new byte[32], RSAEncryptionPadding.OaepSHA1)));
        await SeedAsync(2, RandomNumberGenerator.GetBytes(100), withBlob: false);

        Assert.Equal(AttachmentIntegrityFault.Key, Assert.IsType<DownloadOpening.IntegrityFailed>(await _downloads.OpenAsync(_tipId, 1, Reader, default)).Fault);
        Assert.Equal(AttachmentIntegrityFault.Absent, Assert.IsType<DownloadOpening.IntegrityFailed>(await _downloads.OpenAsync(_tipId, 2, Reader, default)).Fault);

        Assert.Equal(
            [("attachment-downloaded", "1"), ("attachment-integrity-failed", "1"), ("attachment-downloaded", "2"), ("attachment-integrity-failed", "2")],
            _triage.AllEvents.Select(e => (e.Action, e.To!)));
        Assert.All(_key.Unwrapped, key => Assert.All(key, b => Assert.Equal(0, b)));
    }

    [Fact]
    public async Task A_tampered_last_chunk_fails_after_the_first_bytes_are_sent_and_is_recorded()
    {
        var file = RandomNumberGenerator.GetBytes((2 * ChunkLayout.SmallPlaintextBytes) + 77);
        await SeedAsync(1, file, tamper: ciphertext => ciphertext[^5] ^= 0x01);

        var ready = Assert.IsType<DownloadOpening.Ready>(await _downloads.OpenAsync(_tipId, 1, Reader, default));
        using var sent = new MemoryStream();
        var end = await ready.Download.WriteAsync(sent, default);

        Assert.Equal(DownloadEnd.IntegrityFailed, end);
        Assert.Equal(file[..(2 * ChunkLayout.SmallPlaintextBytes)], sent.ToArray());
        Assert.Equal(["attachment-downloaded", "attachment-integrity-failed"], _triage.AllEvents.Select(e => e.Action));
        Assert.All(Assert.Single(_key.Unwrapped), b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task A_file_whose_hash_is_not_the_tips_is_an_integrity_failure()
    {
        var file = RandomNumberGenerator.GetBytes(500);
        await SeedAsync(1, file, sha256: SHA256.HashData([.. file, 0]));

        var ready = Assert.IsType<DownloadOpening.Ready>(await _downloads.OpenAsync(_tipId, 1, Reader, default));

        Assert.Equal(DownloadEnd.IntegrityFailed, await ready.Download.WriteAsync(Stream.Null, default));
        Assert.Equal("attachment-integrity-failed", _triage.AllEvents[^1].Action);
    }

    [Fact]
    public async Task Storage_failing_midway_is_unreadable_not_an_integrity_failure_and_the_key_is_zeroed()
    {
        await SeedAsync(1, RandomNumberGenerator.GetBytes((2 * ChunkLayout.SmallPlaintextBytes) + 1));
        _files.FailAfterFirstChunk = new IOException("the blob's next range could not be read");

        var ready = Assert.IsType<DownloadOpening.Ready>(await _downloads.OpenAsync(_tipId, 1, Reader, default));

        Assert.Equal(DownloadEnd.Unreadable, await ready.Download.WriteAsync(Stream.Null, default));
        Assert.Equal(["attachment-downloaded"], _triage.AllEvents.Select(e => e.Action));
        Assert.All(Assert.Single(_key.Unwrapped), b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(AttachmentState.Awaited)]
    [InlineData(AttachmentState.Missing)]
    [InlineData(AttachmentState.Mismatch)]
    [InlineData(AttachmentState.OverLimit)]
    public async Task A_file_that_is_not_attached_is_answered_with_its_state_and_its_key_is_never_unwrapped(AttachmentState state)
    {
        await SeedAsync(1, RandomNumberGenerator.GetBytes(100), state: state);

        Assert.Equal(state, Assert.IsType<DownloadOpening.NotAttached>(await _downloads.OpenAsync(_tipId, 1, Reader, default)).State);

        Assert.Equal(0, _key.Inner.UnwrapCalls);
        Assert.Equal(["attachment-downloaded"], _triage.AllEvents.Select(e => e.Action));
    }

    [Fact]
    public async Task An_unknown_number_is_no_attachment_and_an_unknown_tip_is_no_tip_with_nothing_recorded()
    {
        Assert.IsType<DownloadOpening.NoAttachment>(await _downloads.OpenAsync(_tipId, 3, Reader, default));
        Assert.Equal(["attachment-downloaded"], _triage.AllEvents.Select(e => e.Action));

        Assert.IsType<DownloadOpening.NoTip>(await _downloads.OpenAsync(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), 1, Reader, default));
        Assert.IsType<DownloadOpening.NoTip>(await _downloads.OpenAsync("not-a-tip", 1, Reader, default));
        Assert.Single(_triage.AllEvents);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("10", 10)]
    [InlineData("99", 99)]
    [InlineData("0", null)]
    [InlineData("01", null)]
    [InlineData("100", null)]
    [InlineData("+1", null)]
    [InlineData("-1", null)]
    [InlineData("1a", null)]
    [InlineData("١", null)]
    [InlineData("", null)]
    public void A_files_number_is_one_spelling_from_1_to_99(string text, int? number) =>
        Assert.Equal(number, AttachmentDownloads.NumberOf(text));

    private async Task SeedAsync(
        int number,
        byte[] file,
        AttachmentState state = AttachmentState.Attached,
        string? wrappedKey = null,
        bool withBlob = true,
        byte[]? sha256 = null,
        Action<byte[]>? tamper = null)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var encrypted = AttachmentEncryptor.Encrypt(file, Upload, ChunkBytes, key);
        var entry = new AttachmentEntry(
            Upload, encrypted.Digest, encrypted.Chunks.Count, ChunkBytes, _key.Inner.KeyId,
            wrappedKey ?? JoseBase64.Encode(_key.Inner.Rsa.Encrypt(key, RSAEncryptionPadding.OaepSHA256)),
            encrypted.Size, sha256 ?? encrypted.Sha256, "image/png", $"photo-{number}.png", "scrubbed", ["location"]);
        await _files.PutAsync(new TipAttachment(_tipId, number, state, entry), default);
        if (withBlob)
        {
            var ciphertext = encrypted.Chunks.SelectMany(c => c).ToArray();
            tamper?.Invoke(ciphertext);
            _files.PutBlob(_tipId, number, ciphertext);
        }
    }

    /// <summary>The intake key, keeping every content key it hands out, so that a test sees them zeroed.</summary>
    private sealed class RecordingKey(FakeIntakeKey inner) : IIntakeKey
    {
        public FakeIntakeKey Inner => inner;

        public List<byte[]> Unwrapped { get; } = [];

        public ValueTask<IntakePublicKey> GetPublicKeyAsync(CancellationToken cancellationToken) => inner.GetPublicKeyAsync(cancellationToken);

        public KeyVersionCheck CheckKeyVersion(string keyId) => inner.CheckKeyVersion(keyId);

        public async ValueTask<byte[]> UnwrapAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, CancellationToken cancellationToken)
        {
            var key = await inner.UnwrapAsync(keyId, wrappedKey, cancellationToken);
            Unwrapped.Add(key);
            return key;
        }
    }
}
