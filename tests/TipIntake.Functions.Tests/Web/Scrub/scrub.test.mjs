// Tests of Web/assets/scrub.js under Node.js's own test runner (node:test). ScrubScriptTests runs this file against
// the copy of scrub.js embedded in the Functions app (what the site serves) and reports each test by name.
// Every image is built here byte by byte (images.mjs): real, decodable files carrying what phones and cameras write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scrubImage, detectFormat, REMOVED_CODES, KEPT_CODES } from './scrub.js';
import * as img from './images.mjs';

const ICC = img.ascii('fake ICC profile: Display P3, 2025 -- colour data only');

function assertNoSecrets(bytes) {
  for (const [name, secret] of Object.entries(img.SECRETS)) {
    assert.ok(!img.contains(bytes, secret), `${name} ("${secret}") is still in the output`);
  }
  for (const marker of ['GPS', 'Exif\0\0MM\0*\0\0\0\x08\0\x06', 'http://ns.adobe.com', 'Photoshop 3.0', '8BIM']) {
    assert.ok(!img.contains(bytes, marker), `"${marker}" is still in the output`);
  }
}

function assertOk(result) {
  assert.equal(result.ok, true, `refused: ${result.reason} ${result.detail}`);
  return result;
}

/** Re-reads the output: every segment well formed, the scan intact, and nothing left to remove. */
function assertCleanAndStable(result) {
  const again = assertOk(scrubImage(result.bytes));
  assert.deepEqual(again.removed, [], 'a second pass still found metadata');
  assert.equal(again.changed, false, 'a second pass changed the file');
  assert.deepEqual(again.kept, result.kept);
}

// ---- JPEG ----------------------------------------------------------------------------------------------------------

test('jpeg: a phone photo loses GPS, camera, serials, dates, maker notes, thumbnail, XMP, IPTC, comment, C2PA and the appended gain map', () => {
  const original = img.buildJpeg({ width: 64, height: 48 });
  const photo = img.phonePhoto(original, { icc: ICC });
  for (const secret of Object.values(img.SECRETS).filter((s) => !/Png|Unknown/.test(s))) {
    assert.ok(img.contains(photo, secret), `the fixture lacks ${secret}`);
  }

  const result = assertOk(scrubImage(photo));

  assert.equal(result.format, 'jpeg');
  assert.equal(result.changed, true);
  assert.deepEqual(result.removed, ['location', 'serial-number', 'camera', 'author', 'date-time', 'unique-id', 'software',
    'maker-notes', 'thumbnail', 'extra-images', 'xmp', 'iptc', 'comment', 'content-credentials']);
  assert.deepEqual(result.kept, ['colour-profile']);
  assertNoSecrets(result.bytes);
  assertCleanAndStable(result);
});

test('jpeg: the scan data and the tables it needs are kept byte for byte, the ICC profile too, nothing else added', () => {
  const original = img.buildJpeg({ width: 80, height: 64, restartInterval: 4 });
  const result = assertOk(scrubImage(img.phonePhoto(original, { icc: ICC })));

  const kept = img.jpegSegments(result.bytes).map((s) => s.marker);
  assert.deepEqual(kept, [0xE0, 0xE2, 0xDB, 0xC0, 0xC4, 0xC4, 0xDD, 0xDA]);
  const expected = img.jpegSegments(original).filter((s) => s.marker !== 0xDA);
  for (const segment of expected) {
    assert.ok(img.contains(result.bytes, segment.bytes), `segment ${segment.marker.toString(16)} changed`);
  }
  assert.deepEqual(img.scanData(result.bytes), img.scanData(original));
  assert.deepEqual(result.bytes.subarray(result.bytes.length - 2), Uint8Array.from([0xFF, 0xD9]));
  assert.ok(img.contains(result.bytes, img.iccSegment(ICC)));
  // Output = the original plus the ICC segment the fixture added, exactly.
  assert.equal(result.bytes.length, original.length + img.iccSegment(ICC).length);
});

