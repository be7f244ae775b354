// Tests of Web/assets/attachment-crypto.js and Web/assets/uploads.js under Node.js's own test runner (node:test).
// AttachmentScriptTests runs this file against the copies embedded in the Functions app (what the site serves) and
// reports each test by name; it also decrypts what attachment-vectors.mjs makes with the C# ChunkCipher, UploadDigest
// and AttachmentDecryptor. The layout below is the server's (ChunkLayout), as the page's facts carry it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, privateDecrypt, constants, createDecipheriv } from 'node:crypto';
import {
  base64, base64Url, layoutOf, manifestEntry, newUploadId, nonceOf, paddedChunk, sealFile, uploadDigest,
} from './attachment-crypto.js';
import { FIRST_BACKOFF_MS, MAX_BACKOFF_MS, UploadRefused, uploadSealed } from './uploads.js';

const LAYOUT = Object.freeze({ tagBytes: 16, ladder: [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256] });
const SMALL = 256 * 1024 + 16;
const LARGE = 1024 * 1024 + 16;
const P = SMALL - 16;

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
const JWK = { ...publicKey.export({ format: 'jwk' }), alg: 'RSA-OAEP-256', kid: 'https://tipintake-local.vault.localhost/keys/intake-dev/0123456789abcdef0123456789abcdef' };

const random = (length) => {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) {
    globalThis.crypto.getRandomValues(bytes.subarray(i, Math.min(length, i + 65536)));
  }
  return bytes;
};
const fromBase64Url = (text) => new Uint8Array(Buffer.from(text, 'base64url'));
const unwrap = (ek) => privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, fromBase64Url(ek));

/** An independent decryption with node:crypto: chunk `index` of `uploadId` under `key`, with the flag `last`. */
function decryptChunk(key, uploadId, index, last, chunk) {
  const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(index, last));
  decipher.setAAD(Buffer.from('tipintake/attachment/v1' + uploadId, 'ascii'));
  decipher.setAuthTag(chunk.subarray(chunk.length - 16));
  return new Uint8Array(Buffer.concat([decipher.update(chunk.subarray(0, chunk.length - 16)), decipher.final()]));
}

test('layout: the smallest ladder count whose plaintext holds the file and its padding marker', () => {
  assert.deepEqual(layoutOf(0, SMALL, LAYOUT), { chunks: 1, chunkBytes: SMALL, plaintextBytes: P });
  assert.equal(layoutOf(P - 1, SMALL, LAYOUT).chunks, 1);
  assert.equal(layoutOf(P, SMALL, LAYOUT).chunks, 2, 'the marker needs a byte');
  assert.equal(layoutOf(4 * P, SMALL, LAYOUT).chunks, 5);
  assert.equal(layoutOf(6 * P, SMALL, LAYOUT).chunks, 8);
  assert.equal(layoutOf(10_800_000, LARGE, LAYOUT).chunks, 12);
  assert.equal(layoutOf(256 * (LARGE - 16), LARGE, LAYOUT), null);
});

test('padding: the file, then 0x80, then zeros to the end of the last chunk, across a chunk boundary too', () => {
  const file = random(P + 3);
  const first = paddedChunk(file, 0, P);
  assert.deepEqual(first, file.subarray(0, P));
  const second = paddedChunk(file, 1, P);
  assert.deepEqual(second.subarray(0, 3), file.subarray(P));
  assert.equal(second[3], 0x80);
  assert.ok(second.subarray(4).every((b) => b === 0));
  const exact = random(P);
  assert.deepEqual(paddedChunk(exact, 0, P), exact);
  assert.equal(paddedChunk(exact, 1, P)[0], 0x80);
  assert.ok(paddedChunk(random(10), 2, P).every((b) => b === 0), 'a chunk past the marker is all zeros');
});

test('nonce: seven zero bytes, the index big-endian, and the last-chunk flag', () => {
  assert.deepEqual([...nonceOf(0, false)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...nonceOf(0x01020304, true)], [0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 1]);
});

