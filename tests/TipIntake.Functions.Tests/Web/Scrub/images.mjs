// Builders of real image files carrying the metadata a phone or camera writes, for the scrubber's tests
// (docs/attachments.md). Pure JavaScript, no dependencies: the same module runs under Node.js (ScrubScriptTests)
// and in Chromium (ImageScrubberBrowserTests), where it dresses up images that the browser itself encoded.

export const SECRETS = Object.freeze({
  make: 'SecretMakeCanon',
  model: 'SecretModelEOS-R5',
  serial: 'SN-SECRET-0123456789',
  lensSerial: 'LENS-SECRET-42',
  artist: 'SecretArtistKim',
  software: 'SecretSoftware 17.4',
  dateTime: '2026:05:04 03:02:01',
  makerNote: 'MAKERNOTE-SECRET-BLOB',
  uniqueId: 'SECRETUNIQUEID00112233445566778',
  xmpCreator: 'SecretXmpCreator',
  iptcByline: 'SecretIptcByline',
  comment: 'SecretJpegComment',
  pngAuthor: 'SecretPngAuthor',
  pngComment: 'SecretPngComment',
  thumbnailMarker: 'SecretThumbnailExif',
  trailerMarker: 'SecretGainMapExif',
  c2pa: 'SecretContentCredentials',
  unknown: 'SecretUnknownChunk',
});

/** GPS coordinates written into EXIF (degrees, minutes, seconds as rationals): Yanji, Jilin. */
export const GPS = Object.freeze({ latitude: [42, 54, 3112], longitude: [129, 30, 1187] });

export const ascii = (text) => Uint8Array.from(text, (c) => c.charCodeAt(0));
export const utf8 = (text) => new TextEncoder().encode(text);

export function concat(...parts) {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function indexOf(haystack, needle, from = 0) {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) {
        continue outer;
      }
    }
    return i;
  }
  return -1;
}

export const contains = (haystack, text) => indexOf(haystack, typeof text === 'string' ? ascii(text) : text) >= 0;

// ---- TIFF / EXIF ----------------------------------------------------------------------------------------------

const TYPE_SIZE = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 };

export const entry = {
  ascii: (tag, text) => ({ tag, type: 2, count: text.length + 1, bytes: concat(ascii(text), [0]) }),
  short: (tag, value) => ({ tag, type: 3, count: 1, value }),
  long: (tag, value) => ({ tag, type: 4, count: 1, value }),
  rationals: (tag, pairs) => ({ tag, type: 5, count: pairs.length, rationals: pairs }),
  undefined: (tag, bytes) => ({ tag, type: 7, count: bytes.length, bytes }),
  bytes: (tag, values) => ({ tag, type: 1, count: values.length, bytes: Uint8Array.from(values) }),
};

/**
 * A TIFF structure (the body of an EXIF block): IFD0 with `ifd0` entries, optional Exif and GPS sub-IFDs, and an
 * optional IFD1 pointing at a thumbnail JPEG. `littleEndian` chooses II or MM.
 */
