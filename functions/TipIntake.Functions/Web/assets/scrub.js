// TipIntake image metadata scrubber (docs/attachments.md, "Scrubbing images in the browser").
//
// Removes what identifies a photo's author or place — EXIF (GPS, camera make, model and serial, dates, maker notes,
// embedded thumbnail), XMP, IPTC/Photoshop blocks, comments, text chunks, extra embedded images — from JPEG, PNG and
// WebP files WITHOUT re-encoding: the compressed image data is copied byte for byte, so the picture and its evidence
// value are unchanged. What it cannot parse it refuses, with a reason, so that the page can offer re-encoding (with a
// warning) or leaving the file out. It never throws.
//
// No dependencies, no network, no storage, no build step: an ES module that runs in browsers and in Node.js.
//
//   import { scrubImage } from '/assets/scrub.js';
//   const result = scrubImage(new Uint8Array(await file.arrayBuffer()));
//   if (result.ok) { upload(result.bytes); note(result.removed, result.kept); } else { offerFallback(result.reason); }
//
// A result is either
//   { ok: true,  format: 'jpeg' | 'png' | 'webp', bytes: Uint8Array, changed: boolean,
//     removed: string[] (codes below, each once, in a fixed order), kept: string[] ('orientation', 'colour-profile'),
//     segments: [{ kind, bytes }] (what was dropped, for tests and diagnostics) }
//   { ok: false, format: string, reason: 'unsupported-format' | 'truncated' | 'malformed', detail: string }
//
// Codes in `removed`, for the reporter's note (translated by the page): location, camera, serial-number, date-time,
// author, description, software, unique-id, maker-notes, thumbnail, extra-images, xmp, iptc, comment, text,
// content-credentials, other-metadata, trailing-data, orientation (only with keepOrientation: false).

/** Codes of what was kept on purpose, for the same note. */
export const KEPT_CODES = Object.freeze(['orientation', 'colour-profile']);

/** Codes of what was removed, in the order the reporter's note lists them (most identifying first). */
export const REMOVED_CODES = Object.freeze([
  'location', 'serial-number', 'camera', 'author', 'date-time', 'unique-id', 'description', 'software', 'maker-notes',
  'thumbnail', 'extra-images', 'xmp', 'iptc', 'comment', 'text', 'content-credentials', 'other-metadata',
  'trailing-data', 'orientation',
]);

class ScrubError extends Error {
  constructor(reason, detail) {
    super(reason + ': ' + detail);
    this.reason = reason;
    this.detail = detail;
  }
}

const truncated = (detail) => new ScrubError('truncated', detail);
const malformed = (detail) => new ScrubError('malformed', detail);

/**
 * Scrubs one image. `input` is a Uint8Array or an ArrayBuffer (never modified). Options:
 *   keepOrientation (default true): when the photo's EXIF says it must be rotated to be seen upright, a fresh,
 *   minimal EXIF block holding only that orientation is written back, so that the photo is not shown on its side.
 */
export function scrubImage(input, options = {}) {
  let bytes;
  try {
    bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  } catch {
    return refusal('unknown', 'malformed', 'not-bytes');
  }
  const format = detectFormat(bytes);
  const keepOrientation = options.keepOrientation !== false;
  try {
    switch (format) {
      case 'jpeg':
        return finish(format, bytes, scrubJpeg(bytes, keepOrientation));
      case 'png':
        return finish(format, bytes, scrubPng(bytes, keepOrientation));
      case 'webp':
        return finish(format, bytes, scrubWebp(bytes, keepOrientation));
      default:
        return refusal(format, 'unsupported-format', format);
    }
  } catch (error) {
    if (error instanceof ScrubError) {
      return refusal(format, error.reason, error.detail);
    }
    // A bug or an input no check foresaw: refuse rather than pass on a file that may still carry metadata.
    return refusal(format, 'malformed', 'unexpected');
  }
}

function refusal(format, reason, detail) {
  return { ok: false, format, reason, detail };
}