test('seal: every chunk decrypts with node:crypto under the unwrapped key, with its STREAM nonce and the upload id', async () => {
  const file = random(2 * P + 1234);
  const uploadId = newUploadId();
  assert.match(uploadId, /^[A-Za-z0-9_-]{22}$/);
  const sealed = await sealFile(file, { uploadId, chunkBytes: SMALL, layout: LAYOUT, jwk: JWK });
  assert.equal(sealed.chunks, 3);
  assert.equal(sealed.size, file.length);
  assert.deepEqual(sealed.key.alg, 'RSA-OAEP-256');
  assert.equal(sealed.key.kid, JWK.kid);
  const key = unwrap(sealed.key.ek);
  assert.equal(key.length, 32);
  const plain = [];
  for (let i = 0; i < 3; i++) {
    const { bytes, digest } = await sealed.chunk(i);
    assert.equal(bytes.length, SMALL);
    assert.deepEqual(digest, new Uint8Array(createHash('sha256').update(bytes).digest()));
    plain.push(decryptChunk(key, uploadId, i, i === 2, bytes));
  }
  const joined = Buffer.concat(plain);
  assert.deepEqual(new Uint8Array(joined.subarray(0, file.length)), file);
  assert.equal(joined[file.length], 0x80);
  assert.deepEqual(sealed.sha256, new Uint8Array(createHash('sha256').update(file).digest()));
});

test('seal: a chunk cannot be moved, marked last, or taken to another upload', async () => {
  const uploadId = newUploadId();
  const sealed = await sealFile(random(P + 5), { uploadId, chunkBytes: SMALL, layout: LAYOUT, jwk: JWK });
  const key = unwrap(sealed.key.ek);
  const { bytes } = await sealed.chunk(0);
  assert.throws(() => decryptChunk(key, uploadId, 1, false, bytes));
  assert.throws(() => decryptChunk(key, uploadId, 0, true, bytes), 'truncation to one chunk is detected');
  assert.throws(() => decryptChunk(key, newUploadId(), 0, false, bytes));
  const flipped = bytes.slice();
  flipped[100] ^= 1;
  assert.throws(() => decryptChunk(key, uploadId, 0, false, flipped));
});

test('seal: a chunk is the same bytes every time it is made, so a resend lands on the same block', async () => {
  const sealed = await sealFile(random(1000), { uploadId: newUploadId(), chunkBytes: SMALL, layout: LAYOUT, jwk: JWK });
  assert.equal(sealed.chunkDigests(), null, 'no digests before the chunks were made');
  const a = await sealed.chunk(0);
  const b = await sealed.chunk(0);
  assert.deepEqual(a.bytes, b.bytes);
  assert.equal(sealed.chunkDigests().length, 1);
});

test('seal: each file has its own key', async () => {
  const file = random(100);
  const a = await sealFile(file, { uploadId: 'AAAAAAAAAAAAAAAAAAAAAA', chunkBytes: SMALL, layout: LAYOUT, jwk: JWK });
  const b = await sealFile(file, { uploadId: 'AAAAAAAAAAAAAAAAAAAAAA', chunkBytes: SMALL, layout: LAYOUT, jwk: JWK });
  assert.notDeepEqual(unwrap(a.key.ek), unwrap(b.key.ek));
  assert.notDeepEqual((await a.chunk(0)).bytes, (await b.chunk(0)).bytes);
});

test('D: SHA-256 of the domain, the count and the chunk size (big-endian) and every chunk digest', async () => {
  const digests = [random(32), random(32)];
  const expected = createHash('sha256').update('tipintake/upload/v1').update(Buffer.from([0, 0, 0, 2, 0, 0x10, 0, 0x10]))
    .update(digests[0]).update(digests[1]).digest();
  assert.deepEqual(await uploadDigest(2, LARGE, digests), new Uint8Array(expected));
});

test('manifest entry: exactly the members of "Name the files in the tip", in canonical base64url', async () => {
  const file = random(5000);
  const sealed = await sealFile(file, { uploadId: newUploadId(), chunkBytes: LARGE, layout: LAYOUT, jwk: JWK });
  await sealed.chunk(0);
  const digest = base64Url(await sealed.digest());
  const entry = manifestEntry(sealed, digest, { type: 'image/jpeg', name: 'photo-1.jpg', handling: 'scrubbed', removed: ['location'] });
  assert.deepEqual(Object.keys(entry), ['upload', 'digest', 'chunks', 'chunkBytes', 'key', 'size', 'sha256', 'type', 'name', 'handling', 'removed']);
  assert.deepEqual(Object.keys(entry.key), ['alg', 'kid', 'ek']);
  assert.match(entry.digest, /^[A-Za-z0-9_-]{43}$/);
  assert.match(entry.sha256, /^[A-Za-z0-9_-]{43}$/);
  assert.match(entry.key.ek, /^[A-Za-z0-9_-]{512}$/, 'an RSA-3072 wrap');
  assert.equal(entry.chunks, 1);
  assert.equal(entry.chunkBytes, LARGE);
  assert.equal(entry.size, 5000);
  assert.equal(base64(new Uint8Array([0xfb, 0xff])), '+/8=', 'Content-Digest uses standard base64');
});

