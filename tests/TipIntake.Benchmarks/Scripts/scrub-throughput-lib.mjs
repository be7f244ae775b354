// How fast the image scrubber (functions/TipIntake.Functions/Web/assets/scrub.js) cleans a large photo, and what
// hashing and encrypting it in the browser costs next to that (docs/benchmarks.md, "Attachments in the browser").
// Shared by scrub-throughput.mjs (Node.js) and any browser page that imports it.

import { median } from './kdf-cost-lib.mjs';

/**
 * A JPEG of about `megabytes` MB whose scan is random entropy-coded data (every 0xFF stuffed, as an encoder would):
 * the scrubber never decodes, it walks the segments and searches the scan for markers, so this costs it exactly
 * what a photo of that size does. A phone's metadata (EXIF with GPS and a thumbnail, XMP, an appended gain map)
 * is put around it by `dress`.
 */
export function syntheticPhoto(megabytes, header, trailer, seed = 1) {
  const size = Math.round(megabytes * 1_000_000);
  const scan = new Uint8Array(size);
  let x = seed;
  let n = 0;
  while (n < size - 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    const byte = x >>> 24;
    scan[n++] = byte;
    if (byte === 0xFF) {
      scan[n++] = 0x00;
    }
  }
  scan[size - 1] = 0x00;
  const out = new Uint8Array(header.length + size + trailer.length);
  out.set(header, 0);
  out.set(scan, header.length);
  out.set(trailer, header.length + size);
  return out;
}

/** The median of `runs` timings after one warm-up run, in milliseconds. */
export async function timeMedian(runs, action) {
  await action();
  return median(runs, action);
}

/** Scrub, SHA-256 of the result, and AES-256-GCM over it in 1 MiB chunks (the attachment protocol's shape). */
export async function measure(scrubImage, photo, runs = 5) {
  const subtle = globalThis.crypto.subtle;
  let cleaned;
  const scrubMs = await timeMedian(runs, () => {
    cleaned = scrubImage(photo);
    if (!cleaned.ok) {
      throw new Error('refused: ' + cleaned.reason + ' ' + cleaned.detail);
    }
  });
  const bytes = cleaned.bytes;
  const sha256Ms = await timeMedian(runs, () => subtle.digest('SHA-256', bytes));
  const key = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
  const chunk = 1 << 20;
  const encryptMs = await timeMedian(runs, async () => {
    for (let offset = 0, index = 0; offset < bytes.length; offset += chunk, index++) {
      const iv = new Uint8Array(12);
      new DataView(iv.buffer).setUint32(7, index);
      await subtle.encrypt({ name: 'AES-GCM', iv }, key, bytes.subarray(offset, offset + chunk));
    }
  });
  const mb = photo.length / 1_000_000;
  return {
    inputMB: +mb.toFixed(2),
    removedKinds: cleaned.removed.length,
    scrubMs: +scrubMs.toFixed(1),
    scrubMBps: Math.round(mb / (scrubMs / 1000)),
    sha256Ms: +sha256Ms.toFixed(1),
    aesGcmMs: +encryptMs.toFixed(1),
  };
}