function finish(format, original, outcome) {
  const output = assemble(outcome.pieces, original);
  const removed = REMOVED_CODES.filter((code) => outcome.removed.has(code));
  const changed = output.length !== original.length || !equalBytes(output, original);
  const kept = KEPT_CODES.filter((code) => outcome.kept.has(code));
  return { ok: true, format, bytes: output, changed, removed, kept, segments: outcome.segments };
}

/** Identifies the container by its signature; formats this module cannot clean are named so the page can say so. */
export function detectFormat(bytes) {
  const at = (offset, text) => bytes.length >= offset + text.length
    && [...text].every((c, i) => bytes[offset + i] === c.charCodeAt(0));
  if (bytes.length >= 3 && bytes[0] === 0xFF && bytes[1] === 0xD8 && bytes[2] === 0xFF) {
    return 'jpeg';
  }
  if (at(0, '\x89PNG\r\n\x1A\n')) {
    return 'png';
  }
  if (at(0, 'RIFF') && at(8, 'WEBP')) {
    return 'webp';
  }
  if (at(0, 'GIF87a') || at(0, 'GIF89a')) {
    return 'gif';
  }
  if (at(4, 'ftyp')) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    if (/^(heic|heix|heim|heis|hevc|hevx|mif1|msf1)$/.test(brand)) {
      return 'heic';
    }
    if (/^avi[fs]$/.test(brand)) {
      return 'avif';
    }
    return 'iso-media';
  }
  if (at(0, 'II*\0') || at(0, 'MM\0*')) {
    return 'tiff';
  }
  if (at(0, 'BM')) {
    return 'bmp';
  }
  return 'unknown';
}

// ---- Shared helpers -------------------------------------------------------------------------------------------

/** A piece of output: a range of the input ([start, end)) copied as is, or new bytes. */
function assemble(pieces, original) {
  let total = 0;
  for (const piece of pieces) {
    total += piece instanceof Uint8Array ? piece.length : piece[1] - piece[0];
  }
  const output = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    const part = piece instanceof Uint8Array ? piece : original.subarray(piece[0], piece[1]);
    output.set(part, offset);
    offset += part.length;
  }
  return output;
}

