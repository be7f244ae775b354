using System.Buffers.Binary;

namespace TipIntake.Core.Attachments.Scrubbing;

/// <summary>
/// What an EXIF block (a TIFF structure) holds, read as far as it safely can: the kinds of identifying data in it and
/// the orientation, the one tag worth keeping. The same reading as the browser's scrubber (<c>scrub.js</c>,
/// <c>readExif</c>), so that both paths describe a photo alike. An unreadable block is described generically.
/// </summary>
internal sealed record ExifSummary(IReadOnlySet<string> Found, int Orientation, bool OnlyOrientation)
{
    private const int MaxIfdEntries = 1000;
    private const int MaxIfds = 16;
    private const ushort TagOrientation = 0x0112;

    /// <summary>The tags that point to another IFD, and the role that IFD is walked in.</summary>
    private static readonly Dictionary<ushort, string> SubIfds = new()
    {
        [0x8769] = "exif", [0x8825] = "gps", [0xA005] = "interop",
    };

    private static readonly Dictionary<ushort, string> Tags = new()
    {
        [0x010E] = "description", [0x010F] = "camera", [0x0110] = "camera", [0x0131] = "software", [0x0132] = "date-time",
        [0x013B] = "author", [0x8298] = "author", [0x9003] = "date-time", [0x9004] = "date-time", [0x9010] = "date-time",
        [0x9011] = "date-time", [0x9012] = "date-time", [0x927C] = "maker-notes", [0x9286] = "description",
        [0xA420] = "unique-id", [0xA430] = "author", [0xA431] = "serial-number", [0xA432] = "camera", [0xA433] = "camera",
        [0xA434] = "camera", [0xA435] = "serial-number", [0xC614] = "camera", [0xC62F] = "serial-number",
        [0x9C9B] = "description", [0x9C9C] = "description", [0x9C9D] = "author", [0x9C9E] = "description",
        [0x9C9F] = "description",
    };

    public static ExifSummary Read(ReadOnlySpan<byte> tiff)
    {
        var reader = new Walker(tiff);
        var onlyOrientation = reader.TryWalk();
        var found = reader.Found;
        if (found.Count == 0 && !onlyOrientation)
        {
            // Exposure, lens, flash, sizes…: settings that still help tell one camera from another.
            found.Add("other-metadata");
        }

        return new ExifSummary(found, reader.Orientation is >= 1 and <= 8 ? reader.Orientation : 1, onlyOrientation);
    }

    /// <summary>A TIFF structure holding nothing but the orientation: big-endian header, one IFD with one SHORT entry.</summary>
    public static byte[] MinimalTiff(int orientation) =>
    [
        0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,
        0x00, 0x01,
        0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, (byte)orientation, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00,
    ];

    private ref struct Walker(ReadOnlySpan<byte> tiff)
    {
        private readonly ReadOnlySpan<byte> _tiff = tiff;
        private readonly HashSet<long> _visited = [];
        private bool _little;
        private bool _onlyOrientation = true;

        public HashSet<string> Found { get; } = new(StringComparer.Ordinal);

        public int Orientation { get; private set; } = 1;

        /// <summary>Whether the block holds the orientation and nothing else; false for an unreadable block.</summary>
        public bool TryWalk()
        {
            try
            {
                if (_tiff.Length < 8 || !(_tiff[0] == 0x49 && _tiff[1] == 0x49 || _tiff[0] == 0x4D && _tiff[1] == 0x4D))
                {
                    return false;
                }

                _little = _tiff[0] == 0x49;
                if (U16(2) != 42)
                {
                    return false;
                }

                Walk(U32(4), "ifd0");
                return _onlyOrientation;
            }
            catch (InvalidDataException)
            {
                return false;
            }
        }

        private void Walk(long offset, string role)
        {
            if (offset == 0 || _visited.Contains(offset) || _visited.Count > MaxIfds)
            {
                return;
            }

            _visited.Add(offset);
            var count = U16(offset);
            if (count > MaxIfdEntries)
            {
                throw new InvalidDataException("exif");
            }

            if (count > 0 && role is "ifd1")
            {
                Found.Add("thumbnail");
            }

            if (count > 0 && role is "gps")
            {
                Found.Add("location");
            }

            for (var i = 0; i < count; i++)
            {
                var entry = offset + 2 + (12 * i);
                var tag = U16(entry);
                if (role is "ifd0" && tag == TagOrientation && U16(entry + 2) == 3 && U32(entry + 4) == 1)
                {
                    Orientation = U16(entry + 8);
                    continue;
                }

                _onlyOrientation = false;
                if (Tags.TryGetValue(tag, out var code))
                {
                    Found.Add(code);
                }

                if (SubIfds.TryGetValue(tag, out var subIfd))
                {
                    Walk(U32(entry + 8), subIfd);
                }
            }

            var next = U32(offset + 2 + (12 * count));
            if (role is "ifd0" && next != 0)
            {
                _onlyOrientation = false;
                Walk(next, "ifd1");
            }
        }

        private readonly ushort U16(long offset) => offset < 0 || offset + 2 > _tiff.Length
            ? throw new InvalidDataException("exif")
            : _little ? BinaryPrimitives.ReadUInt16LittleEndian(_tiff[(int)offset..]) : BinaryPrimitives.ReadUInt16BigEndian(_tiff[(int)offset..]);

        private readonly long U32(long offset) => offset < 0 || offset + 4 > _tiff.Length
            ? throw new InvalidDataException("exif")
            : _little ? BinaryPrimitives.ReadUInt32LittleEndian(_tiff[(int)offset..]) : BinaryPrimitives.ReadUInt32BigEndian(_tiff[(int)offset..]);
    }
}
