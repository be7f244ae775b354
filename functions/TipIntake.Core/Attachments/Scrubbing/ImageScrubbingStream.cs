namespace TipIntake.Core.Attachments.Scrubbing;

/// <summary>
/// A photo cleaned as it is read (docs/attachments.md, "The no-script path"): the browser scrubber's JPEG and PNG rules
/// applied to a stream, so that a file posted without JavaScript loses its location, camera and author data on arrival,
/// before it is encrypted — without being re-encoded and without more than <see cref="ScrubInput.Capacity"/> of it held
/// at once. An image the rules cannot clean fails the read with an <see cref="ImageScrubRefusedException"/>: a photo
/// is never passed on half-cleaned. <see cref="Report"/> is complete once the stream has been read to its end.
/// </summary>
public sealed class ImageScrubbingStream : AsyncReadOnlyStream
{
    private readonly ScrubInput _input;
    private readonly ScrubOutput _output = new();
    private readonly bool _keepOrientation;
    private ImageScrubber? _scrubber;
    private bool _ended;

    /// <param name="source">The image as posted; read to its end.</param>
    /// <param name="keepOrientation">Write back a rotated photo's orientation (and nothing else of its EXIF).</param>
    public ImageScrubbingStream(Stream source, bool keepOrientation = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        _input = new ScrubInput(source);
        _keepOrientation = keepOrientation;
    }

    /// <summary>The media types whose files this stream cleans; other files are sent as they are.</summary>
    public static IReadOnlyList<string> CleanableTypes { get; } = ["image/jpeg", "image/png"];

    public ScrubReport Report { get; } = new();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_output.IsEmpty && !_ended)
        {
            _scrubber ??= await DetectAsync(cancellationToken).ConfigureAwait(false);
            _ended = !await _scrubber.StepAsync(cancellationToken).ConfigureAwait(false);
        }

        return _output.ReadInto(buffer.Span);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Dispose();
            _output.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The format by its signature, not by what the browser said it was.</summary>
    private async ValueTask<ImageScrubber> DetectAsync(CancellationToken cancellationToken)
    {
        await _input.EnsureAsync(8, cancellationToken).ConfigureAwait(false);
        var start = _input.Available;
        if (start is [0xFF, 0xD8, 0xFF, ..])
        {
            return new JpegScrubber(_input, _output, Report, _keepOrientation);
        }

        if (start is [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..])
        {
            return new PngScrubber(_input, _output, Report, _keepOrientation);
        }

        throw ImageScrubRefusedException.Unsupported("not-jpeg-or-png");
    }
}