function equalBytes(a, b) {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

function ascii(bytes, start, length) {
  let text = '';
  const end = Math.min(bytes.length, start + length);
  for (let i = start; i < end; i++) {
    text += String.fromCharCode(bytes[i]);
  }
  return text;
}

function startsWith(bytes, start, end, text) {
  if (end - start < text.length) {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    if (bytes[start + i] !== text.charCodeAt(i)) {
      return false;
    }
  }
  return true;
}

function newOutcome() {
  return { pieces: [], removed: new Set(), kept: new Set(), segments: [] };
}

function drop(outcome, kind, length, codes) {
  outcome.segments.push({ kind, bytes: length });
  for (const code of codes) {
    outcome.removed.add(code);
  }
}

// ---- EXIF (TIFF structure): what it holds, and the one tag worth keeping ----------------------------------------

const EXIF_TAGS = new Map([
  [0x010E, 'description'], [0x010F, 'camera'], [0x0110, 'camera'], [0x0131, 'software'], [0x0132, 'date-time'],
  [0x013B, 'author'], [0x8298, 'author'], [0x9003, 'date-time'], [0x9004, 'date-time'], [0x9010, 'date-time'],
  [0x9011, 'date-time'], [0x9012, 'date-time'], [0x927C, 'maker-notes'], [0x9286, 'description'],
  [0xA420, 'unique-id'], [0xA430, 'author'], [0xA431, 'serial-number'], [0xA432, 'camera'], [0xA433, 'camera'],
  [0xA434, 'camera'], [0xA435, 'serial-number'], [0xC614, 'camera'], [0xC62F, 'serial-number'],
  [0x9C9B, 'description'], [0x9C9C, 'description'], [0x9C9D, 'author'], [0x9C9E, 'description'],
  [0x9C9F, 'description'],
]);
const TAG_ORIENTATION = 0x0112;
const TAG_EXIF_IFD = 0x8769;
const TAG_GPS_IFD = 0x8825;
const TAG_INTEROP_IFD = 0xA005;
const MAX_IFD_ENTRIES = 1000;

/**
 * Reads a TIFF structure (the body of an EXIF block) as far as it safely can: which kinds of identifying data it holds
 * and the orientation. Never throws: an unreadable EXIF block is removed all the same, just described generically.
 */
function readExif(bytes, start, end) {
  const found = new Set();
  let orientation = 1;
  let onlyOrientation = true;
  try {
    if (end - start < 8) {
      throw malformed('exif');
    }
    const little = bytes[start] === 0x49 && bytes[start + 1] === 0x49;
    const big = bytes[start] === 0x4D && bytes[start + 1] === 0x4D;
    if (!little && !big) {
      throw malformed('exif');
    }
    const u16 = (offset) => {
      if (offset < 0 || start + offset + 2 > end) {
        throw malformed('exif');
      }
      const a = bytes[start + offset];
      const b = bytes[start + offset + 1];
      return little ? a | (b << 8) : (a << 8) | b;
    };
    const u32 = (offset) => (little ? (u16(offset) + u16(offset + 2) * 0x10000) : (u16(offset) * 0x10000 + u16(offset + 2)));
    if (u16(2) !== 42) {
      throw malformed('exif');
    }
    const visited = new Set();
    const walk = (offset, role) => {
      if (offset === 0 || visited.has(offset) || visited.size > 16) {
        return;
      }
      visited.add(offset);
      const count = u16(offset);
      if (count > MAX_IFD_ENTRIES) {
        throw malformed('exif');
      }
      if (role === 'ifd1' && count > 0) {
        found.add('thumbnail');
      }
      if (role === 'gps' && count > 0) {
        found.add('location');
      }
      for (let i = 0; i < count; i++) {
        const entry = offset + 2 + 12 * i;
        const tag = u16(entry);
        if (role === 'ifd0' && tag === TAG_ORIENTATION && u16(entry + 2) === 3 && u32(entry + 4) === 1) {
          orientation = u16(entry + 8);
          continue;
        }
        onlyOrientation = false;
        if (EXIF_TAGS.has(tag)) {
          found.add(EXIF_TAGS.get(tag));
        }
        if (tag === TAG_EXIF_IFD) {
          walk(u32(entry + 8), 'exif');
        } else if (tag === TAG_GPS_IFD) {
          walk(u32(entry + 8), 'gps');
        } else if (tag === TAG_INTEROP_IFD) {
          walk(u32(entry + 8), 'interop');
        }
      }
      const next = u32(offset + 2 + 12 * count);
      if (role === 'ifd0' && next !== 0) {
        onlyOrientation = false;
        walk(next, 'ifd1');
      }
    };
    walk(u32(4), 'ifd0');
  } catch {
    onlyOrientation = false;
  }
  if (found.size === 0 && !onlyOrientation) {
    // Exposure, lens, flash, sizes…: settings that still help tell one camera from another.
    found.add('other-metadata');
  }
  return { found, orientation: orientation >= 1 && orientation <= 8 ? orientation : 1, onlyOrientation };
}

/** A TIFF structure holding nothing but the orientation: big-endian header, one IFD with one SHORT entry. */
function minimalTiff(orientation) {
  return new Uint8Array([
    0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,
    0x00, 0x01,
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
  ]);
}

function concat(...parts) {
  return assemble(parts, new Uint8Array(0));
}

// ---- JPEG ---------------------------------------------------------------------------------------------------------

const EXIF_HEADER = 'Exif\0\0';
const XMP_HEADERS = ['http://ns.adobe.com/xap/1.0/\0', 'http://ns.adobe.com/xmp/extension/\0'];

/**
 * Keeps SOI, DQT, DHT, DAC, SOFn, DRI, DNL, SOS and every scan's entropy-coded data byte for byte, the JFIF header
 * (without its thumbnail), the ICC profile (APP2) and Adobe's colour-transform block (APP14, which decoders need
 * for CMYK and RGB JPEGs), and EOI. Drops the other APPn segments and comments, and anything after EOI (phones
 * append depth maps and HDR gain maps there, with their own metadata).
 */
function scrubJpeg(bytes, keepOrientation) {
  const outcome = newOutcome();
  const length = bytes.length;
  outcome.pieces.push([0, 2]);
  let pos = 2;
  let frames = 0;
  let scans = 0;
  let orientationWritten = false;

  const writeOrientation = (orientation) => {
    if (orientationWritten || orientation === 1) {
      return;
    }
    const payload = concat(asciiBytes(EXIF_HEADER), minimalTiff(orientation));
    outcome.pieces.push(concat(new Uint8Array([0xFF, 0xE1, (payload.length + 2) >> 8, (payload.length + 2) & 0xFF]), payload));
    outcome.kept.add('orientation');
    orientationWritten = true;
  };

  for (;;) {
    if (pos >= length) {
      throw truncated('jpeg-no-eoi');
    }
    if (bytes[pos] !== 0xFF) {
      throw malformed('jpeg-expected-marker');
    }
    // Any number of 0xFF fill bytes may precede a marker.
    let markerAt = pos;
    while (markerAt + 1 < length && bytes[markerAt + 1] === 0xFF) {
      markerAt++;
    }
    if (markerAt + 1 >= length) {
      throw truncated('jpeg-marker');
    }
    const marker = bytes[markerAt + 1];
    pos = markerAt + 2;

    if (marker === 0xD9) {
      // EOI. Anything after it is not part of this image.
      if (frames === 0 || scans === 0) {
        throw malformed('jpeg-no-image');
      }
      outcome.pieces.push([markerAt, pos]);
      if (pos < length) {
        const trailer = bytes.subarray(pos);
        const embedded = trailer.length > 3 && indexOfSoi(trailer) >= 0;
        drop(outcome, embedded ? 'trailer/images' : 'trailer', trailer.length, [embedded ? 'extra-images' : 'trailing-data']);
      }
      return outcome;
    }
    if (marker === 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker === 0x01 || marker === 0x00) {
      throw malformed('jpeg-unexpected-marker');
    }
    if (pos + 2 > length) {
      throw truncated('jpeg-segment-length');
    }
    const segmentLength = (bytes[pos] << 8) | bytes[pos + 1];
    if (segmentLength < 2) {
      throw malformed('jpeg-segment-length');
    }
    const bodyStart = pos + 2;
    const end = pos + segmentLength;
    if (end > length) {
      throw truncated('jpeg-segment');
    }

    if (marker >= 0xE0 && marker <= 0xEF) {
      handleAppSegment(bytes, marker, markerAt, bodyStart, end, outcome, keepOrientation, writeOrientation);
    } else if (marker === 0xFE) {
      drop(outcome, 'COM', end - markerAt, ['comment']);
    } else if (isFrameMarker(marker)) {
      frames++;
      outcome.pieces.push([markerAt, end]);
    } else if (marker === 0xC4 || marker === 0xDB || marker === 0xCC || marker === 0xDD || marker === 0xDC) {
      outcome.pieces.push([markerAt, end]);
    } else if (marker === 0xDA) {
      if (frames === 0) {
        throw malformed('jpeg-scan-before-frame');
      }
      scans++;
      const scanEnd = endOfEntropyCodedData(bytes, end);
      outcome.pieces.push([markerAt, scanEnd]);
      pos = scanEnd;
      continue;
    } else {
      // JPG, JPGn, DHP, EXP and reserved markers: not used by cameras or phones; refuse rather than guess.
      throw new ScrubError('unsupported-format', 'jpeg-marker-' + marker.toString(16));
    }
    pos = end;
  }
}

function isFrameMarker(marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker !== 0xC4 && marker !== 0xC8 && marker !== 0xCC;
}

/** Skips entropy-coded data: up to the first marker that is neither a stuffed zero nor a restart marker. */
function endOfEntropyCodedData(bytes, start) {
  let pos = start;
  for (;;) {
    const ff = bytes.indexOf(0xFF, pos);
    if (ff < 0 || ff + 1 >= bytes.length) {
      throw truncated('jpeg-scan');
    }
    const next = bytes[ff + 1];
    if (next === 0x00 || (next >= 0xD0 && next <= 0xD7)) {
      pos = ff + 2;
    } else if (next === 0xFF) {
      pos = ff + 1;
    } else {
      return ff;
    }
  }
}

function indexOfSoi(bytes) {
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xFF && bytes[i + 1] === 0xD8 && bytes[i + 2] === 0xFF) {
      return i;
    }
  }
  return -1;
}