export function tiff({ ifd0 = [], exif = [], gps = [], thumbnail = null, littleEndian = false }) {
  const buffer = new Uint8Array(65000);
  const view = new DataView(buffer.buffer);
  const le = littleEndian;
  buffer.set(ascii(le ? 'II' : 'MM'), 0);
  view.setUint16(2, 42, le);
  view.setUint32(4, 8, le);
  let free = 8;
  const alloc = (size) => {
    const at = free;
    free += size + (size & 1);
    return at;
  };

  const writeIfd = (entries, next) => {
    const sorted = [...entries].sort((a, b) => a.tag - b.tag);
    const at = alloc(2 + 12 * sorted.length + 4);
    view.setUint16(at, sorted.length, le);
    sorted.forEach((e, i) => {
      const p = at + 2 + 12 * i;
      view.setUint16(p, e.tag, le);
      view.setUint16(p + 2, e.type, le);
      view.setUint32(p + 4, e.count, le);
      const size = TYPE_SIZE[e.type] * e.count;
      let data = e.bytes;
      if (e.rationals) {
        data = new Uint8Array(8 * e.rationals.length);
        const dv = new DataView(data.buffer);
        e.rationals.forEach(([n, d], k) => {
          dv.setUint32(8 * k, n, le);
          dv.setUint32(8 * k + 4, d, le);
        });
      }
      if (e.type === 3 && data === undefined) {
        view.setUint16(p + 8, e.value, le);
      } else if (e.type === 4 && data === undefined) {
        view.setUint32(p + 8, typeof e.value === 'function' ? 0 : e.value, le);
        if (typeof e.value === 'function') {
          e.patch = p + 8;
        }
      } else if (size <= 4) {
        buffer.set(data, p + 8);
      } else {
        const where = alloc(size);
        buffer.set(data, where);
        view.setUint32(p + 8, where, le);
      }
    });
    view.setUint32(at + 2 + 12 * sorted.length, next, le);
    return { at, sorted };
  };

  const ifd0Entries = [...ifd0];
  if (exif.length > 0) {
    ifd0Entries.push(entry.long(0x8769, () => 0));
  }
  if (gps.length > 0) {
    ifd0Entries.push(entry.long(0x8825, () => 0));
  }
  const first = writeIfd(ifd0Entries, 0);
  const patch = (tag, value) => {
    const e = first.sorted.find((candidate) => candidate.tag === tag);
    view.setUint32(e.patch, value, le);
  };
  if (exif.length > 0) {
    patch(0x8769, writeIfd(exif, 0).at);
  }
  if (gps.length > 0) {
    patch(0x8825, writeIfd(gps, 0).at);
  }
  if (thumbnail) {
    const thumbAt = alloc(thumbnail.length);
    buffer.set(thumbnail, thumbAt);
    const ifd1 = writeIfd([entry.short(0x0103, 6), entry.long(0x0201, thumbAt), entry.long(0x0202, thumbnail.length)], 0);
    view.setUint32(first.at + 2 + 12 * first.sorted.length, ifd1.at, le);
  }
  return buffer.slice(0, free);
}

/** The EXIF a phone camera writes: make, model, serials, dates, maker notes, GPS, and optionally a thumbnail. */
export function cameraExif({ orientation = 1, thumbnail = null, littleEndian = false } = {}) {
  const ifd0 = [
    entry.ascii(0x010F, SECRETS.make),
    entry.ascii(0x0110, SECRETS.model),
    entry.ascii(0x0131, SECRETS.software),
    entry.ascii(0x0132, SECRETS.dateTime),
    entry.ascii(0x013B, SECRETS.artist),
    entry.rationals(0x011A, [[72, 1]]),
  ];
  if (orientation !== 1) {
    ifd0.push(entry.short(0x0112, orientation));
  }
  return tiff({
    littleEndian,
    ifd0,
    exif: [
      entry.ascii(0x9003, SECRETS.dateTime),
      entry.rationals(0x829A, [[1, 250]]),
      entry.undefined(0x927C, ascii(SECRETS.makerNote)),
      entry.ascii(0xA420, SECRETS.uniqueId),
      entry.ascii(0xA431, SECRETS.serial),
      entry.ascii(0xA435, SECRETS.lensSerial),
    ],
    gps: [
      entry.bytes(0x0000, [2, 3, 0, 0]),
      entry.ascii(0x0001, 'N'),
      entry.rationals(0x0002, [[GPS.latitude[0], 1], [GPS.latitude[1], 1], [GPS.latitude[2], 100]]),
      entry.ascii(0x0003, 'E'),
      entry.rationals(0x0004, [[GPS.longitude[0], 1], [GPS.longitude[1], 1], [GPS.longitude[2], 100]]),
    ],
    thumbnail,
  });
}

// ---- JPEG ---------------------------------------------------------------------------------------------------------

export function segment(marker, payload) {
  const length = payload.length + 2;
  return concat([0xFF, marker, length >> 8, length & 0xFF], payload);
}

export const exifSegment = (tiffBytes) => segment(0xE1, concat(ascii('Exif\0\0'), tiffBytes));
export const xmpSegment = (xml) => segment(0xE1, concat(ascii('http://ns.adobe.com/xap/1.0/\0'), utf8(xml)));
export const commentSegment = (text) => segment(0xFE, utf8(text));
export const iccSegment = (profile) => segment(0xE2, concat(ascii('ICC_PROFILE\0'), [1, 1], profile));
export const adobeSegment = (transform) => segment(0xEE, concat(ascii('Adobe'), [0, 100, 0, 0, 0, 0, transform]));
export const mpfSegment = () => segment(0xE2, concat(ascii('MPF\0'), ascii('MM\0*\0\0\0\x08'), new Uint8Array(24)));
export const jumbfSegment = () => segment(0xEB, concat(ascii('JP'), [0, 1, 0, 0, 0, 1], ascii('jumb'), ascii(SECRETS.c2pa)));

