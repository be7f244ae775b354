using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Core.Tests.Fakes;

namespace TipIntake.Core.Tests.Attachments;

/// <summary>
/// <c>Attachments:MaxOpenUploads</c> (docs/attachments.md, "Open uploads"): a create takes a slot on its day, a resend
/// takes none, a lost race gives its slot back, and the window counted is the sweep's age in whole days; and the
/// stampless ask of what arrived draws from a bucket of its own.
/// </summary>
public sealed class OpenUploadsTests
{
    private const int ChunkBytes = ChunkLayout.SmallChunkBytes;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
    private readonly MemoryUploadStore _store = new();
    private readonly MemoryOpenUploadLedger _ledger = new();

    private static DateOnly Today => new(2026, 12, 3);

    [Fact]
    public async Task Creates_beyond_the_limit_are_refused_and_write_nothing_while_resends_of_open_uploads_still_answer()
    {
        var service = Service(maxOpen: 2);
        var (first, second, third) = (NewUpload(), NewUpload(), NewUpload());

        Assert.Equal(CreateOutcome.Created, await service.CreateAsync(first, 1, ChunkBytes, default));
        Assert.Equal(CreateOutcome.Created, await service.CreateAsync(second, 1, ChunkBytes, default));
        Assert.Equal(CreateOutcome.TooManyOpen, await service.CreateAsync(third, 1, ChunkBytes, default));

        Assert.Null(await _store.GetAsync(third, default));
        Assert.Equal(2, _ledger.Open[Today]);
        Assert.Equal(CreateOutcome.Repeated, await service.CreateAsync(first, 1, ChunkBytes, default));
        Assert.Equal(CreateOutcome.Conflict, await service.CreateAsync(second, 2, ChunkBytes, default));
        Assert.Equal(2, _ledger.Open[Today]);
    }

    [Fact]
    public async Task A_created_upload_holds_its_slot_on_its_day_counted_over_the_sweeps_age_in_whole_days()
    {
        var service = Service(maxOpen: 10, orphanAfter: TimeSpan.FromHours(36));
        var upload = NewUpload();

        Assert.Equal(CreateOutcome.Created, await service.CreateAsync(upload, 1, ChunkBytes, default));

        Assert.Equal(Today, (await _store.GetAsync(upload, default))!.Slot);
        Assert.Equal(Today.AddDays(-2), _ledger.LastCountFrom);
    }

    [Fact]
    public async Task A_create_that_loses_a_race_gives_its_slot_back()
    {
        var service = Service(maxOpen: 10);
        var upload = NewUpload();
        _store.BeforeCreate = () => _store.Rows[upload.ToString()] = new UploadRecord(1, ChunkBytes, Slot: Today);

        Assert.Equal(CreateOutcome.Repeated, await service.CreateAsync(upload, 1, ChunkBytes, default));
        Assert.Equal(0, _ledger.Open[Today]);
    }

    [Fact]
    public async Task A_full_ledger_is_trusted_for_a_second_then_asked_again_and_a_slot_given_back_is_taken()
    {
        var service = Service(maxOpen: 1);
        Assert.Equal(CreateOutcome.Created, await service.CreateAsync(NewUpload(), 1, ChunkBytes, default));
        Assert.Equal(CreateOutcome.TooManyOpen, await service.CreateAsync(NewUpload(), 1, ChunkBytes, default));
        var asks = _ledger.Asks;

        await _ledger.ReleaseAsync(Today, default);
        Assert.Equal(CreateOutcome.TooManyOpen, await service.CreateAsync(NewUpload(), 1, ChunkBytes, default));
        Assert.Equal(asks, _ledger.Asks);

        _time.Advance(UploadService.TrustFullFor);
        Assert.Equal(CreateOutcome.Created, await service.CreateAsync(NewUpload(), 1, ChunkBytes, default));
        Assert.Equal(asks + 1, _ledger.Asks);
    }

    [Fact]
    public async Task Slots_of_days_before_the_window_no_longer_count()
    {
        var service = Service(maxOpen: 1);
        Assert.Equal(CreateOutcome.Created, await service.CreateAsync(NewUpload(), 1, ChunkBytes, default));

        // A slot whose give-back was lost (a crash) holds until its day leaves the window, seven days on.
        _time.Advance(TimeSpan.FromDays(7));
        Assert.Equal(CreateOutcome.TooManyOpen, await service.CreateAsync(NewUpload(), 1, ChunkBytes, default));
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(CreateOutcome.Created, await service.CreateAsync(NewUpload(), 1, ChunkBytes, default));
    }

    [Fact]
    public async Task Asks_of_what_arrived_draw_from_their_own_bucket_and_never_from_the_byte_budget()
    {
        var buckets = new FakeBucketStore(_time);
        using var gate = new UploadGate(Options.Create(new AttachmentOptions { MaxStatusReadsPerSecond = 2, MaxBytesPerSecond = 64 * 1024 }), buckets, _time);

        for (var i = 0; i < 4; i++)
        {
            Assert.True(await gate.TryTakeStatusReadAsync(default));
        }

        Assert.False(await gate.TryTakeStatusReadAsync(default));
        Assert.True(await gate.TryTakeAsync(ChunkLayout.LargeChunkBytes, default));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await gate.TryTakeStatusReadAsync(default));
    }

    private UploadService Service(int maxOpen, TimeSpan? orphanAfter = null) => new(
        _store,
        _ledger,
        Options.Create(new AttachmentOptions { MaxOpenUploads = maxOpen, OrphanAfter = orphanAfter ?? TimeSpan.FromDays(7) }),
        _time,
        NullLogger<UploadService>.Instance);

    private static UploadId NewUpload() => UploadId.TryParse(SubmissionId.New().ToString(), out var id) ? id : throw new InvalidOperationException();
}