function handleAppSegment(bytes, marker, markerAt, bodyStart, end, outcome, keepOrientation, writeOrientation) {
  const kind = 'APP' + (marker - 0xE0);
  const length = end - markerAt;
  switch (marker) {
    case 0xE0:
      if (startsWith(bytes, bodyStart, end, 'JFIF\0') && end - bodyStart >= 14) {
        const thumbnailPixels = bytes[bodyStart + 12] * bytes[bodyStart + 13];
        if (thumbnailPixels === 0 && end - bodyStart === 14) {
          outcome.pieces.push([markerAt, end]);
        } else {
          // The JFIF header may carry an uncompressed thumbnail: keep the header, drop the thumbnail.
          const header = bytes.slice(bodyStart, bodyStart + 14);
          header[12] = 0;
          header[13] = 0;
          outcome.pieces.push(concat(new Uint8Array([0xFF, 0xE0, 0x00, 16]), header));
          drop(outcome, 'APP0/JFIF thumbnail', length - 18, ['thumbnail']);
        }
        return;
      }
      drop(outcome, kind, length, startsWith(bytes, bodyStart, end, 'JFXX\0') ? ['thumbnail'] : ['other-metadata']);
      return;
    case 0xE1: {
      if (startsWith(bytes, bodyStart, end, EXIF_HEADER)) {
        const exif = readExif(bytes, bodyStart + EXIF_HEADER.length, end);
        if (keepOrientation && exif.orientation !== 1 && exif.onlyOrientation) {
          // Already nothing but the orientation (a file this module cleaned before): keep it exactly.
          outcome.pieces.push([markerAt, end]);
          outcome.kept.add('orientation');
          return;
        }
        drop(outcome, 'APP1/Exif', length, exif.found);
        if (exif.orientation !== 1) {
          if (keepOrientation) {
            writeOrientation(exif.orientation);
          } else {
            outcome.removed.add('orientation');
          }
        }
        return;
      }
      if (XMP_HEADERS.some((header) => startsWith(bytes, bodyStart, end, header))) {
        const text = ascii(bytes, bodyStart, end - bodyStart);
        drop(outcome, 'APP1/XMP', length, /GPS(Latitude|Longitude)/.test(text) ? ['xmp', 'location'] : ['xmp']);
        return;
      }
      drop(outcome, kind, length, ['other-metadata']);
      return;
    }
    case 0xE2:
      if (startsWith(bytes, bodyStart, end, 'ICC_PROFILE\0')) {
        outcome.pieces.push([markerAt, end]);
        outcome.kept.add('colour-profile');
        return;
      }
      drop(outcome, kind, length, startsWith(bytes, bodyStart, end, 'MPF\0') ? ['extra-images'] : ['other-metadata']);
      return;
    case 0xEB:
      // JUMBF boxes: C2PA content credentials, which can name their author.
      drop(outcome, kind, length, ['content-credentials']);
      return;
    case 0xED:
      drop(outcome, kind, length, ['iptc']);
      return;
    case 0xEE:
      if (startsWith(bytes, bodyStart, end, 'Adobe') && end - bodyStart === 12) {
        // Version, two flag words and the colour transform: decoders need it for CMYK/YCCK and RGB JPEGs.
        outcome.pieces.push([markerAt, end]);
        return;
      }
      drop(outcome, kind, length, ['other-metadata']);
      return;
    default:
      drop(outcome, kind, length, ['other-metadata']);
  }
}