/** A fake upload server: the routes of docs/attachments.md over a map, with faults to inject. */
function fakeServer({ failChunk = () => null } = {}) {
  const uploads = new Map();
  const log = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const pair = { waiting: [] };
  const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const problem = (status, code, extra = {}) => json(status, { type: 'urn:tipintake:problem:' + code, status, ...extra });
  const send = async ({ method, path, body, contentType, headers }) => {
    // The upload id travels in a header, never in the URL (servers log request lines).
    const [, , , part, index] = path.split('/');
    const id = headers['TipIntake-Upload'];
    assert.ok(!path.includes(id), 'the upload id is in the URL');
    log.push(method + ' ' + (part ? part + (index !== undefined ? '/' + index : '') : 'upload'));
    if (method === 'PUT' && !part) {
      const { chunks, chunkBytes } = JSON.parse(body);
      if (chunks * (chunkBytes - 16) > 64 * 1024 * 1024) {
        return problem(422, 'upload-too-large');
      }
      const known = uploads.get(id);
      if (!known) {
        uploads.set(id, { chunks, chunkBytes, staged: new Map(), digest: null });
        return json(201, { upload: id, chunks, chunkBytes });
      }
      return json(200, { upload: id, chunks, chunkBytes });
    }
    const upload = uploads.get(id);
    if (!upload) {
      return problem(404, 'upload-unknown');
    }
    if (method === 'PUT' && part === 'chunks') {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        // A chunk waits (a little) for a second one, so that two in flight is seen whenever the client sends two.
        const waiting = pair.waiting;
        if (inFlight >= 2) {
          waiting.forEach((release) => release());
          pair.waiting = [];
        } else {
          await new Promise((resolve) => {
            waiting.push(resolve);
            setTimeout(resolve, 200);
          });
        }
        const fault = failChunk(Number(index));
        if (fault === 'network') {
          throw new TypeError('fetch failed');
        }
        if (fault) {
          return problem(fault, 'unavailable');
        }
        assert.equal(contentType, 'application/octet-stream');
        const digest = createHash('sha256').update(body).digest();
        assert.equal(headers['Content-Digest'], 'sha-256=:' + digest.toString('base64') + ':');
        upload.staged.set(Number(index), digest);
        return new Response(null, { status: 204 });
      } finally {
        inFlight--;
      }
    }
    if (method === 'POST' && part === 'complete') {
      const digests = JSON.parse(body).chunkDigests.map((d) => Buffer.from(d, 'base64url'));
      const missing = [...Array(upload.chunks).keys()].filter((i) => !upload.staged.has(i) || !upload.staged.get(i).equals(digests[i]));
      if (missing.length > 0) {
        return problem(409, 'upload-incomplete', { missing });
      }
      upload.digest = base64Url(await uploadDigest(upload.chunks, upload.chunkBytes, digests));
      return json(200, { digest: upload.digest });
    }
    throw new Error('unexpected ' + method + ' ' + path);
  };
  const fetchFn = async (path, init) => {
    const id = init.headers['TipIntake-Upload'];
    assert.equal(path, '/api/uploads');
    log.push('GET upload');
    const upload = uploads.get(id);
    if (!upload) {
      return problem(404, 'upload-unknown');
    }
    return upload.digest ? json(200, { complete: true, digest: upload.digest })
      : json(200, {
        chunks: upload.chunks, chunkBytes: upload.chunkBytes, complete: false,
        received: [...upload.staged].map(([index, digest]) => ({ index, digest: base64Url(digest.subarray(0, 16)) })),
      });
  };
  return { send, fetch: fetchFn, log, uploads, maxInFlight: () => maxInFlight };
}

test('upload: create, every chunk with its Content-Digest, two in flight at most, complete to the D computed here', async () => {
  const server = fakeServer();
  const sealed = await sealFile(random(5 * P + 7), { uploadId: newUploadId(), chunkBytes: SMALL, layout: LAYOUT, jwk: JWK });
  const progress = [];
  const digest = await uploadSealed(sealed, { send: server.send, fetch: server.fetch, onProgress: (done, total) => progress.push([done, total]) });
  assert.equal(digest, base64Url(await sealed.digest()));
  assert.equal(server.log[0], 'PUT upload');
  assert.equal(sealed.chunks, 6);
  assert.equal(server.log.filter((l) => l.startsWith('PUT chunks/')).length, 6);
  assert.equal(server.log.at(-1), 'POST complete');
  assert.equal(server.maxInFlight(), 2);
  assert.deepEqual(progress.at(-1), [6, 6]);
});

