// Page-side half of ImageScrubberBrowserTests: Chromium encodes real photos (canvas → JPEG, PNG, WebP), images.mjs
// dresses them with the metadata phones write, scrub.js cleans them, and Chromium decodes before and after so the test
// can compare pixels. Loaded as a module under `script-src 'self'` (no eval, no WebAssembly), like the form.
import { scrubImage } from './scrub.js';
import * as img from './images.mjs';

const TYPES = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** A deterministic scene with gradients, edges and text, so that every encoder has real work to do. */
function scene(width, height) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d');
  const gradient = g.createLinearGradient(0, 0, width, height);
  gradient.addColorStop(0, '#1b3a6b');
  gradient.addColorStop(0.5, '#e8c547');
  gradient.addColorStop(1, '#b5302a');
  g.fillStyle = gradient;
  g.fillRect(0, 0, width, height);
  for (let i = 0; i < 40; i++) {
    g.fillStyle = `hsl(${(i * 47) % 360} 70% ${30 + (i % 5) * 10}%)`;
    g.fillRect((i * 73) % width, (i * 41) % height, 10 + (i % 7) * 6, 8 + (i % 5) * 9);
  }
  g.fillStyle = '#fff';
  g.font = '28px sans-serif';
  g.fillText('구금 통지서 — 12명', 20, height / 2);
  return canvas;
}

async function encode(format, width, height) {
  const blob = await new Promise((resolve) => scene(width, height).toBlob(resolve, TYPES[format], 0.9));
  return new Uint8Array(await blob.arrayBuffer());
}

/** Decodes with Chromium's own decoder (EXIF orientation applied); returns the size and a SHA-256 of the pixels. */
async function decode(bytes, format) {
  const bitmap = await createImageBitmap(new Blob([bytes], { type: TYPES[format] }));
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const g = canvas.getContext('2d', { colorSpace: 'srgb' });
  g.drawImage(bitmap, 0, 0);
  const pixels = g.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', pixels));
  return { width: bitmap.width, height: bitmap.height, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''), first: [...pixels.subarray(0, 4)] };
}

const equal = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

function secretsLeft(bytes) {
  return Object.entries(img.SECRETS).filter(([, secret]) => img.contains(bytes, secret)).map(([name]) => name);
}

/** One case: returns everything the C# side asserts. */
async function runCase(format) {
  const width = 320;
  const height = 240;
  const plain = await encode(format, width, height);
  const icc = img.ascii('not a real profile: Chromium ignores it the same way before and after');
  const dressed = format === 'jpeg' ? img.phonePhoto(plain, { orientation: 6, icc })
    : format === 'png' ? img.dressedPng(plain, { orientation: 1 })
      : img.extendedWebp(plain, { icc: null });
  const result = scrubImage(dressed);
  if (!result.ok) {
    return { format, ok: false, reason: result.reason, detail: result.detail };
  }
  // The JPEG case is a portrait photo (orientation 6): what it must look like is the plain encoding turned upright.
  const expected = format === 'jpeg'
    ? img.withSegments(plain, img.exifSegment(Uint8Array.from([0x4D, 0x4D, 0, 0x2A, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0])))
    : plain;
  const out = {
    format,
    ok: true,
    removed: result.removed,
    kept: result.kept,
    secretsBefore: secretsLeft(dressed),
    secretsAfter: secretsLeft(result.bytes),
    plain: await decode(plain, format),
    expected: await decode(expected, format),
    dressed: await decode(dressed, format),
    scrubbed: await decode(result.bytes, format),
  };
  if (format === 'jpeg') {
    out.scanIdentical = equal(img.scanData(result.bytes), img.scanData(plain));
  } else if (format === 'png') {
    const idat = (png) => img.pngChunks(png).filter((c) => c.type === 'IDAT').map((c) => [...c.bytes]).flat();
    out.scanIdentical = equal(idat(result.bytes), idat(plain));
  } else {
    const bitstream = (webp) => [...img.webpChunks(webp).find((c) => c.type === 'VP8 ' || c.type === 'VP8L').bytes];
    out.scanIdentical = equal(bitstream(result.bytes), bitstream(plain));
  }
  return out;
}

/** The test-side builders must make files a real decoder reads as intended. */
async function builtFiles() {
  const jpeg = img.buildJpeg({ width: 16, height: 8, dc: (bx) => (bx === 0 ? -28 : 50) });
  const png = img.buildPng({ width: 4, height: 2, pixel: (x, y) => [10 * x, 20 * y, 30, 255] });
  const decodeFirstPixels = async (bytes, type, count) => {
    const bitmap = await createImageBitmap(new Blob([bytes], { type }));
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const g = canvas.getContext('2d');
    g.drawImage(bitmap, 0, 0);
    return [...g.getImageData(0, 0, bitmap.width, bitmap.height).data.subarray(0, count)];
  };
  const jpegPixels = await decodeFirstPixels(jpeg, 'image/jpeg', 16 * 4);
  return {
    jpegLeft: jpegPixels.slice(0, 4),
    jpegRight: jpegPixels.slice(8 * 4, 8 * 4 + 4),
    png: await decodeFirstPixels(png, 'image/png', 8 * 4),
  };
}

window.scrubHarness = { runCase, builtFiles };
document.body.dataset.ready = 'true';