function asciiBytes(text) {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

// ---- PNG ----------------------------------------------------------------------------------------------------------

const PNG_KEEP = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS', 'cHRM', 'gAMA', 'iCCP', 'sBIT', 'sRGB', 'cICP',
  'mDCV', 'mDCv', 'cLLI', 'cLLi', 'bKGD', 'acTL', 'fcTL', 'fdAT']);
const PNG_TEXT = new Set(['tEXt', 'zTXt', 'iTXt']);
const PNG_MAX_CHUNK = 0x7FFFFFFF;

/**
 * Keeps the image data (IHDR, PLTE, IDAT, animation frames) and what decides how it looks (transparency, gamma,
 * chromaticities, ICC or sRGB, significant bits, HDR colour, background) byte for byte, CRCs verified; drops text
 * (tEXt, zTXt, iTXt: XMP, EXIF dumps, author, software, creation time), eXIf, tIME, pHYs, and any other ancillary
 * chunk. An unknown critical chunk means a PNG this module does not understand: refused.
 */
function scrubPng(bytes, keepOrientation) {
  const outcome = newOutcome();
  const length = bytes.length;
  outcome.pieces.push([0, 8]);
  let pos = 8;
  let first = true;
  let sawIdat = false;
  let orientation = 1;
  let exifOrientationOnly = null;

  for (;;) {
    if (pos + 8 > length) {
      throw truncated('png-chunk-header');
    }
    const dataLength = readU32(bytes, pos);
    const type = ascii(bytes, pos + 4, 4);
    if (dataLength > PNG_MAX_CHUNK || !/^[A-Za-z]{4}$/.test(type)) {
      throw malformed('png-chunk-header');
    }
    const end = pos + 12 + dataLength;
    if (end > length) {
      throw truncated('png-chunk');
    }
    if (first !== (type === 'IHDR')) {
      throw malformed('png-ihdr-not-first');
    }
    first = false;

    if (PNG_KEEP.has(type)) {
      if (crc32(bytes, pos + 4, pos + 8 + dataLength) !== readU32(bytes, pos + 8 + dataLength)) {
        throw malformed('png-crc-' + type);
      }
      if (type === 'IDAT' && !sawIdat) {
        sawIdat = true;
        if (keepOrientation && orientation !== 1) {
          outcome.pieces.push(exifOrientationOnly ?? pngChunk('eXIf', minimalTiff(orientation)));
          outcome.kept.add('orientation');
        }
      }
      outcome.pieces.push([pos, end]);
      if (type === 'iCCP') {
        outcome.kept.add('colour-profile');
      }
      if (type === 'IEND') {
        if (!sawIdat) {
          throw malformed('png-no-idat');
        }
        if (end < length) {
          drop(outcome, 'trailer', length - end, ['trailing-data']);
        }
        return outcome;
      }
    } else if ((type.charCodeAt(0) & 0x20) === 0) {
      throw new ScrubError('unsupported-format', 'png-critical-' + type);
    } else if (type === 'eXIf') {
      const exif = readExif(bytes, pos + 8, pos + 8 + dataLength);
      if (!sawIdat && exif.orientation !== 1) {
        if (keepOrientation) {
          orientation = exif.orientation;
          if (exif.onlyOrientation) {
            exifOrientationOnly = bytes.subarray(pos, end);
            pos = end;
            continue;
          }
        } else {
          outcome.removed.add('orientation');
        }
      }
      drop(outcome, 'eXIf', end - pos, exif.found);
    } else if (PNG_TEXT.has(type)) {
      drop(outcome, type, end - pos, pngTextCodes(bytes, pos + 8, pos + 8 + dataLength));
    } else if (type === 'tIME') {
      drop(outcome, type, end - pos, ['date-time']);
    } else if (type === 'caBX') {
      drop(outcome, type, end - pos, ['content-credentials']);
    } else {
      drop(outcome, type, end - pos, ['other-metadata']);
    }
    pos = end;
  }
}