export function xmpPacket() {
  return '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    + 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    + 'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="42,54.5N" exif:GPSLongitude="129,30.2E">'
    + `<dc:creator><rdf:Seq><rdf:li>${SECRETS.xmpCreator}</rdf:li></rdf:Seq></dc:creator></rdf:Description>`
    + '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>';
}

/** Photoshop 3.0 resource block holding an IPTC-IIM record with a by-line (2:80). */
export function iptcSegment() {
  const byline = ascii(SECRETS.iptcByline);
  const iptc = concat([0x1C, 2, 80, byline.length >> 8, byline.length & 0xFF], byline);
  const resource = concat(ascii('8BIM'), [0x04, 0x04, 0, 0], [0, 0, iptc.length >> 8, iptc.length & 0xFF], iptc,
    iptc.length & 1 ? [0] : []);
  return segment(0xED, concat(ascii('Photoshop 3.0\0'), resource));
}

/** Inserts segments right after SOI (and after a JFIF APP0 if the file starts with one), as cameras place them. */
export function withSegments(jpeg, ...segments) {
  let at = 2;
  if (jpeg[2] === 0xFF && jpeg[3] === 0xE0) {
    at = 4 + ((jpeg[4] << 8) | jpeg[5]);
  }
  return concat(jpeg.subarray(0, at), ...segments, jpeg.subarray(at));
}

/** JPEG's standard luminance DC table (ITU T.81 Annex K.3) as code lengths per category. */
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

function huffmanCodes(bits, values) {
  const codes = new Map();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < bits[length - 1]; i++) {
      codes.set(values[k++], { code, length });
      code++;
    }
    code <<= 1;
  }
  return codes;
}

class BitWriter {
  constructor() {
    this.bytes = [];
    this.buffer = 0;
    this.count = 0;
  }

  write(value, length) {
    for (let i = length - 1; i >= 0; i--) {
      this.buffer = (this.buffer << 1) | ((value >> i) & 1);
      this.count++;
      if (this.count === 8) {
        this.flushByte();
      }
    }
  }

  flushByte() {
    this.bytes.push(this.buffer);
    if (this.buffer === 0xFF) {
      this.bytes.push(0x00);
    }
    this.buffer = 0;
    this.count = 0;
  }

  /** Pads the last byte with 1 bits, as T.81 F.1.2.3 says. */
  finish() {
    if (this.count > 0) {
      this.write(0xFF, 8 - this.count);
    }
    return this.bytes;
  }
}

/**
 * A real, decodable baseline JPEG (greyscale, 8×8 blocks holding only a DC value: each block is one flat grey
 * `128 + dc(bx, by)`, clamped). With `restartInterval` the scan carries DRI and RSTn markers. The only AC symbol
 * written is end-of-block, coded `10` (a second, unused symbol takes `0`), so that runs of one bits — and with
 * them stuffed 0xFF bytes — can occur as in any real scan.
 */
