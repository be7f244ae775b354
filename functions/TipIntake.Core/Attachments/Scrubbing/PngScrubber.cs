using System.Buffers.Binary;
using System.IO.Hashing;

namespace TipIntake.Core.Attachments.Scrubbing;

/// <summary>
/// The browser scrubber's PNG rules (docs/attachments.md, "Scrubbing images in the browser"), one chunk (or one piece of
/// a large chunk) at a time: the image data and what decides how it looks are copied byte for byte with their CRCs
/// checked; text, XMP, EXIF, time, density, C2PA and every other ancillary chunk are dropped, and anything after IEND;
/// an unknown critical chunk is refused. An orientation other than upright is written back as a minimal eXIf chunk
/// before the image data.
/// </summary>
internal sealed class PngScrubber(ScrubInput input, ScrubOutput output, ScrubReport report, bool keepOrientation) : ImageScrubber(input, output, report, signatureLength: 8)
{
    private static readonly HashSet<string> Kept = new(StringComparer.Ordinal)
    {
        "IHDR", "PLTE", "IDAT", "IEND", "tRNS", "cHRM", "gAMA", "iCCP", "sBIT", "sRGB", "cICP", "mDCV", "mDCv", "cLLI", "cLLi",
        "bKGD", "acTL", "fcTL", "fdAT",
    };

    /// <summary>Chunk data larger than this is passed through or skipped in pieces, never held whole.</summary>
    private const int WholeChunkLimit = ScrubInput.Capacity - 12;

    private readonly Crc32 _crc = new();
    private State _state = State.Chunk;
    private bool _first = true;
    private bool _sawImageData;
    private int _orientation = 1;
    private byte[]? _orientationOnlyChunk;
    private string _type = "";
    private long _remaining;

    private enum State
    {
        Chunk,
        PassingData,
        SkippingData,
    }

    protected override ValueTask ImageStepAsync(CancellationToken cancellationToken) => _state switch
    {
        State.PassingData => PassAsync(cancellationToken),
        State.SkippingData => SkipAsync(cancellationToken),
        _ => NextChunkAsync(cancellationToken),
    };