function pngTextCodes(bytes, start, end) {
  const nul = bytes.indexOf(0, start);
  const keyword = nul > start && nul < end ? ascii(bytes, start, nul - start) : '';
  if (keyword === 'XML:com.adobe.xmp') {
    return ['xmp'];
  }
  if (/^Raw profile type (exif|APP1)$/i.test(keyword)) {
    return ['text', 'camera'];
  }
  if (/^Raw profile type (iptc|8bim)$/i.test(keyword)) {
    return ['iptc'];
  }
  if (/^(Author|Copyright)$/i.test(keyword)) {
    return ['text', 'author'];
  }
  if (/^(Creation Time|date:)/i.test(keyword)) {
    return ['text', 'date-time'];
  }
  if (/^Software$/i.test(keyword)) {
    return ['text', 'software'];
  }
  return ['text'];
}

function pngChunk(type, data) {
  const chunk = new Uint8Array(12 + data.length);
  writeU32(chunk, 0, data.length);
  chunk.set(asciiBytes(type), 4);
  chunk.set(data, 8);
  writeU32(chunk, 8 + data.length, crc32(chunk, 4, 8 + data.length));
  return chunk;
}

function readU32(bytes, pos) {
  return ((bytes[pos] << 24) >>> 0) + (bytes[pos + 1] << 16) + (bytes[pos + 2] << 8) + bytes[pos + 3];
}