test('jpeg: scan data with restart markers and stuffed 0xFF bytes is copied exactly', () => {
  // Block lengths of 4, 7 and 14 bits put a run of eight one bits on a byte boundary: a stuffed 0xFF.
  const original = img.buildJpeg({ width: 256, height: 64, restartInterval: 4, dc: (bx) => [0, 127, 3][bx % 3] });
  const scan = img.scanData(original);
  assert.ok(img.contains(scan, [0xFF, 0x00]), 'the fixture has no stuffed byte');
  assert.ok(img.contains(scan, [0xFF, 0xD1]), 'the fixture has no restart marker');

  const result = assertOk(scrubImage(img.withSegments(original, img.commentSegment(img.SECRETS.comment))));

  assert.deepEqual(result.bytes, original);
  assert.deepEqual(result.removed, ['comment']);
});

test('jpeg: several scans (progressive layout) with tables between them are all kept', () => {
  const base = img.buildJpeg();
  const headerEnd = img.indexOf(base, [0xFF, 0xDA]);
  const scanBody = (seed) => Uint8Array.from({ length: 300 }, (_, i) => ((i * 131 + seed) % 251) || 1);
  const sos = img.segment(0xDA, [1, 1, 0x00, 0, 0, 0]);
  const progressive = img.concat(base.subarray(0, headerEnd), sos, scanBody(1), [0xFF, 0x00, 7],
    img.segment(0xC4, img.concat([0x10], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0x00])),
    img.commentSegment(img.SECRETS.comment), img.segment(0xDA, [1, 1, 0x00, 1, 63, 0]), scanBody(2), [0xFF, 0xD9]);

  const result = assertOk(scrubImage(progressive));

  assert.equal(result.bytes.length, progressive.length - img.commentSegment(img.SECRETS.comment).length);
  assert.ok(img.contains(result.bytes, img.concat(sos, scanBody(1), [0xFF, 0x00, 7])));
  assert.ok(img.contains(result.bytes, scanBody(2)));
  assertNoSecrets(result.bytes);
});

test('jpeg: orientation survives as a fresh EXIF block holding nothing else, in both byte orders', () => {
  for (const littleEndian of [false, true]) {
    const original = img.buildJpeg();
    const result = assertOk(scrubImage(img.phonePhoto(original, { orientation: 6, littleEndian })));

    assert.deepEqual(result.kept, ['orientation']);
    const exif = img.jpegSegments(result.bytes).filter((s) => s.marker === 0xE1);
    assert.equal(exif.length, 1);
    assert.deepEqual(exif[0].bytes, img.exifSegment(Uint8Array.from([0x4D, 0x4D, 0, 0x2A, 0, 0, 0, 8, 0, 1,
      0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0])));
    assert.deepEqual(img.scanData(result.bytes), img.scanData(original));
    assertNoSecrets(result.bytes);
    assertCleanAndStable(result);
  }
});

test('jpeg: with keepOrientation false the orientation goes too, and the note says so', () => {
  const result = assertOk(scrubImage(img.phonePhoto(img.buildJpeg(), { orientation: 8 }), { keepOrientation: false }));

  assert.ok(result.removed.includes('orientation'));
  assert.deepEqual(result.kept, []);
  assert.equal(img.jpegSegments(result.bytes).filter((s) => s.marker === 0xE1).length, 0);
});

test('jpeg: a JFIF thumbnail and a JFXX thumbnail are removed, the JFIF header kept', () => {
  const base = img.buildJpeg();
  const jfifEnd = 4 + ((base[4] << 8) | base[5]);
  const thumbnailPixels = new Uint8Array(2 * 2 * 3).fill(200);
  const jfifWithThumbnail = img.segment(0xE0, img.concat(img.ascii('JFIF\0'), [1, 2, 0, 0, 1, 0, 1, 2, 2], thumbnailPixels));
  const jfxx = img.segment(0xE0, img.concat(img.ascii('JFXX\0'), [0x13], img.ascii(img.SECRETS.thumbnailMarker)));
  const input = img.concat(base.subarray(0, 2), jfifWithThumbnail, jfxx, base.subarray(jfifEnd));

  const result = assertOk(scrubImage(input));

  assert.deepEqual(result.bytes, base);
  assert.deepEqual(result.removed, ['thumbnail']);
});

