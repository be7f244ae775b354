namespace TipIntake.Core.Attachments.Scrubbing;

/// <summary>
/// What the JPEG and PNG rules share (docs/attachments.md, "Scrubbing images in the browser"): the signature is copied,
/// the format's own steps run until it has copied the image's end marker and called <see cref="EndImage"/>, and whatever
/// follows the image is then read and dropped, one buffer at a time.
/// </summary>
internal abstract class ImageScrubber(ScrubInput input, ScrubOutput output, ScrubReport report, int signatureLength)
{
    private Stage _stage = Stage.Signature;
    private long _trailerBytes;

    private enum Stage
    {
        Signature,
        Image,
        Trailer,
        Done,
    }

    protected ScrubInput Input { get; } = input;

    protected ScrubOutput Output { get; } = output;

    protected ScrubReport Report { get; } = report;

    /// <summary>One step of the rules: reads what it needs from the input and writes what it keeps to the output. False once the image and whatever followed it have been read.</summary>
    public async ValueTask<bool> StepAsync(CancellationToken cancellationToken)
    {
        switch (_stage)
        {
            case Stage.Signature:
                await Input.EnsureAsync(signatureLength, cancellationToken).ConfigureAwait(false);
                Copy(signatureLength);
                _stage = Stage.Image;
                return true;
            case Stage.Image:
                await ImageStepAsync(cancellationToken).ConfigureAwait(false);
                return true;
            case Stage.Trailer:
                return await TrailerAsync(cancellationToken).ConfigureAwait(false);
            default:
                return false;
        }
    }

    /// <summary>One segment or chunk of the image itself, or a piece of one.</summary>
    protected abstract ValueTask ImageStepAsync(CancellationToken cancellationToken);

    /// <summary>A piece of what follows the image, before it is dropped.</summary>
    protected virtual void InspectTrailer(ReadOnlySpan<byte> piece)
    {
    }

    /// <summary>The code the report gives a dropped trailer of <paramref name="bytes"/> bytes.</summary>
    protected virtual string TrailerCode(long bytes) => "trailing-data";

    /// <summary>The image's end marker has been copied: the next steps read and drop what follows it.</summary>
    protected void EndImage() => _stage = Stage.Trailer;

    protected void Copy(int count)
    {
        Output.Write(Input.Available[..count]);
        Input.Skip(count);
    }

    private async ValueTask<bool> TrailerAsync(CancellationToken cancellationToken)
    {
        if (!await Input.EnsureAsync(1, cancellationToken).ConfigureAwait(false))
        {
            if (_trailerBytes > 0)
            {
                Report.Remove(TrailerCode(_trailerBytes));
            }

            _stage = Stage.Done;
            return false;
        }

        InspectTrailer(Input.Available);
        _trailerBytes += Input.Count;
        Input.Skip(Input.Count);
        return true;
    }
}
