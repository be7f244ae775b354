// What key derivation costs where a reporter runs it (docs/follow-up.md, "Why PBKDF2"). Runs unchanged in Node.js
// (kdf-cost.mjs) and in a browser page (any browser: open kdf-cost.html from a local static server, Tor Browser too).
// Measures PBKDF2 through WebCrypto — native code in every browser, whatever the JavaScript engine may do — against a
// memory-hard KDF written in plain JavaScript (scrypt), the only memory-hard choice under `script-src 'self'` without
// 'wasm-unsafe-eval', and the only one at Tor Browser's "Safer" level, which turns WebAssembly and the JIT off.

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();

/** Median of `runs` timings of `action`, in milliseconds. */
export async function median(runs, action) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await action();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function pbkdf2(secret, salt, iterations, hash = 'SHA-256', bits = 256) {
  const key = await subtle.importKey('raw', typeof secret === 'string' ? encoder.encode(secret) : secret, 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await subtle.deriveBits({ name: 'PBKDF2', hash, salt: typeof salt === 'string' ? encoder.encode(salt) : salt, iterations }, key, bits));
}

// ---- scrypt (RFC 7914) in plain JavaScript, for measurement only ---------------------------------------------

function salsa208(b) {
  const x = b.slice();
  const r = (a, n) => (a << n) | (a >>> (32 - n));
  for (let i = 0; i < 8; i += 2) {
    x[4] ^= r(x[0] + x[12], 7); x[8] ^= r(x[4] + x[0], 9); x[12] ^= r(x[8] + x[4], 13); x[0] ^= r(x[12] + x[8], 18);
    x[9] ^= r(x[5] + x[1], 7); x[13] ^= r(x[9] + x[5], 9); x[1] ^= r(x[13] + x[9], 13); x[5] ^= r(x[1] + x[13], 18);
    x[14] ^= r(x[10] + x[6], 7); x[2] ^= r(x[14] + x[10], 9); x[6] ^= r(x[2] + x[14], 13); x[10] ^= r(x[6] + x[2], 18);
    x[3] ^= r(x[15] + x[11], 7); x[7] ^= r(x[3] + x[15], 9); x[11] ^= r(x[7] + x[3], 13); x[15] ^= r(x[11] + x[7], 18);
    x[1] ^= r(x[0] + x[3], 7); x[2] ^= r(x[1] + x[0], 9); x[3] ^= r(x[2] + x[1], 13); x[0] ^= r(x[3] + x[2], 18);
    x[6] ^= r(x[5] + x[4], 7); x[7] ^= r(x[6] + x[5], 9); x[4] ^= r(x[7] + x[6], 13); x[5] ^= r(x[4] + x[7], 18);
    x[11] ^= r(x[10] + x[9], 7); x[8] ^= r(x[11] + x[10], 9); x[9] ^= r(x[8] + x[11], 13); x[10] ^= r(x[9] + x[8], 18);
    x[12] ^= r(x[15] + x[14], 7); x[13] ^= r(x[12] + x[15], 9); x[14] ^= r(x[13] + x[12], 13); x[15] ^= r(x[14] + x[13], 18);
  }
  for (let i = 0; i < 16; i++) {
    b[i] = (b[i] + x[i]) | 0;
  }
}

function blockMix(b, y, r) {
  const x = b.slice((2 * r - 1) * 16, 2 * r * 16);
  for (let i = 0; i < 2 * r; i++) {
    for (let k = 0; k < 16; k++) {
      x[k] ^= b[i * 16 + k];
    }
    salsa208(x);
    y.set(x, ((i & 1) * r + (i >> 1)) * 16);
  }
}

function roMix(block, n, r) {
  const words = 32 * r;
  const v = new Uint32Array(words * n);
  let x = block.slice();
  let y = new Uint32Array(words);
  for (let i = 0; i < n; i++) {
    v.set(x, i * words);
    blockMix(x, y, r);
    [x, y] = [y, x];
  }
  for (let i = 0; i < n; i++) {
    const j = x[(2 * r - 1) * 16] & (n - 1);
    for (let k = 0; k < words; k++) {
      x[k] ^= v[j * words + k];
    }
    blockMix(x, y, r);
    [x, y] = [y, x];
  }
  block.set(x);
}

/** scrypt(secret, salt, N, r, p=1) → 32 bytes; memory 128·r·N bytes. Little-endian platforms only (all of them). */
export async function scryptJs(secret, salt, n, r) {
  const b = await pbkdf2(secret, salt, 1, 'SHA-256', 128 * r * 8);
  const words = new Uint32Array(b.buffer, b.byteOffset, b.length / 4);
  roMix(words, n, r);
  return pbkdf2(secret, b, 1, 'SHA-256', 256);
}

/** The measurements for one environment. */
export async function measure({ runs = 5, log = () => {} } = {}) {
  const secret = 'ABCDE-FGHJK-MNPQR-STVWX';
  const salt = 'tipintake/follow-up/v1';
  const rows = [];
  for (const [hash, iterations] of [['SHA-256', 100_000], ['SHA-256', 310_000], ['SHA-256', 600_000], ['SHA-256', 1_000_000], ['SHA-512', 210_000]]) {
    const ms = await median(runs, () => pbkdf2(secret, salt, iterations, hash));
    rows.push({ kdf: `PBKDF2-${hash}`, parameters: `${iterations} iterations`, ms: Math.round(ms) });
    log(rows.at(-1));
  }
  for (const [logN, r] of [[12, 8], [14, 8]]) {
    const ms = await median(Math.max(1, Math.min(runs, 3)), () => scryptJs(secret, salt, 2 ** logN, r));
    rows.push({ kdf: 'scrypt (plain JS)', parameters: `N=2^${logN}, r=${r}, ${(128 * r * 2 ** logN) / 2 ** 20} MiB`, ms: Math.round(ms) });
    log(rows.at(-1));
  }
  return rows;
}