test('jpeg: Adobe APP14 (colour transform) is kept, other APPn dropped', () => {
  const base = img.buildJpeg();
  const ducky = img.segment(0xEC, img.concat(img.ascii('Ducky'), [0, 1, 0, 4, 0, 0, 0, 80]));
  const result = assertOk(scrubImage(img.withSegments(base, img.adobeSegment(1), ducky)));

  assert.ok(img.contains(result.bytes, img.adobeSegment(1)));
  assert.ok(!img.contains(result.bytes, 'Ducky'));
  assert.deepEqual(result.removed, ['other-metadata']);
});

test('jpeg: an unreadable EXIF block is removed all the same', () => {
  const broken = img.segment(0xE1, img.concat(img.ascii('Exif\0\0'), img.ascii('XX'), img.ascii(img.SECRETS.serial)));
  const result = assertOk(scrubImage(img.withSegments(img.buildJpeg(), broken)));

  assert.ok(!img.contains(result.bytes, img.SECRETS.serial));
  assert.deepEqual(result.removed, ['other-metadata']);
});

test('jpeg: EXIF with cyclic or oversized IFD offsets is removed without hanging', () => {
  const cyclic = img.tiff({ ifd0: [img.entry.ascii(0x010F, img.SECRETS.make)] });
  // Point IFD0's "next IFD" back at IFD0 itself.
  const nextAt = 8 + 2 + 12;
  cyclic.set([0, 0, 0, 8], nextAt);
  const huge = img.concat(img.ascii('MM\0*'), [0, 0, 0, 8], [0xFF, 0xFF], new Uint8Array(20));
  for (const tiff of [cyclic, huge]) {
    const result = assertOk(scrubImage(img.withSegments(img.buildJpeg(), img.exifSegment(tiff))));
    assert.ok(!img.contains(result.bytes, img.SECRETS.make));
  }
});

test('jpeg: fill bytes before a marker are accepted', () => {
  const base = img.buildJpeg();
  const at = img.indexOf(base, [0xFF, 0xDB]);
  const padded = img.concat(base.subarray(0, at), [0xFF, 0xFF, 0xFF], base.subarray(at));
  const result = assertOk(scrubImage(padded));
  assert.deepEqual(img.scanData(result.bytes), img.scanData(base));
});

// ---- PNG -----------------------------------------------------------------------------------------------------------

test('png: text, XMP, EXIF, time, density, C2PA and private chunks are removed; image data and ICC kept byte for byte', () => {
  const original = img.buildPng();
  const dressed = img.dressedPng(original, { icc: ICC });

  const result = assertOk(scrubImage(dressed));

  assert.equal(result.format, 'png');
  assert.deepEqual(result.removed, ['location', 'serial-number', 'camera', 'author', 'date-time', 'unique-id', 'software',
    'maker-notes', 'xmp', 'text', 'content-credentials', 'other-metadata']);
  assert.deepEqual(result.kept, ['colour-profile']);
  assertNoSecrets(result.bytes);
  assert.deepEqual(img.pngChunks(result.bytes).map((c) => c.type), ['IHDR', 'iCCP', 'IDAT', 'IDAT', 'IEND']);
  const before = img.pngChunks(original);
  const after = img.pngChunks(result.bytes);
  for (const type of ['IHDR', 'IDAT', 'IEND']) {
    assert.deepEqual(after.filter((c) => c.type === type).map((c) => [...c.bytes]), before.filter((c) => c.type === type).map((c) => [...c.bytes]));
  }
  assertCleanAndStable(result);
});

