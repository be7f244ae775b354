// One attachment's encryption in the browser (docs/attachments.md, "Encryption"), an ES module without the DOM that
// runs in browsers and in Node.js (its suite and the C# cross-check run it there):
//
//   - K, a fresh AES-256 key per file, wrapped to the intake key with RSA-OAEP-256 (ek, as in the tip's JWE);
//   - the file F padded F ‖ 0x80 ‖ 0x00… to N × P bytes, N the smallest count on the ladder with N × P > |F|;
//   - chunk i = AES-256-GCM(K, nonce 00·7 ‖ uint32be(i) ‖ (last ? 01 : 00), aad "tipintake/attachment/v1" ‖ upload id),
//     the tag last: P + 16 bytes (the STREAM construction: chunks cannot be reordered, dropped or cut);
//   - sha256 = SHA-256(F); D = SHA-256("tipintake/upload/v1" ‖ uint32be(N) ‖ uint32be(P + 16) ‖ d0 ‖ … ‖ dN−1).
//
// The chunk sizes, the tag length and the ladder come from the server's facts (Web/ReporterFacts.cs); nothing here
// is a copy of them. K itself never leaves this module: the file's CryptoKey cannot be exported, and its raw bytes are
// cleared once wrapped. No storage, no logging, no requests.

const AAD_PREFIX = 'tipintake/attachment/v1';
const DIGEST_DOMAIN = 'tipintake/upload/v1';
const PADDING_MARKER = 0x80;

const subtle = () => globalThis.crypto.subtle;
const ascii = (text) => Uint8Array.from(text, (c) => c.charCodeAt(0));

export function base64Url(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Standard base64 with padding, as RFC 9530's Content-Digest wants it. */
export function base64(bytes) {
  return btoa(String.fromCharCode.apply(null, bytes));
}

/** An upload id: 16 random bytes, 22 base64url characters, chosen once per file. */
export function newUploadId() {
  return base64Url(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}

export async function sha256(bytes) {
  return new Uint8Array(await subtle().digest('SHA-256', bytes));
}

/**
 * The layout of a file of `size` bytes in chunks of `chunkBytes` (plaintext + tag): { chunks, chunkBytes, plaintextBytes },
 * or null when no count on the ladder holds it.
 */
export function layoutOf(size, chunkBytes, { tagBytes, ladder }) {
  const plaintextBytes = chunkBytes - tagBytes;
  const chunks = ladder.find((count) => count * plaintextBytes > size);
  return chunks === undefined ? null : { chunks, chunkBytes, plaintextBytes };
}

/** The STREAM nonce of chunk `index`: seven zero bytes, the index (big-endian), and 1 for the file's last chunk. */
export function nonceOf(index, last) {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setUint32(7, index, false);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** Chunk `index`'s plaintext: its slice of the file, then (past the end) the marker and zeros. */
export function paddedChunk(file, index, plaintextBytes) {
  const chunk = new Uint8Array(plaintextBytes);
  const start = index * plaintextBytes;
  const content = file.subarray(Math.min(start, file.length), Math.min(start + plaintextBytes, file.length));
  chunk.set(content);
  if (start + plaintextBytes > file.length && start <= file.length) {
    chunk[file.length - start] = PADDING_MARKER;
  }
  return chunk;
}

/** D over the chunks' SHA-256 digests (docs/attachments.md, "Complete"). */
export async function uploadDigest(chunks, chunkBytes, chunkDigests) {
  const message = new Uint8Array(DIGEST_DOMAIN.length + 8 + 32 * chunkDigests.length);
  message.set(ascii(DIGEST_DOMAIN));
  const view = new DataView(message.buffer);
  view.setUint32(DIGEST_DOMAIN.length, chunks, false);
  view.setUint32(DIGEST_DOMAIN.length + 4, chunkBytes, false);
  chunkDigests.forEach((digest, i) => message.set(digest, DIGEST_DOMAIN.length + 8 + 32 * i));
  return sha256(message);
}

/** The public half of the intake key (a JWK, as jwe.js fetches it) for wrapping. */
export function importIntakeKey(jwk) {
  return subtle().importKey('jwk', { kty: jwk.kty, n: jwk.n, e: jwk.e, alg: 'RSA-OAEP-256', ext: true },
    { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
}

/**
 * A file sealed for upload under a fresh key: `file` (the bytes as they will be sent), `uploadId`, `chunkBytes` and
 * `layout` ({ tagBytes, ladder } from the facts), `jwk` the intake key. Chunks are encrypted when asked for
 * (`chunk(i)`: the same bytes every time, so a resend lands on the same block), so that at most the file and the chunks
 * in flight are in memory. `entry()` is the tip's manifest entry once every chunk's digest is known.
 */
export async function sealFile(file, { uploadId, chunkBytes, layout, jwk }) {
  const shape = layoutOf(file.length, chunkBytes, layout);
  if (!shape) {
    throw new RangeError('The file is larger than the ladder allows.');
  }
  const raw = globalThis.crypto.getRandomValues(new Uint8Array(32));
  let key;
  let wrapped;
  try {
    key = await subtle().importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt']);
    wrapped = new Uint8Array(await subtle().encrypt({ name: 'RSA-OAEP' }, await importIntakeKey(jwk), raw));
  } finally {
    raw.fill(0);
  }
  const aad = ascii(AAD_PREFIX + uploadId);
  const digests = new Array(shape.chunks).fill(null);
  return {
    uploadId,
    chunks: shape.chunks,
    chunkBytes,
    size: file.length,
    sha256: await sha256(file),
    key: { alg: 'RSA-OAEP-256', kid: jwk.kid, ek: base64Url(wrapped) },
    /** Chunk `index` encrypted, and its SHA-256 (also remembered for the completion). */
    async chunk(index) {
      const last = index === shape.chunks - 1;
      const plaintext = paddedChunk(file, index, shape.plaintextBytes);
      try {
        const bytes = new Uint8Array(await subtle().encrypt(
          { name: 'AES-GCM', iv: nonceOf(index, last), additionalData: aad, tagLength: 128 }, key, plaintext));
        const digest = await sha256(bytes);
        digests[index] = digest;
        return { bytes, digest };
      } finally {
        plaintext.fill(0);
      }
    },
    /** Every chunk's digest, in order; null while a chunk was never encrypted. */
    chunkDigests() {
      return digests.includes(null) ? null : digests.slice();
    },
    async digest() {
      const all = this.chunkDigests();
      return all ? uploadDigest(shape.chunks, chunkBytes, all) : null;
    },
  };
}

/**
 * The tip's entry for a sealed and completed file (docs/attachments.md, "Name the files in the tip"): `digest` is D as
 * the server answered it (base64url); `type`, `name`, `handling` and `removed` as the form decided.
 */
export function manifestEntry(sealed, digest, { type, name, handling, removed }) {
  return {
    upload: sealed.uploadId,
    digest,
    chunks: sealed.chunks,
    chunkBytes: sealed.chunkBytes,
    key: { ...sealed.key },
    size: sealed.size,
    sha256: base64Url(sealed.sha256),
    type,
    name,
    handling,
    removed: removed.slice(),
  };
}