export function buildJpeg({ width = 64, height = 48, dc = (bx, by) => ((bx * 37 + by * 61) % 255) - 127, restartInterval = 0 } = {}) {
  const dcCodes = huffmanCodes(DC_BITS, DC_VALUES);
  const blocksX = Math.ceil(width / 8);
  const blocksY = Math.ceil(height / 8);
  const quantization = segment(0xDB, concat([0x00], new Uint8Array(64).fill(8)));
  const frame = segment(0xC0, [8, height >> 8, height & 0xFF, width >> 8, width & 0xFF, 1, 1, 0x11, 0]);
  const dcTable = segment(0xC4, concat([0x00], DC_BITS, DC_VALUES));
  const acTable = segment(0xC4, concat([0x10], [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0x01, 0x00]));
  const scanHeader = segment(0xDA, [1, 1, 0x00, 0, 63, 0]);
  const restart = restartInterval > 0 ? segment(0xDD, [restartInterval >> 8, restartInterval & 0xFF]) : new Uint8Array(0);

  const scan = [];
  let writer = new BitWriter();
  let previous = 0;
  let blocks = 0;
  let restarts = 0;
  for (let by = 0; by < blocksY; by++) {
    for (let bx = 0; bx < blocksX; bx++) {
      if (restartInterval > 0 && blocks > 0 && blocks % restartInterval === 0) {
        append(scan, writer.finish());
        scan.push(0xFF, 0xD0 + (restarts++ % 8));
        writer = new BitWriter();
        previous = 0;
      }
      const value = Math.max(-127, Math.min(127, Math.round(dc(bx, by))));
      const diff = value - previous;
      previous = value;
      const magnitude = Math.abs(diff);
      const category = magnitude === 0 ? 0 : 32 - Math.clz32(magnitude);
      const { code, length } = dcCodes.get(category);
      writer.write(code, length);
      if (category > 0) {
        writer.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
      }
      writer.write(0b10, 2);
      blocks++;
    }
  }
  append(scan, writer.finish());
  return concat([0xFF, 0xD8], segment(0xE0, concat(ascii('JFIF\0'), [1, 2, 0, 0, 1, 0, 1, 0, 0])), quantization,
    frame, dcTable, acTable, restart, scanHeader, Uint8Array.from(scan), [0xFF, 0xD9]);
}

function append(target, bytes) {
  for (const byte of bytes) {
    target.push(byte);
  }
}

/** The bytes from the first SOS marker to EOI inclusive: a scan's header and its entropy-coded data. */
export function scanData(jpeg) {
  const start = indexOf(jpeg, [0xFF, 0xDA]);
  return start < 0 ? new Uint8Array(0) : jpeg.subarray(start);
}

/** The JPEG's segments as { marker, bytes } up to the first SOS (for structural assertions). */
export function jpegSegments(jpeg) {
  const segments = [];
  let pos = 2;
  while (pos + 4 <= jpeg.length && jpeg[pos] === 0xFF) {
    const marker = jpeg[pos + 1];
    const length = (jpeg[pos + 2] << 8) | jpeg[pos + 3];
    segments.push({ marker, bytes: jpeg.subarray(pos, pos + 2 + length) });
    if (marker === 0xDA) {
      break;
    }
    pos += 2 + length;
  }
  return segments;
}

/** A photo as a phone stores it: EXIF with GPS and serials (and a thumbnail carrying its own EXIF), XMP, IPTC, a
 * comment, C2PA, MPF and a second image after EOI (a gain map with its own EXIF), around the given JPEG. */
export function phonePhoto(jpeg, { orientation = 1, littleEndian = false, icc = null } = {}) {
  const thumbnail = withSegments(buildJpeg({ width: 16, height: 16 }),
    exifSegment(tiff({ ifd0: [entry.ascii(0x010E, SECRETS.thumbnailMarker)] })));
  const gainMap = withSegments(buildJpeg({ width: 16, height: 16 }),
    exifSegment(tiff({ ifd0: [entry.ascii(0x010E, SECRETS.trailerMarker)] })));
  const segments = [exifSegment(cameraExif({ orientation, thumbnail, littleEndian })), xmpSegment(xmpPacket())];
  if (icc) {
    segments.push(iccSegment(icc));
  }
  segments.push(mpfSegment(), iptcSegment(), jumbfSegment(), commentSegment(SECRETS.comment));
  return concat(withSegments(jpeg, ...segments), gainMap);
}

// ---- PNG ----------------------------------------------------------------------------------------------------------

let crcTable;

export function crc32(bytes) {
  if (!crcTable) {
    crcTable = new Uint32Array(256).map((_, n) => {
      let c = n;
      for (let k = 0; k < 8; k++) {
        c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
      }
      return c >>> 0;
    });
  }
  let crc = 0xFFFFFFFF;
  for (const b of bytes) {
    crc = crcTable[(crc ^ b) & 0xFF] ^ (crc >>> 8);
  }
  return (crc ^ 0xFFFFFFFF) >>> 0;
}

const u32 = (value) => [value >>> 24, (value >>> 16) & 0xFF, (value >>> 8) & 0xFF, value & 0xFF];