test('png: orientation from eXIf is kept as a minimal eXIf chunk before the image data, with a valid CRC', () => {
  const result = assertOk(scrubImage(img.dressedPng(img.buildPng(), { orientation: 8 })));

  const chunks = img.pngChunks(result.bytes);
  assert.deepEqual(chunks.map((c) => c.type), ['IHDR', 'eXIf', 'IDAT', 'IDAT', 'IEND']);
  const exif = chunks[1];
  assert.equal(exif.data.length, 26);
  assert.equal(exif.data[19], 8);
  for (const chunk of chunks) {
    const crc = chunk.bytes.subarray(chunk.bytes.length - 4);
    assert.equal(img.crc32(chunk.bytes.subarray(4, chunk.bytes.length - 4)), ((crc[0] << 24) >>> 0) + (crc[1] << 16) + (crc[2] << 8) + crc[3]);
  }
  assert.deepEqual(result.kept, ['orientation']);
  assertCleanAndStable(result);
});

test('png: data after IEND is dropped', () => {
  const png = img.buildPng();
  const result = assertOk(scrubImage(img.concat(png, img.ascii(img.SECRETS.unknown))));
  assert.deepEqual(result.bytes, png);
  assert.deepEqual(result.removed, ['trailing-data']);
});

test('png: an unknown critical chunk is refused, not passed on', () => {
  const png = img.withPngChunks(img.buildPng(), [img.pngChunk('ZZZZ', img.ascii(img.SECRETS.unknown))]);
  const result = scrubImage(png);
  assert.equal(result.ok, false);
  assert.equal(result.reason, 'unsupported-format');
});

test('png: a corrupted IDAT (bad CRC) is refused as malformed', () => {
  const png = img.buildPng();
  const at = img.indexOf(png, img.ascii('IDAT')) + 10;
  png[at] ^= 0x40;
  const result = scrubImage(png);
  assert.equal(result.ok, false);
  assert.equal(result.reason, 'malformed');
});

// ---- WebP ----------------------------------------------------------------------------------------------------------

test('webp: EXIF, XMP and unknown chunks are removed from an extended file; VP8X flags and RIFF size rewritten', () => {
  for (const kind of ['lossless', 'lossy']) {
    const simple = img.fromBase64(img.WEBP_1PX[kind]);
    const dressed = img.extendedWebp(simple, { icc: ICC });

    const result = assertOk(scrubImage(dressed));

    assert.equal(result.format, 'webp');
    assertNoSecrets(result.bytes);
    assert.ok(result.removed.includes('location') && result.removed.includes('xmp') && result.removed.includes('other-metadata'));
    assert.deepEqual(img.webpChunks(result.bytes).map((c) => c.type), ['VP8X', 'ICCP', kind === 'lossless' ? 'VP8L' : 'VP8 ']);
    assert.equal(result.bytes[20], 0x20, 'VP8X flags: only ICC should remain');
    const riffSize = result.bytes[4] | (result.bytes[5] << 8) | (result.bytes[6] << 16) | (result.bytes[7] << 24);
    assert.equal(riffSize, result.bytes.length - 8);
    assert.deepEqual(img.webpChunks(result.bytes)[2].bytes, img.webpChunks(simple)[0].bytes);
    assertCleanAndStable(result);
  }
});

test('webp: without an ICC profile the ICC flag is cleared too; orientation is kept as minimal EXIF with its flag', () => {
  const simple = img.fromBase64(img.WEBP_1PX.lossless);
  const plain = assertOk(scrubImage(img.extendedWebp(simple)));
  assert.equal(plain.bytes[20], 0x00);
  assert.deepEqual(img.webpChunks(plain.bytes).map((c) => c.type), ['VP8X', 'VP8L']);

  const rotated = assertOk(scrubImage(img.extendedWebp(simple, { exif: img.cameraExif({ orientation: 6, littleEndian: true }) })));
  assert.equal(rotated.bytes[20], 0x08);
  const chunks = img.webpChunks(rotated.bytes);
  assert.deepEqual(chunks.map((c) => c.type), ['VP8X', 'VP8L', 'EXIF']);
  assert.equal(chunks[2].data.length, 26);
  assert.deepEqual(rotated.kept, ['orientation']);
  assertNoSecrets(rotated.bytes);
  assertCleanAndStable(rotated);
});