function writeU32(bytes, pos, value) {
  bytes[pos] = value >>> 24;
  bytes[pos + 1] = (value >>> 16) & 0xFF;
  bytes[pos + 2] = (value >>> 8) & 0xFF;
  bytes[pos + 3] = value & 0xFF;
}

let crcTable = null;

function crc32(bytes, start, end) {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) {
        c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
      }
      crcTable[n] = c;
    }
  }
  let crc = -1;
  for (let i = start; i < end; i++) {
    crc = crcTable[(crc ^ bytes[i]) & 0xFF] ^ (crc >>> 8);
  }
  return (crc ^ -1) >>> 0;
}

// ---- WebP ---------------------------------------------------------------------------------------------------------

const WEBP_KEEP = new Set(['VP8 ', 'VP8L', 'VP8X', 'ALPH', 'ANIM', 'ANMF', 'ICCP']);
const WEBP_FRAME_KEEP = new Set(['ALPH', 'VP8 ', 'VP8L']);
const VP8X_ICC = 0x20;
const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

/**
 * Keeps the bitstreams (VP8, VP8L, ALPH), animation (ANIM, ANMF) and the ICC profile byte for byte; drops EXIF, XMP
 * and unknown chunks (also inside animation frames); clears the EXIF and XMP flags of VP8X (and ICC if no profile is
 * left) and writes the new RIFF size.
 */
function scrubWebp(bytes, keepOrientation) {
  const outcome = newOutcome();
  if (bytes.length < 20) {
    throw truncated('webp-header');
  }
  const riffSize = readU32Le(bytes, 4);
  if (riffSize < 4) {
    throw malformed('webp-riff-size');
  }
  const riffEnd = 8 + riffSize;
  if (riffEnd > bytes.length) {
    throw truncated('webp-riff');
  }
  const chunks = readRiffChunks(bytes, 12, riffEnd);
  if (chunks.length === 0 || !['VP8 ', 'VP8L', 'VP8X'].includes(chunks[0].type)) {
    throw malformed('webp-first-chunk');
  }
  const extended = chunks[0].type === 'VP8X';
  if (extended && chunks[0].end - chunks[0].start !== 18) {
    throw malformed('webp-vp8x');
  }
  if (!chunks.some((chunk) => ['VP8 ', 'VP8L', 'ANMF'].includes(chunk.type))) {
    throw malformed('webp-no-image');
  }

  const body = [];
  let orientation = 1;
  let orientationChunk = null;
  let hasIcc = false;
  for (const chunk of chunks) {
    const size = chunk.end - chunk.start;
    if (chunk.type === 'ICCP') {
      hasIcc = true;
      outcome.kept.add('colour-profile');
    }
    if (WEBP_KEEP.has(chunk.type)) {
      body.push(chunk.type === 'ANMF' ? scrubAnimationFrame(bytes, chunk, outcome) : [chunk.start, chunk.end]);
    } else if (chunk.type === 'EXIF') {
      const exif = readExif(bytes, chunk.dataStart, chunk.dataStart + chunk.dataLength);
      if (exif.orientation !== 1) {
        if (keepOrientation) {
          orientation = exif.orientation;
          if (exif.onlyOrientation) {
            orientationChunk = bytes.subarray(chunk.start, chunk.end);
            continue;
          }
        } else {
          outcome.removed.add('orientation');
        }
      }
      drop(outcome, 'EXIF', size, exif.found);
    } else if (chunk.type === 'XMP ') {
      drop(outcome, 'XMP', size, ['xmp']);
    } else {
      drop(outcome, chunk.type.trim() || 'chunk', size, ['other-metadata']);
    }
  }
  if (riffEnd < bytes.length) {
    drop(outcome, 'trailer', bytes.length - riffEnd, ['trailing-data']);
  }

  const keepExif = keepOrientation && orientation !== 1 && extended;
  if (keepExif) {
    body.push(orientationChunk ?? riffChunk('EXIF', minimalTiff(orientation)));
    outcome.kept.add('orientation');
  } else if (keepOrientation && orientation !== 1) {
    // A simple (not extended) WebP cannot carry EXIF; browsers do not rotate those anyway.
    outcome.removed.add('orientation');
  }

  let total = 4;
  for (const piece of body) {
    total += piece instanceof Uint8Array ? piece.length : piece[1] - piece[0];
  }
  const header = new Uint8Array(12);
  header.set(asciiBytes('RIFF'), 0);
  writeU32Le(header, 4, total);
  header.set(asciiBytes('WEBP'), 8);
  outcome.pieces.push(header);
  if (extended) {
    const vp8x = bytes.slice(chunks[0].start, chunks[0].end);
    const flags = vp8x[8];
    vp8x[8] = (flags & ~(VP8X_EXIF | VP8X_XMP | VP8X_ICC)) | (keepExif ? VP8X_EXIF : 0) | (hasIcc ? VP8X_ICC : 0);
    body[0] = vp8x;
  }
  outcome.pieces.push(...body);
  return outcome;
}