test('upload: after failures it pauses, asks what arrived, sends only what is missing, backing off to a minute', async () => {
  const failures = { 2: ['network', 503], 3: Array(10).fill(503) };
  const server = fakeServer({ failChunk: (index) => (failures[index] && failures[index].length > 0 ? failures[index].shift() : null) });
  const sealed = await sealFile(random(4 * P), { uploadId: newUploadId(), chunkBytes: SMALL, layout: LAYOUT, jwk: JWK });
  const waits = [];
  const paused = [];
  const digest = await uploadSealed(sealed, {
    send: server.send, fetch: server.fetch, wait: async (ms) => waits.push(ms), onPaused: (p) => paused.push(p),
  });
  assert.equal(digest, base64Url(await sealed.digest()));
  assert.equal(waits[0], FIRST_BACKOFF_MS);
  // Each pause doubles the last one, to a minute; a chunk that arrives starts the back-off again from the first step.
  assert.ok(waits.every((ms, i) => i === 0 || ms === Math.min(MAX_BACKOFF_MS, waits[i - 1] * 2) || ms === FIRST_BACKOFF_MS), waits.join());
  assert.equal(Math.max(...waits), MAX_BACKOFF_MS);
  assert.ok(paused.includes(true) && paused.at(-1) === false);
  assert.ok(server.log.includes('GET upload'));
  const sent = (i) => server.log.filter((l) => l === 'PUT chunks/' + i).length;
  assert.equal(sent(0), 1, 'a chunk that arrived is never sent again');
  assert.equal(sent(1), 1);
  assert.equal(sent(4), 1);
  assert.equal(sent(3), 11);
});

test('upload: a completion told of missing chunks sends them again, and an unknown upload is created again', async () => {
  const server = fakeServer();
  const uploadId = newUploadId();
  const sealed = await sealFile(random(2 * P), { uploadId, chunkBytes: SMALL, layout: LAYOUT, jwk: JWK });
  let dropped = false;
  const send = async (request) => {
    const response = await server.send(request);
    if (!dropped && request.path.endsWith('/chunks/2')) {
      dropped = true;
      server.uploads.get(uploadId).staged.delete(1);
    }
    return response;
  };
  assert.equal(await uploadSealed(sealed, { send, fetch: server.fetch, wait: async () => {} }), base64Url(await sealed.digest()));
  assert.equal(server.log.filter((l) => l === 'PUT chunks/1').length, 2);

  const again = fakeServer();
  const other = await sealFile(random(10), { uploadId: newUploadId(), chunkBytes: SMALL, layout: LAYOUT, jwk: JWK });
  let swept = false;
  const sweeping = async (request) => {
    if (!swept && request.path.endsWith('/chunks/0')) {
      swept = true;
      again.uploads.clear();
    }
    return again.send(request);
  };
  assert.equal(await uploadSealed(other, { send: sweeping, fetch: again.fetch, wait: async () => {} }), base64Url(await other.digest()));
  assert.equal(again.log.filter((l) => l === 'PUT upload').length, 2);
});

test('upload: a refusal that sending again cannot mend ends the upload with UploadRefused', async () => {
  const server = fakeServer();
  const sealed = await sealFile(random(10), { uploadId: newUploadId(), chunkBytes: SMALL, layout: LAYOUT, jwk: JWK });
  const refusing = async () => new Response(JSON.stringify({ type: 'urn:tipintake:problem:upload-too-large' }), { status: 422 });
  await assert.rejects(uploadSealed(sealed, { send: refusing, fetch: server.fetch, wait: async () => {} }),
    (error) => error instanceof UploadRefused && error.code === 'upload-too-large');
  const lying = async (request) => (request.path.endsWith('/complete')
    ? new Response(JSON.stringify({ digest: base64Url(random(32)) }), { status: 200 })
    : server.send(request));
  await assert.rejects(uploadSealed(sealed, { send: lying, fetch: server.fetch, wait: async () => {} }),
    (error) => error instanceof UploadRefused && error.code === 'upload-conflict');
});

test('upload: the page giving a file up stops it, also while it waits to retry', async () => {
  const server = fakeServer({ failChunk: () => 503 });
  const sealed = await sealFile(random(10), { uploadId: newUploadId(), chunkBytes: SMALL, layout: LAYOUT, jwk: JWK });
  const controller = new AbortController();
  const running = uploadSealed(sealed, { send: server.send, fetch: server.fetch, signal: controller.signal, onPaused: () => controller.abort(new Error('left out')) });
  await assert.rejects(running, /left out/);
});