export function pngChunk(type, data) {
  const body = concat(ascii(type), data);
  return concat(u32(data.length), body, u32(crc32(body)));
}

/** zlib stream of stored (uncompressed) deflate blocks: valid for any decoder, no compressor needed. */
function zlibStored(data) {
  const parts = [[0x78, 0x01]];
  for (let offset = 0; offset < data.length || offset === 0; offset += 65535) {
    const block = data.subarray(offset, Math.min(data.length, offset + 65535));
    const final = offset + 65535 >= data.length ? 1 : 0;
    parts.push([final, block.length & 0xFF, block.length >> 8, ~block.length & 0xFF, (~block.length >> 8) & 0xFF], block);
    if (data.length === 0) {
      break;
    }
  }
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  parts.push(u32(((b << 16) | a) >>> 0));
  return concat(...parts);
}

/** A real RGBA PNG (8 bits per channel, filter 0), its image data split over two IDAT chunks. */
export function buildPng({ width = 32, height = 24, pixel = (x, y) => [x * 8, y * 10, (x + y) * 4, 255] } = {}) {
  const raw = new Uint8Array(height * (1 + 4 * width));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + 4 * width)] = 0;
    for (let x = 0; x < width; x++) {
      raw.set(pixel(x, y).map((v) => v & 0xFF), y * (1 + 4 * width) + 1 + 4 * x);
    }
  }
  const compressed = zlibStored(raw);
  const half = compressed.length >> 1;
  const ihdr = concat(u32(width), u32(height), [8, 6, 0, 0, 0]);
  return concat([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], pngChunk('IHDR', ihdr),
    pngChunk('IDAT', compressed.subarray(0, half)), pngChunk('IDAT', compressed.subarray(half)), pngChunk('IEND', []));
}

/** The PNG's chunks as { type, bytes } (whole chunks, length to CRC). */
export function pngChunks(png) {
  const chunks = [];
  let pos = 8;
  while (pos + 12 <= png.length) {
    const length = ((png[pos] << 24) >>> 0) + (png[pos + 1] << 16) + (png[pos + 2] << 8) + png[pos + 3];
    const type = String.fromCharCode(...png.subarray(pos + 4, pos + 8));
    chunks.push({ type, bytes: png.subarray(pos, pos + 12 + length), data: png.subarray(pos + 8, pos + 8 + length) });
    pos += 12 + length;
    if (type === 'IEND') {
      break;
    }
  }
  return chunks;
}

/** Inserts chunks before the first IDAT (metadata writers put them there; tIME and text may also follow IDAT). */
export function withPngChunks(png, before, after = []) {
  const at = indexOf(png, ascii('IDAT')) - 4;
  const end = indexOf(png, ascii('IEND')) - 4;
  return concat(png.subarray(0, at), ...before, png.subarray(at, end), ...after, png.subarray(end));
}

export function textChunk(keyword, text) {
  return pngChunk('tEXt', concat(ascii(keyword), [0], ascii(text)));
}

export function itxtChunk(keyword, text) {
  return pngChunk('iTXt', concat(ascii(keyword), [0, 0, 0, 0, 0], utf8(text)));
}

/** A screenshot or edited photo as tools save it: text, XMP, EXIF, time, density, private chunks. */
export function dressedPng(png, { orientation = 1, icc = null } = {}) {
  const before = [
    textChunk('Author', SECRETS.pngAuthor),
    pngChunk('zTXt', concat(ascii('Comment'), [0, 0], zlibStored(ascii(SECRETS.pngComment)))),
    itxtChunk('XML:com.adobe.xmp', xmpPacket()),
    pngChunk('eXIf', cameraExif({ orientation })),
    pngChunk('pHYs', [0, 0, 0x16, 0x25, 0, 0, 0x16, 0x25, 1]),
    pngChunk('prVt', ascii(SECRETS.unknown)),
  ];
  if (icc) {
    before.unshift(pngChunk('iCCP', concat(ascii('Display P3'), [0, 0], zlibStored(icc))));
  }
  return withPngChunks(png, before, [pngChunk('tIME', [0x07, 0xEA, 5, 4, 3, 2, 1]), pngChunk('caBX', ascii(SECRETS.c2pa))]);
}

