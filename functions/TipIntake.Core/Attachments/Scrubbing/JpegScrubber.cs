namespace TipIntake.Core.Attachments.Scrubbing;

/// <summary>
/// The browser scrubber's JPEG rules (docs/attachments.md, "Scrubbing images in the browser"), one segment or one piece
/// of scan data at a time: SOI, DQT, DHT, DAC, SOFn, DRI, DNL, every SOS with its entropy-coded data, EOI, the JFIF
/// header without its thumbnail, the ICC profile and Adobe's colour transform are copied byte for byte; every other APPn
/// segment, comments and everything after EOI are dropped; an orientation other than upright is written back as a
/// minimal EXIF block.
/// </summary>
internal sealed class JpegScrubber(ScrubInput input, ScrubOutput output, ScrubReport report, bool keepOrientation) : ImageScrubber(input, output, report, signatureLength: 2)
{
    private static readonly byte[] ExifHeader = "Exif\0\0"u8.ToArray();
    private static readonly byte[][] XmpHeaders = ["http://ns.adobe.com/xap/1.0/\0"u8.ToArray(), "http://ns.adobe.com/xmp/extension/\0"u8.ToArray()];

    private bool _inScan;
    private int _frames;
    private int _scans;
    private bool _orientationWritten;
    private int _soiMatch;
    private bool _trailerHasImage;

    protected override ValueTask ImageStepAsync(CancellationToken cancellationToken) =>
        _inScan ? ScanAsync(cancellationToken) : NextSegmentAsync(cancellationToken);

    private async ValueTask NextSegmentAsync(CancellationToken cancellationToken)
    {
        if (!await Input.EnsureAsync(1, cancellationToken).ConfigureAwait(false))
        {
            throw ImageScrubRefusedException.Truncated("jpeg-no-eoi");
        }

        if (Input.Available[0] != 0xFF)
        {
            throw ImageScrubRefusedException.Malformed("jpeg-expected-marker");
        }

        // Any number of 0xFF fill bytes may precede a marker; only the last is kept.
        while (true)
        {
            if (!await Input.EnsureAsync(2, cancellationToken).ConfigureAwait(false))
            {
                throw ImageScrubRefusedException.Truncated("jpeg-marker");
            }

            if (Input.Available[1] != 0xFF)
            {
                break;
            }

            Input.Skip(1);
        }

        var marker = Input.Available[1];
        if (marker == 0xD9)
        {
            if (_frames == 0 || _scans == 0)
            {
                throw ImageScrubRefusedException.Malformed("jpeg-no-image");
            }

            Copy(2);
            EndImage();
            return;
        }

        if (marker is 0xD8 or (>= 0xD0 and <= 0xD7) or 0x01 or 0x00)
        {
            throw ImageScrubRefusedException.Malformed("jpeg-unexpected-marker");
        }

        if (!await Input.EnsureAsync(4, cancellationToken).ConfigureAwait(false))
        {
            throw ImageScrubRefusedException.Truncated("jpeg-segment-length");
        }

        var length = (Input.Available[2] << 8) | Input.Available[3];
        if (length < 2)
        {
            throw ImageScrubRefusedException.Malformed("jpeg-segment-length");
        }

        if (!await Input.EnsureAsync(2 + length, cancellationToken).ConfigureAwait(false))
        {
            throw ImageScrubRefusedException.Truncated("jpeg-segment");
        }

        var segment = Input.Available[..(2 + length)];
        if (marker is >= 0xE0 and <= 0xEF)
        {
            HandleApp(marker, segment);
        }
        else if (marker == 0xFE)
        {
            Report.Remove("comment");
        }
        else if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
        {
            _frames++;
            Output.Write(segment);
        }
        else if (marker is 0xC4 or 0xDB or 0xCC or 0xDD or 0xDC)
        {
            Output.Write(segment);
        }
        else if (marker == 0xDA)
        {
            if (_frames == 0)
            {
                throw ImageScrubRefusedException.Malformed("jpeg-scan-before-frame");
            }

            _scans++;
            Output.Write(segment);
            _inScan = true;
        }
        else
        {
            // JPG, JPGn, DHP, EXP and reserved markers: not used by cameras or phones; refused rather than guessed at.
            throw ImageScrubRefusedException.Unsupported($"jpeg-marker-{marker:x}");
        }

        Input.Skip(segment.Length);
    }