    private async ValueTask NextChunkAsync(CancellationToken cancellationToken)
    {
        if (!await Input.EnsureAsync(8, cancellationToken).ConfigureAwait(false))
        {
            throw ImageScrubRefusedException.Truncated("png-chunk-header");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(Input.Available);
        if (length > int.MaxValue || !IsLetters(Input.Available[4..8]))
        {
            throw ImageScrubRefusedException.Malformed("png-chunk-header");
        }

        _type = Encoding.ASCII.GetString(Input.Available[4..8]);
        var whole = length <= WholeChunkLimit;
        if (whole && !await Input.EnsureAsync(12 + (int)length, cancellationToken).ConfigureAwait(false))
        {
            throw ImageScrubRefusedException.Truncated("png-chunk");
        }

        if (_first != (_type == "IHDR"))
        {
            throw ImageScrubRefusedException.Malformed("png-ihdr-not-first");
        }

        _first = false;
        if (Kept.Contains(_type))
        {
            BeginKept();
            Output.Write(Input.Available[..8]);
            _crc.Append(Input.Available[4..8]);
            Input.Skip(8);
            _remaining = length;
            _state = State.PassingData;
            return;
        }

        if (char.IsAsciiLetterUpper(_type[0]))
        {
            throw ImageScrubRefusedException.Unsupported("png-critical-" + _type);
        }

        var data = whole ? Input.Available[8..(8 + (int)length)] : Input.Available[8..];
        if (_type == "eXIf" && whole && KeepsOrientationChunk(ExifSummary.Read(data)))
        {
            _orientationOnlyChunk = Input.Available[..(12 + (int)length)].ToArray();
        }
        else
        {
            Report.Remove(_type switch
            {
                "eXIf" => whole ? DropExif(ExifSummary.Read(data)) : ["other-metadata"],
                "tEXt" or "zTXt" or "iTXt" => TextCodes(data),
                "tIME" => ["date-time"],
                "caBX" => ["content-credentials"],
                _ => ["other-metadata"],
            });
        }

        Input.Skip(8);
        _remaining = length + 4L;
        _state = State.SkippingData;
    }

    private void BeginKept()
    {
        _crc.Reset();
        if (_type == "IDAT" && !_sawImageData)
        {
            _sawImageData = true;
            if (keepOrientation && _orientation != 1)
            {
                Output.Write(_orientationOnlyChunk ?? Chunk("eXIf"u8, ExifSummary.MinimalTiff(_orientation)));
                Report.Keep("orientation");
            }
        }

        if (_type == "iCCP")
        {
            Report.Keep("colour-profile");
        }
    }

    /// <summary>Whether an eXIf chunk holding nothing but an orientation is kept as it is (a file cleaned before).</summary>
    private bool KeepsOrientationChunk(ExifSummary exif)
    {
        if (_sawImageData || exif.Orientation == 1 || !keepOrientation || !exif.OnlyOrientation)
        {
            return false;
        }

        _orientation = exif.Orientation;
        return true;
    }

    private IEnumerable<string> DropExif(ExifSummary exif)
    {
        if (!_sawImageData && exif.Orientation != 1)
        {
            if (keepOrientation)
            {
                _orientation = exif.Orientation;
            }
            else
            {
                Report.Remove("orientation");
            }
        }

        return exif.Found;
    }

    private async ValueTask PassAsync(CancellationToken cancellationToken)
    {
        if (_remaining == 0)
        {
            if (!await Input.EnsureAsync(4, cancellationToken).ConfigureAwait(false))
            {
                throw ImageScrubRefusedException.Truncated("png-chunk");
            }

            if (BinaryPrimitives.ReadUInt32BigEndian(Input.Available) != _crc.GetCurrentHashAsUInt32())
            {
                throw ImageScrubRefusedException.Malformed("png-crc-" + _type);
            }

            Output.Write(Input.Available[..4]);
            Input.Skip(4);
            _state = State.Chunk;
            if (_type == "IEND")
            {
                if (!_sawImageData)
                {
                    throw ImageScrubRefusedException.Malformed("png-no-idat");
                }

                EndImage();
            }

            return;
        }

        if (!await Input.EnsureAsync(1, cancellationToken).ConfigureAwait(false))
        {
            throw ImageScrubRefusedException.Truncated("png-chunk");
        }

        var piece = Input.Available[..(int)Math.Min(_remaining, Input.Count)];
        _crc.Append(piece);
        Output.Write(piece);
        Input.Skip(piece.Length);
        _remaining -= piece.Length;
    }

    private async ValueTask SkipAsync(CancellationToken cancellationToken)
    {
        if (_remaining == 0)
        {
            _state = State.Chunk;
            return;
        }

        if (!await Input.EnsureAsync(1, cancellationToken).ConfigureAwait(false))
        {
            throw ImageScrubRefusedException.Truncated("png-chunk");
        }

        var count = (int)Math.Min(_remaining, Input.Count);
        Input.Skip(count);
        _remaining -= count;
    }

    /// <summary>What a text chunk's keyword says it holds.</summary>
    private static string[] TextCodes(ReadOnlySpan<byte> data)
    {
        var nul = data.IndexOf((byte)0);
        var keyword = nul > 0 ? Encoding.Latin1.GetString(data[..nul]) : "";
        return keyword switch
        {
            "XML:com.adobe.xmp" => ["xmp"],
            _ when Is(keyword, "Raw profile type exif", "Raw profile type APP1") => ["text", "camera"],
            _ when Is(keyword, "Raw profile type iptc", "Raw profile type 8bim") => ["iptc"],
            _ when Is(keyword, "Author", "Copyright") => ["text", "author"],
            _ when keyword.StartsWith("Creation Time", StringComparison.OrdinalIgnoreCase) || keyword.StartsWith("date:", StringComparison.OrdinalIgnoreCase) => ["text", "date-time"],
            _ when Is(keyword, "Software") => ["text", "software"],
            _ => ["text"],
        };

        static bool Is(string keyword, params string[] names) => names.Any(name => keyword.Equals(name, StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsLetters(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
        {
            if (!char.IsAsciiLetter((char)b))
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] Chunk(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        type.CopyTo(chunk.AsSpan(4));
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.HashToUInt32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }
}