/** ANMF: a 16-byte frame header followed by the frame's own chunks; unknown ones are dropped. */
function scrubAnimationFrame(bytes, frame, outcome) {
  if (frame.dataLength < 16) {
    throw malformed('webp-anmf');
  }
  const inner = readRiffChunks(bytes, frame.dataStart + 16, frame.dataStart + frame.dataLength);
  if (inner.every((chunk) => WEBP_FRAME_KEEP.has(chunk.type))) {
    return [frame.start, frame.end];
  }
  const parts = [bytes.subarray(frame.dataStart, frame.dataStart + 16)];
  for (const chunk of inner) {
    if (WEBP_FRAME_KEEP.has(chunk.type)) {
      parts.push(bytes.subarray(chunk.start, chunk.end));
    } else {
      drop(outcome, 'ANMF/' + chunk.type.trim(), chunk.end - chunk.start, ['other-metadata']);
    }
  }
  return riffChunk('ANMF', concat(...parts));
}

function readRiffChunks(bytes, start, end) {
  const chunks = [];
  let pos = start;
  while (pos < end) {
    if (pos + 8 > end) {
      throw truncated('webp-chunk-header');
    }
    const type = ascii(bytes, pos, 4);
    const dataLength = readU32Le(bytes, pos + 4);
    const padded = dataLength + (dataLength & 1);
    if (pos + 8 + padded > end) {
      throw truncated('webp-chunk');
    }
    chunks.push({ type, start: pos, dataStart: pos + 8, dataLength, end: pos + 8 + padded });
    pos += 8 + padded;
  }
  return chunks;
}

function riffChunk(type, data) {
  const padded = data.length + (data.length & 1);
  const chunk = new Uint8Array(8 + padded);
  chunk.set(asciiBytes(type), 0);
  writeU32Le(chunk, 4, data.length);
  chunk.set(data, 8);
  return chunk;
}

function readU32Le(bytes, pos) {
  return (bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16)) + bytes[pos + 3] * 0x1000000;
}

function writeU32Le(bytes, pos, value) {
  bytes[pos] = value & 0xFF;
  bytes[pos + 1] = (value >>> 8) & 0xFF;
  bytes[pos + 2] = (value >>> 16) & 0xFF;
  bytes[pos + 3] = value >>> 24;
}