// ---- WebP ---------------------------------------------------------------------------------------------------------

/** 1×1 WebP files in the three encodings (the well-known feature-detection images). */
export const WEBP_1PX = Object.freeze({
  lossless: 'UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==',
  lossy: 'UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA',
  alpha: 'UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA==',
  animated: 'UklGRlIAAABXRUJQVlA4WAoAAAASAAAAAAAAAAAAQU5JTQYAAAD/////AABBTk1GJgAAAAAAAAAAAAAAAAAAAGQAAABWUDhMDQAAAC8AAAAQBxAREYiI/gcA',
});

export function fromBase64(text) {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const u32le = (value) => [value & 0xFF, (value >>> 8) & 0xFF, (value >>> 16) & 0xFF, value >>> 24];
const u24le = (value) => [value & 0xFF, (value >>> 8) & 0xFF, (value >>> 16) & 0xFF];

export function riffChunk(type, data) {
  return concat(ascii(type), u32le(data.length), data, data.length & 1 ? [0] : []);
}

/** The WebP's chunks after the RIFF header, as { type, bytes, data }. */
export function webpChunks(webp) {
  const chunks = [];
  let pos = 12;
  while (pos + 8 <= webp.length) {
    const type = String.fromCharCode(...webp.subarray(pos, pos + 4));
    const length = webp[pos + 4] | (webp[pos + 5] << 8) | (webp[pos + 6] << 16) | (webp[pos + 7] << 24);
    const padded = length + (length & 1);
    chunks.push({ type, bytes: webp.subarray(pos, pos + 8 + padded), data: webp.subarray(pos + 8, pos + 8 + length) });
    pos += 8 + padded;
  }
  return chunks;
}

/** Width and height of a simple WebP's bitstream (VP8 or VP8L). */
export function webpSize(webp) {
  const [first] = webpChunks(webp);
  const d = first.data;
  if (first.type === 'VP8L') {
    const bits = d[1] | (d[2] << 8) | (d[3] << 16) | (d[4] << 24);
    return { width: (bits & 0x3FFF) + 1, height: ((bits >>> 14) & 0x3FFF) + 1 };
  }
  if (first.type === 'VP8 ') {
    return { width: (d[6] | (d[7] << 8)) & 0x3FFF, height: (d[8] | (d[9] << 8)) & 0x3FFF };
  }
  throw new Error('not a simple WebP: ' + first.type);
}

/**
 * Makes an extended WebP (VP8X) with an ICC profile, EXIF (camera, GPS) and XMP chunks, as photo tools write them,
 * of a simple WebP or of an extended one (browsers' encoders write VP8X with an ALPH chunk), keeping its image chunks.
 */
export function extendedWebp(webp, { exif = cameraExif({ littleEndian: true }), xmp = xmpPacket(), icc = null, unknown = true } = {}) {
  const chunks = webpChunks(webp);
  let width;
  let height;
  let flags = 0;
  let image = chunks;
  if (chunks[0].type === 'VP8X') {
    const d = chunks[0].data;
    flags = d[0] & ~(0x20 | 0x08 | 0x04);
    width = (d[4] | (d[5] << 8) | (d[6] << 16)) + 1;
    height = (d[7] | (d[8] << 8) | (d[9] << 16)) + 1;
    image = chunks.filter((chunk) => ['ALPH', 'VP8 ', 'VP8L', 'ANIM', 'ANMF'].includes(chunk.type));
  } else {
    ({ width, height } = webpSize(webp));
  }
  flags |= (icc ? 0x20 : 0) | (exif ? 0x08 : 0) | (xmp ? 0x04 : 0);
  const out = [riffChunk('VP8X', concat([flags, 0, 0, 0], u24le(width - 1), u24le(height - 1)))];
  if (icc) {
    out.push(riffChunk('ICCP', icc));
  }
  out.push(...image.map((chunk) => chunk.bytes));
  if (unknown) {
    out.push(riffChunk('PRVT', ascii(SECRETS.unknown)));
  }
  if (exif) {
    out.push(riffChunk('EXIF', exif));
  }
  if (xmp) {
    out.push(riffChunk('XMP ', utf8(xmp)));
  }
  const body = concat(ascii('WEBP'), ...out);
  return concat(ascii('RIFF'), u32le(body.length), body);
}