test('webp: simple, alpha and animated files without metadata are passed through unchanged', () => {
  for (const [kind, base64] of Object.entries(img.WEBP_1PX)) {
    const bytes = img.fromBase64(base64);
    const result = assertOk(scrubImage(bytes));
    assert.equal(result.changed, false, kind);
    assert.deepEqual(result.bytes, bytes, kind);
    assert.deepEqual(result.removed, [], kind);
  }
});

test('webp: an unknown chunk inside an animation frame is dropped and the frame rebuilt', () => {
  const animated = img.fromBase64(img.WEBP_1PX.animated);
  const chunks = img.webpChunks(animated);
  const frame = chunks.find((c) => c.type === 'ANMF');
  const rebuiltFrame = img.riffChunk('ANMF', img.concat(frame.data, img.riffChunk('PRVT', img.ascii(img.SECRETS.unknown))));
  const body = img.concat(img.ascii('WEBP'), ...chunks.map((c) => (c.type === 'ANMF' ? rebuiltFrame : c.bytes)));
  const input = img.concat(img.ascii('RIFF'), [body.length & 0xFF, (body.length >> 8) & 0xFF, 0, 0], body);

  const result = assertOk(scrubImage(input));

  assert.deepEqual(result.bytes, animated);
  assert.deepEqual(result.removed, ['other-metadata']);
});

test('webp: data after the RIFF body is dropped; a RIFF size beyond the file is truncation', () => {
  const bytes = img.fromBase64(img.WEBP_1PX.lossy);
  const trailing = assertOk(scrubImage(img.concat(bytes, img.ascii(img.SECRETS.unknown))));
  assert.deepEqual(trailing.bytes, bytes);
  assert.deepEqual(trailing.removed, ['trailing-data']);

  const lying = bytes.slice();
  lying[4] += 40;
  const result = scrubImage(lying);
  assert.equal(result.ok, false);
  assert.equal(result.reason, 'truncated');
});

// ---- Refusals: never a throw, never a half-cleaned file -----------------------------------------------------------

test('refuses formats it cannot clean, naming them: HEIC, AVIF, GIF, TIFF, BMP, unknown', () => {
  const cases = {
    heic: img.concat([0, 0, 0, 24], img.ascii('ftypheic'), new Uint8Array(40)),
    avif: img.concat([0, 0, 0, 24], img.ascii('ftypavif'), new Uint8Array(40)),
    gif: img.concat(img.ascii('GIF89a'), [1, 0, 1, 0, 0, 0, 0], [0x21, 0xFE, 5], img.ascii('hello'), [0, 0x3B]),
    tiff: img.cameraExif(),
    bmp: img.concat(img.ascii('BM'), new Uint8Array(60)),
    unknown: img.ascii('%PDF-1.7 not an image'),
  };
  for (const [format, bytes] of Object.entries(cases)) {
    const result = scrubImage(bytes);
    assert.equal(result.ok, false, format);
    assert.equal(result.reason, 'unsupported-format', format);
    assert.equal(result.format, format);
    assert.equal(detectFormat(bytes), format);
  }
});

test('a file cut anywhere is refused as truncated or malformed, never thrown on, never half-cleaned', () => {
  const files = {
    jpeg: img.phonePhoto(img.buildJpeg({ restartInterval: 3 }), { orientation: 6, icc: ICC }),
    png: img.dressedPng(img.buildPng(), { orientation: 3 }),
    webp: img.extendedWebp(img.fromBase64(img.WEBP_1PX.lossy), { icc: ICC }),
  };
  for (const [format, bytes] of Object.entries(files)) {
    const end = format === 'jpeg' ? img.indexOf(bytes, [0xFF, 0xD9]) + 2 : bytes.length;
    for (let cut = 0; cut < end; cut++) {
      const result = scrubImage(bytes.subarray(0, cut));
      if (result.ok) {
        // Only a cut inside data that follows the image itself (a JPEG trailer, a PNG/WebP trailer) may pass.
        assert.fail(`${format} cut at ${cut} of ${end} was accepted`);
      }
      assert.ok(['truncated', 'malformed', 'unsupported-format'].includes(result.reason), `${format} ${cut}: ${result.reason}`);
    }
  }
});

