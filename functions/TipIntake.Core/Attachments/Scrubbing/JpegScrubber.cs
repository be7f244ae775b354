namespace TipIntake.Core.Attachments.Scrubbing;

/// <summary>
/// The browser scrubber's JPEG rules (docs/attachments.md, "Scrubbing images in the browser"), one segment or one piece
/// of scan data at a time: SOI, DQT, DHT, DAC, SOFn, DRI, DNL, every SOS with its entropy-coded data, EOI, the JFIF
/// header without its thumbnail, the ICC profile and Adobe's colour transform are copied byte for byte; every other APPn
/// segment, comments and everything after EOI are dropped; an orientation other than upright is written back as a
/// minimal EXIF block.
/// </summary>
internal sealed class JpegScrubber(ScrubInput input, ScrubOutput output, ScrubReport report, bool keepOrientation) : IImageScrubber
{
    private static readonly byte[] ExifHeader = "Exif\0\0"u8.ToArray();
    private static readonly byte[][] XmpHeaders = ["http://ns.adobe.com/xap/1.0/\0"u8.ToArray(), "http://ns.adobe.com/xmp/extension/\0"u8.ToArray()];

    private State _state = State.Start;
    private int _frames;
    private int _scans;
    private bool _orientationWritten;
    private long _trailerBytes;
    private int _soiMatch;
    private bool _trailerHasImage;

    private enum State
    {
        Start,
        Markers,
        Scan,
        Trailer,
        Done,
    }

    public async ValueTask<bool> StepAsync(CancellationToken cancellationToken)
    {
        switch (_state)
        {
            case State.Start:
                await input.EnsureAsync(2, cancellationToken).ConfigureAwait(false);
                Copy(2);
                _state = State.Markers;
                return true;
            case State.Markers:
                await NextSegmentAsync(cancellationToken).ConfigureAwait(false);
                return true;
            case State.Scan:
                await ScanAsync(cancellationToken).ConfigureAwait(false);
                return true;
            case State.Trailer:
                return await TrailerAsync(cancellationToken).ConfigureAwait(false);
            default:
                return false;
        }
    }

    private async ValueTask NextSegmentAsync(CancellationToken cancellationToken)
    {
        if (!await input.EnsureAsync(1, cancellationToken).ConfigureAwait(false))
        {
            throw ImageScrubRefusedException.Truncated("jpeg-no-eoi");
        }

        if (input.Available[0] != 0xFF)
        {
            throw ImageScrubRefusedException.Malformed("jpeg-expected-marker");
        }

        // Any number of 0xFF fill bytes may precede a marker; only the last is kept.
        while (true)
        {
            if (!await input.EnsureAsync(2, cancellationToken).ConfigureAwait(false))
            {
                throw ImageScrubRefusedException.Truncated("jpeg-marker");
            }

            if (input.Available[1] != 0xFF)
            {
                break;
            }

            input.Skip(1);
        }

        var marker = input.Available[1];
        if (marker == 0xD9)
        {
            if (_frames == 0 || _scans == 0)
            {
                throw ImageScrubRefusedException.Malformed("jpeg-no-image");
            }

            Copy(2);
            _state = State.Trailer;
            return;
        }

        if (marker is 0xD8 or (>= 0xD0 and <= 0xD7) or 0x01 or 0x00)
        {
            throw ImageScrubRefusedException.Malformed("jpeg-unexpected-marker");
        }

        if (!await input.EnsureAsync(4, cancellationToken).ConfigureAwait(false))
        {
            throw ImageScrubRefusedException.Truncated("jpeg-segment-length");
        }

        var length = (input.Available[2] << 8) | input.Available[3];
        if (length < 2)
        {
            throw ImageScrubRefusedException.Malformed("jpeg-segment-length");
        }

        if (!await input.EnsureAsync(2 + length, cancellationToken).ConfigureAwait(false))
        {
            throw ImageScrubRefusedException.Truncated("jpeg-segment");
        }

        var segment = input.Available[..(2 + length)];
        if (marker is >= 0xE0 and <= 0xEF)
        {
            HandleApp(marker, segment);
        }
        else if (marker == 0xFE)
        {
            report.Remove("comment");
        }
        else if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
        {
            _frames++;
            output.Write(segment);
        }
        else if (marker is 0xC4 or 0xDB or 0xCC or 0xDD or 0xDC)
        {
            output.Write(segment);
        }
        else if (marker == 0xDA)
        {
            if (_frames == 0)
            {
                throw ImageScrubRefusedException.Malformed("jpeg-scan-before-frame");
            }

            _scans++;
            output.Write(segment);
            _state = State.Scan;
        }
        else
        {
            // JPG, JPGn, DHP, EXP and reserved markers: not used by cameras or phones; refused rather than guessed at.
            throw ImageScrubRefusedException.Unsupported($"jpeg-marker-{marker:x}");
        }

        input.Skip(segment.Length);
    }