    private void HandleApp(byte marker, ReadOnlySpan<byte> segment)
    {
        var body = segment[4..];
        switch (marker)
        {
            case 0xE0 when body.StartsWith("JFIF\0"u8) && body.Length >= 14:
                if (body[12] * body[13] == 0 && body.Length == 14)
                {
                    Output.Write(segment);
                }
                else
                {
                    // The JFIF header may carry an uncompressed thumbnail: the header is kept, its thumbnail size set to
                    // 0 × 0, and the thumbnail dropped.
                    Output.Write([0xFF, 0xE0, 0, 16]);
                    Output.Write(body[..12]);
                    Output.Write([0, 0]);
                    Report.Remove("thumbnail");
                }

                return;
            case 0xE0:
                Report.Remove(body.StartsWith("JFXX\0"u8) ? "thumbnail" : "other-metadata");
                return;
            case 0xE1 when body.StartsWith(ExifHeader):
                HandleExif(segment, ExifSummary.Read(body[ExifHeader.Length..]));
                return;
            case 0xE1 when body.StartsWith(XmpHeaders[0]) || body.StartsWith(XmpHeaders[1]):
                Report.Remove(body.IndexOf("GPSLatitude"u8) >= 0 || body.IndexOf("GPSLongitude"u8) >= 0 ? ["xmp", "location"] : ["xmp"]);
                return;
            case 0xE2 when body.StartsWith("ICC_PROFILE\0"u8):
                Output.Write(segment);
                Report.Keep("colour-profile");
                return;
            case 0xE2:
                Report.Remove(body.StartsWith("MPF\0"u8) ? "extra-images" : "other-metadata");
                return;
            case 0xEB:
                // JUMBF boxes: C2PA content credentials, which can name their author.
                Report.Remove("content-credentials");
                return;
            case 0xED:
                Report.Remove("iptc");
                return;
            case 0xEE when body.StartsWith("Adobe"u8) && body.Length == 12:
                // Version, two flag words and the colour transform: decoders need it for CMYK/YCCK and RGB JPEGs.
                Output.Write(segment);
                return;
            default:
                Report.Remove("other-metadata");
                return;
        }
    }

    private void HandleExif(ReadOnlySpan<byte> segment, ExifSummary exif)
    {
        if (keepOrientation && exif.Orientation != 1 && exif.OnlyOrientation)
        {
            // Already nothing but the orientation (a file cleaned before): kept exactly.
            Output.Write(segment);
            Report.Keep("orientation");
            return;
        }

        Report.Remove(exif.Found);
        if (exif.Orientation == 1)
        {
            return;
        }

        if (!keepOrientation)
        {
            Report.Remove("orientation");
        }
        else if (!_orientationWritten)
        {
            var tiff = ExifSummary.MinimalTiff(exif.Orientation);
            var length = 2 + ExifHeader.Length + tiff.Length;
            Output.Write([0xFF, 0xE1, (byte)(length >> 8), (byte)length]);
            Output.Write(ExifHeader);
            Output.Write(tiff);
            Report.Keep("orientation");
            _orientationWritten = true;
        }
    }

    /// <summary>Entropy-coded data, copied up to the first marker that is neither a stuffed zero nor a restart marker.</summary>
    private async ValueTask ScanAsync(CancellationToken cancellationToken)
    {
        if (!await Input.EnsureAsync(2, cancellationToken).ConfigureAwait(false))
        {
            throw ImageScrubRefusedException.Truncated("jpeg-scan");
        }

        var data = Input.Available;
        var position = 0;
        while (true)
        {
            var ff = data[position..].IndexOf((byte)0xFF);
            if (ff < 0 || position + ff + 1 >= data.Length)
            {
                // No marker in what is at hand: pass it on (all but a last 0xFF, whose meaning the next byte decides).
                var passed = ff < 0 ? data.Length : position + ff;
                Output.Write(data[..passed]);
                Input.Skip(passed);
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
                Output.Write(data[..ff]);
                Input.Skip(ff);
                _inScan = false;
                return;
            }
        }
    }

    /// <summary>Whatever follows EOI (phones append depth maps and gain maps there, each with its own EXIF): looked at for another image, then dropped.</summary>
    protected override void InspectTrailer(ReadOnlySpan<byte> piece)
    {
        foreach (var b in piece)
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
    }

    protected override string TrailerCode(long bytes) => _trailerHasImage && bytes > 3 ? "extra-images" : "trailing-data";
}