test('garbage, empty and wrong-typed inputs give a refusal, not an exception', () => {
  for (const input of [new Uint8Array(0), new Uint8Array([0xFF, 0xD8, 0xFF]), new Uint8Array([0xFF, 0xD8, 0xFF, 0xD9]),
    new Uint8Array([0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01]), img.ascii('RIFF\0\0\0\0WEBP'), img.ascii('\x89PNG\r\n\x1A\n'),
    null, undefined, 42, 'a string', {}, new ArrayBuffer(3)]) {
    const result = scrubImage(input);
    assert.equal(result.ok, false);
    assert.equal(typeof result.reason, 'string');
  }
});

test('a JPEG whose scan comes before its frame header, or that has no scan, is malformed', () => {
  const base = img.buildJpeg();
  const sof = img.jpegSegments(base).find((s) => s.marker === 0xC0).bytes;
  const withoutFrame = img.concat(base.subarray(0, img.indexOf(base, sof)), base.subarray(img.indexOf(base, sof) + sof.length));
  assert.equal(scrubImage(withoutFrame).reason, 'malformed');
  const noScan = img.concat(base.subarray(0, img.indexOf(base, [0xFF, 0xDA])), [0xFF, 0xD9]);
  assert.equal(scrubImage(noScan).reason, 'malformed');
});

test('fuzz: 3,000 mutated files never throw; whatever is accepted is stable and carries none of the secrets it had', () => {
  let seed = 0x5EED;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF;
    return seed / 0x7FFFFFFF;
  };
  const sources = [
    img.phonePhoto(img.buildJpeg({ restartInterval: 2 }), { orientation: 6, icc: ICC }),
    img.dressedPng(img.buildPng({ width: 8, height: 8 }), { orientation: 5, icc: ICC }),
    img.extendedWebp(img.fromBase64(img.WEBP_1PX.lossy), { icc: ICC }),
  ];
  let accepted = 0;
  for (let i = 0; i < 3000; i++) {
    const source = sources[i % sources.length];
    const bytes = source.slice();
    const mutations = 1 + Math.floor(random() * 4);
    for (let m = 0; m < mutations; m++) {
      bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    }
    const cut = random() < 0.3 ? Math.floor(random() * bytes.length) : bytes.length;
    const input = bytes.subarray(0, cut);
    let result;
    assert.doesNotThrow(() => {
      result = scrubImage(input);
    });
    if (result.ok) {
      accepted++;
      const again = scrubImage(result.bytes);
      assert.equal(again.ok, true, `mutation ${i}: accepted output no longer parses (${again.detail})`);
      assert.deepEqual(again.removed, [], `mutation ${i}: output still had metadata`);
      for (const secret of [img.SECRETS.serial, img.SECRETS.xmpCreator, img.SECRETS.pngAuthor, img.SECRETS.comment]) {
        if (img.contains(input, secret)) {
          assert.ok(!img.contains(result.bytes, secret), `mutation ${i}: ${secret} survived`);
        }
      }
    }
  }
  assert.ok(accepted > 100, `only ${accepted} mutated files were accepted: the fuzz does not reach the cleaning code`);
});

test('the input is never modified', () => {
  const input = img.phonePhoto(img.buildJpeg(), { orientation: 6, icc: ICC });
  const copy = input.slice();
  scrubImage(input);
  scrubImage(input.buffer);
  assert.deepEqual(input, copy);
});

test('the codes are documented constants, each reported at most once', () => {
  assert.equal(new Set(REMOVED_CODES).size, REMOVED_CODES.length);
  assert.deepEqual([...KEPT_CODES], ['orientation', 'colour-profile']);
  const result = assertOk(scrubImage(img.phonePhoto(img.buildJpeg(), { orientation: 6, icc: ICC })));
  for (const code of result.removed) {
    assert.ok(REMOVED_CODES.includes(code), code);
  }
  assert.equal(new Set(result.removed).size, result.removed.length);
});