    private void HandleApp(byte marker, ReadOnlySpan<byte> segment)
    {
        var body = segment[4..];
        switch (marker)
        {
            case 0xE0 when body.StartsWith("JFIF\0"u8) && body.Length >= 14:
                if (body[12] * body[13] == 0 && body.Length == 14)
                {
                    output.Write(segment);
                }
                else
                {
                    // The JFIF header may carry an uncompressed thumbnail: the header is kept, the thumbnail dropped.
                    Span<byte> header = stackalloc byte[18];
                    header[0] = 0xFF;
                    header[1] = 0xE0;
                    header[3] = 16;
                    body[..14].CopyTo(header[4..]);
                    header[16] = 0;
                    header[17] = 0;
                    output.Write(header);
                    report.Remove("thumbnail");
                }

                return;
            case 0xE0:
                report.Remove(body.StartsWith("JFXX\0"u8) ? "thumbnail" : "other-metadata");
                return;
            case 0xE1 when body.StartsWith(ExifHeader):
                HandleExif(segment, ExifSummary.Read(body[ExifHeader.Length..]));
                return;
            case 0xE1 when body.StartsWith(XmpHeaders[0]) || body.StartsWith(XmpHeaders[1]):
                report.Remove(body.IndexOf("GPSLatitude"u8) >= 0 || body.IndexOf("GPSLongitude"u8) >= 0 ? ["xmp", "location"] : ["xmp"]);
                return;
            case 0xE2 when body.StartsWith("ICC_PROFILE\0"u8):
                output.Write(segment);
                report.Keep("colour-profile");
                return;
            case 0xE2:
                report.Remove(body.StartsWith("MPF\0"u8) ? "extra-images" : "other-metadata");
                return;
            case 0xEB:
                // JUMBF boxes: C2PA content credentials, which can name their author.
                report.Remove("content-credentials");
                return;
            case 0xED:
                report.Remove("iptc");
                return;
            case 0xEE when body.StartsWith("Adobe"u8) && body.Length == 12:
                // Version, two flag words and the colour transform: decoders need it for CMYK/YCCK and RGB JPEGs.
                output.Write(segment);
                return;
            default:
                report.Remove("other-metadata");
                return;
        }
    }

    private void HandleExif(ReadOnlySpan<byte> segment, ExifSummary exif)
    {
        if (keepOrientation && exif.Orientation != 1 && exif.OnlyOrientation)
        {
            // Already nothing but the orientation (a file cleaned before): kept exactly.
            output.Write(segment);
            report.Keep("orientation");
            return;
        }

        report.Remove(exif.Found);
        if (exif.Orientation == 1)
        {
            return;
        }

        if (!keepOrientation)
        {
            report.Remove("orientation");
        }
        else if (!_orientationWritten)
        {
            var tiff = ExifSummary.MinimalTiff(exif.Orientation);
            var length = 2 + ExifHeader.Length + tiff.Length;
            output.Write([0xFF, 0xE1, (byte)(length >> 8), (byte)length]);
            output.Write(ExifHeader);
            output.Write(tiff);
            report.Keep("orientation");
            _orientationWritten = true;
        }
    }

    /// <summary>Entropy-coded data, copied up to the first marker that is neither a stuffed zero nor a restart marker.</summary>
    private async ValueTask ScanAsync(CancellationToken cancellationToken)
    {
        if (!await input.EnsureAsync(2, cancellationToken).ConfigureAwait(false))
        {
            throw ImageScrubRefusedException.Truncated("jpeg-scan");
        }

        var data = input.Available;
        var position = 0;
        while (true)
        {
            var ff = data[position..].IndexOf((byte)0xFF);
            if (ff < 0 || position + ff + 1 >= data.Length)
            {
                // No marker in what is at hand: pass it on (all but a last 0xFF, whose meaning the next byte decides).
                var passed = ff < 0 ? data.Length : position + ff;
                output.Write(data[..passed]);
                input.Skip(passed);
                return;
            }

            ff += position;
            var next = data[ff + 1];
            if (next is 0x00 or (>= 0xD0 and <= 0xD7))
            {
                position = ff + 2;
            }
            else if (next == 0xFF)
            {
                position = ff + 1;
            }
            else
            {
                output.Write(data[..ff]);
                input.Skip(ff);
                _state = State.Markers;
                return;
            }
        }
    }

    /// <summary>Whatever follows EOI (phones append depth maps and gain maps there, each with its own EXIF): read and dropped.</summary>
    private async ValueTask<bool> TrailerAsync(CancellationToken cancellationToken)
    {
        if (!await input.EnsureAsync(1, cancellationToken).ConfigureAwait(false))
        {
            if (_trailerBytes > 0)
            {
                report.Remove(_trailerHasImage && _trailerBytes > 3 ? "extra-images" : "trailing-data");
            }

            _state = State.Done;
            return false;
        }

        foreach (var b in input.Available)
        {
            // Another image's start (FF D8 FF) anywhere in the trailer.
            _soiMatch = (_soiMatch, b) switch
            {
                (2, 0xFF) => 3,
                (1, 0xD8) => 2,
                (_, 0xFF) => 1,
                _ => 0,
            };
            _trailerHasImage |= _soiMatch == 3;
        }

        _trailerBytes += input.Count;
        input.Skip(input.Count);
        return true;
    }

    private void Copy(int count)
    {
        output.Write(input.Available[..count]);
        input.Skip(count);
    }
}
