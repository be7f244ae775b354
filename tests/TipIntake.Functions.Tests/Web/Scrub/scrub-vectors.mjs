// Vectors for the server's port of the scrubber's JPEG and PNG rules (ImageScrubbingStream, the no-script path):
// each fixture of the Node suite's kind, every cut of two dressed photos and mutated files, with what scrub.js makes
// of them. ScrubParityTests runs this and checks that the C# stream agrees byte for byte. Prints one JSON document.
import { scrubImage } from './scrub.js';
import * as img from './images.mjs';

const ICC = img.ascii('fake ICC profile: Display P3, 2025 -- colour data only');
const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const vectors = [];
const add = (name, input, options = {}) => {
  const result = scrubImage(input, options);
  vectors.push({
    name,
    input: b64(input),
    keepOrientation: options.keepOrientation !== false,
    ok: result.ok,
    output: result.ok ? b64(result.bytes) : null,
    removed: result.ok ? result.removed : [],
    kept: result.ok ? result.kept : [],
    reason: result.ok ? null : result.reason,
  });
};

const base = img.buildJpeg();
add('jpeg plain', base);
add('jpeg phone photo', img.phonePhoto(img.buildJpeg({ width: 64, height: 48 }), { icc: ICC }));
add('jpeg restart markers', img.phonePhoto(img.buildJpeg({ width: 80, height: 64, restartInterval: 4 }), { icc: ICC }));
for (const orientation of [3, 6, 8]) {
  for (const littleEndian of [false, true]) {
    add(`jpeg orientation ${orientation} ${littleEndian ? 'II' : 'MM'}`, img.phonePhoto(base, { orientation, littleEndian }));
  }
}
add('jpeg orientation dropped', img.phonePhoto(base, { orientation: 6 }), { keepOrientation: false });
add('jpeg cleaned before', scrubImage(img.phonePhoto(base, { orientation: 6 })).bytes);
const headerEnd = img.indexOf(base, [0xFF, 0xDA]);
const scanBody = (seed) => Uint8Array.from({ length: 300 }, (_, i) => ((i * 131 + seed) % 251) || 1);
add('jpeg progressive', img.concat(base.subarray(0, headerEnd), img.segment(0xDA, [1, 1, 0x00, 0, 0, 0]), scanBody(1), [0xFF, 0x00, 7],
  img.segment(0xC4, img.concat([0x10], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0x00])),
  img.commentSegment(img.SECRETS.comment), img.segment(0xDA, [1, 1, 0x00, 1, 63, 0]), scanBody(2), [0xFF, 0xD9]));
const jfifEnd = 4 + ((base[4] << 8) | base[5]);
add('jpeg jfif and jfxx thumbnails', img.concat(base.subarray(0, 2),
  img.segment(0xE0, img.concat(img.ascii('JFIF\0'), [1, 2, 0, 0, 1, 0, 1, 2, 2], new Uint8Array(12).fill(200))),
  img.segment(0xE0, img.concat(img.ascii('JFXX\0'), [0x13], img.ascii(img.SECRETS.thumbnailMarker))), base.subarray(jfifEnd)));
add('jpeg adobe kept, ducky dropped', img.withSegments(base, img.adobeSegment(1), img.segment(0xEC, img.concat(img.ascii('Ducky'), [0, 1, 0, 4, 0, 0, 0, 80]))));
add('jpeg unreadable exif', img.withSegments(base, img.segment(0xE1, img.concat(img.ascii('Exif\0\0'), img.ascii('XX'), img.ascii(img.SECRETS.serial)))));
const cyclic = img.tiff({ ifd0: [img.entry.ascii(0x010F, img.SECRETS.make)] });
cyclic.set([0, 0, 0, 8], 8 + 2 + 12);
add('jpeg cyclic exif', img.withSegments(base, img.exifSegment(cyclic)));
add('jpeg huge ifd', img.withSegments(base, img.exifSegment(img.concat(img.ascii('MM\0*'), [0, 0, 0, 8], [0xFF, 0xFF], new Uint8Array(20)))));
const dqt = img.indexOf(base, [0xFF, 0xDB]);
add('jpeg fill bytes', img.concat(base.subarray(0, dqt), [0xFF, 0xFF, 0xFF], base.subarray(dqt)));
const sof = img.jpegSegments(base).find((s) => s.marker === 0xC0).bytes;
add('jpeg scan before frame', img.concat(base.subarray(0, img.indexOf(base, sof)), base.subarray(img.indexOf(base, sof) + sof.length)));
add('jpeg no scan', img.concat(base.subarray(0, headerEnd), [0xFF, 0xD9]));
add('jpeg unsupported marker', img.withSegments(base, img.segment(0xC8, [0, 0])));

const png = img.buildPng();
add('png plain', png);
add('png dressed', img.dressedPng(png, { icc: ICC }));
for (const orientation of [3, 5, 8]) {
  add(`png orientation ${orientation}`, img.dressedPng(png, { orientation }));
}
add('png orientation dropped', img.dressedPng(png, { orientation: 6 }), { keepOrientation: false });
add('png cleaned before', scrubImage(img.dressedPng(png, { orientation: 6 })).bytes);
add('png trailer', img.concat(png, img.ascii('trailing secret')));
add('png unknown critical chunk', img.withPngChunks(png, [img.pngChunk('ABCD', img.ascii(img.SECRETS.unknown))]));
const badCrc = png.slice();
badCrc[img.indexOf(png, img.ascii('IDAT')) + 6] ^= 0x55;
add('png bad idat crc', badCrc);
add('png software and time text', img.withPngChunks(png, [img.textChunk('Software', img.SECRETS.software), img.textChunk('Creation Time', 'x'),
  img.textChunk('Raw profile type exif', 'x'), img.textChunk('Raw profile type iptc', 'x'), img.textChunk('Title', 'x')]));

const cuts = {
  jpeg: img.phonePhoto(img.buildJpeg({ restartInterval: 3 }), { orientation: 6, icc: ICC }),
  png: img.dressedPng(img.buildPng({ width: 8, height: 8 }), { orientation: 3 }),
};
for (const [format, bytes] of Object.entries(cuts)) {
  for (let cut = 0; cut < bytes.length; cut += format === 'jpeg' ? 7 : 3) {
    add(`${format} cut at ${cut}`, bytes.subarray(0, cut));
  }
}

let seed = 0x5EED;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF;
  return seed / 0x7FFFFFFF;
};
const sources = [img.phonePhoto(img.buildJpeg({ restartInterval: 2 }), { orientation: 6, icc: ICC }), img.dressedPng(img.buildPng({ width: 8, height: 8 }), { orientation: 5, icc: ICC })];
for (let i = 0; i < 600; i++) {
  const bytes = sources[i % sources.length].slice();
  for (let m = 1 + Math.floor(random() * 4); m > 0; m--) {
    bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
  }
  add(`mutation ${i}`, bytes);
}

process.stdout.write(JSON.stringify({ secrets: Object.values(img.SECRETS), vectors }));
