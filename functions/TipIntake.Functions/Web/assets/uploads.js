// One sealed file's upload (docs/attachments.md, "The upload protocol, for other clients", "The form's flow"): create
// the upload, send its chunks two at a time with Content-Digest, complete it, and after any failure — no answer, a
// 5xx, 408, 429, a stamp refused — pause, ask the server what arrived (GET), and send only what is missing, backing
// off exponentially to a minute, for as long as the page is open. An ES module without the DOM: the requests go
// through the functions it is given (a stamped sender and fetch), so that its Node suite can drive it.

import { base64, base64Url } from './attachment-crypto.js';

/** Below this rate (bytes a second, measured on a chunk) the form cuts the next files in the smaller chunks. */
export const SLOW_BYTES_PER_SECOND = 64000;

export const FIRST_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 60000;

const PROBLEM_PREFIX = 'urn:tipintake:problem:';
const IN_FLIGHT = 2;
const REQUEST = { credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' };

/** A refusal that sending again cannot mend (the file's shape, a conflict): the page offers to leave the file out. */
export class UploadRefused extends Error {
  constructor(status, code) {
    super('upload refused: ' + status + ' ' + code);
    this.status = status;
    this.code = code;
  }
}

/** A failure worth trying again after a pause (no answer, 5xx, 408, 429, a stamp problem, a chunk corrupted on the way). */
class Transient extends Error {
  constructor(status, code) {
    super('upload paused: ' + status + ' ' + code);
    this.status = status;
    this.code = code;
  }
}

async function problemCode(response) {
  try {
    const body = await response.json();
    return body && typeof body.type === 'string' && body.type.startsWith(PROBLEM_PREFIX) ? body.type.slice(PROBLEM_PREFIX.length) : '';
  } catch {
    return '';
  }
}

/** What an unexpected answer means: a pause (retry) or a refusal. */
async function failureOf(response) {
  const code = await problemCode(response);
  const status = response.status;
  const retry = Math.trunc(status / 100) === 5 || status === 408 || status === 429 || status === 403 || status === 428
    || code === 'chunk-digest-mismatch' || code === 'upload-unknown' || code === 'upload-complete' || code.startsWith('stamp-');
  return retry ? new Transient(status, code) : new UploadRefused(status, code);
}

/** Waits `ms`, or rejects when `signal` aborts. */
export function delay(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      if (signal) {
        signal.removeEventListener('abort', stop);
      }
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    if (signal) {
      signal.addEventListener('abort', stop, { once: true });
    }
  });
}

/**
 * Uploads `sealed` (attachment-crypto.js's sealFile) and resolves with D (base64url) once the server completed it with
 * the digest computed here. Rejects with UploadRefused when the server refuses the upload for good, or with the
 * signal's reason when the page gives the file up. Options:
 *   send({ method, path, body, contentType, headers }) → Response: a stamped request (stamp.js's sendStamped);
 *   fetch(url, init) → Response: for the unstamped GET;
 *   onProgress(confirmed, total): chunks the server has; onPaused(paused): entering and leaving the retry state;
 *   onRate(bytesPerSecond): measured on each chunk sent; signal; wait(ms, signal) (delay by default).
 */
export async function uploadSealed(sealed, {
  send, fetch: fetchFn, onProgress = () => {}, onPaused = () => {}, onRate = () => {}, signal = null, wait = delay,
  now = () => Date.now(),
}) {
  // The upload id goes in a header, never in the URL: servers log request lines with their times (docs/attachments.md).
  const path = '/api/uploads';
  const id = { 'TipIntake-Upload': sealed.uploadId };
  const confirmed = new Set();
  let created = false;
  let resuming = false;
  let backoff = FIRST_BACKOFF_MS;
  const withSignal = signal ? { signal } : {};
  const ownDigest = async () => base64Url(await sealed.digest());

  const create = async () => {
    const response = await send({
      method: 'PUT', path, contentType: 'application/json', headers: { ...id },
      body: JSON.stringify({ v: 1, chunks: sealed.chunks, chunkBytes: sealed.chunkBytes }),
    });
    if (!response.ok) {
      throw await failureOf(response);
    }
    created = true;
  };

  // What arrived, from the server's block list: a chunk counts when it is listed with the digest made here.
  const ask = async () => {
    const response = await fetchFn(path, { ...REQUEST, headers: { ...id }, ...withSignal });
    if (response.status === 404) {
      created = false;
      confirmed.clear();
      return null;
    }
    if (!response.ok) {
      throw await failureOf(response);
    }
    const progress = await response.json();
    if (progress.complete === true) {
      return typeof progress.digest === 'string' ? progress.digest : null;
    }
    confirmed.clear();
    for (const { index, digest } of Array.isArray(progress.received) ? progress.received : []) {
      if (Number.isInteger(index) && index >= 0 && index < sealed.chunks) {
        const own = (await sealed.chunk(index)).digest;
        if (base64Url(own.subarray(0, 16)) === digest) {
          confirmed.add(index);
        }
      }
    }
    return null;
  };

  const sendChunk = async (index) => {
    const { bytes, digest } = await sealed.chunk(index);
    const started = now();
    const response = await send({
      method: 'PUT', path: path + '/chunks/' + index, contentType: 'application/octet-stream',
      headers: { ...id, 'Content-Digest': 'sha-256=:' + base64(digest) + ':' }, body: bytes,
    });
    if (response.status !== 204) {
      throw await failureOf(response);
    }
    const seconds = Math.max(0.001, (now() - started) / 1000);
    onRate(bytes.length / seconds);
    backoff = FIRST_BACKOFF_MS;
    confirmed.add(index);
    onProgress(confirmed.size, sealed.chunks);
  };

  // Two chunks in flight; after the first failure no new chunk is started, and the first failure is what counts.
  const sendMissing = async () => {
    const queue = [];
    for (let index = 0; index < sealed.chunks; index++) {
      if (!confirmed.has(index)) {
        queue.push(index);
      }
    }
    let failure = null;
    const lane = async () => {
      while (queue.length > 0 && !failure) {
        try {
          await sendChunk(queue.shift());
        } catch (error) {
          failure = failure || error;
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    if (failure) {
      throw failure;
    }
  };

  const complete = async () => {
    const digests = sealed.chunkDigests();
    const response = await send({
      method: 'POST', path: path + '/complete', contentType: 'application/json', headers: { ...id },
      body: JSON.stringify({ v: 1, chunkDigests: digests.map(base64Url) }),
    });
    if (response.status === 409) {
      const body = await response.clone().json().catch(() => null);
      if (body && Array.isArray(body.missing)) {
        for (const index of body.missing) {
          confirmed.delete(index);
        }
        return null;
      }
    }
    if (!response.ok) {
      throw await failureOf(response);
    }
    const body = await response.json();
    return body && typeof body.digest === 'string' ? body.digest : null;
  };

  // The server's D must be the one computed here: otherwise it holds other bytes, and the tip could not bind them.
  const checked = async (digest) => {
    if (digest !== await ownDigest()) {
      throw new UploadRefused(409, 'upload-conflict');
    }
    return digest;
  };

  onProgress(0, sealed.chunks);
  for (;;) {
    if (signal && signal.aborted) {
      throw signal.reason;
    }
    try {
      if (resuming && created) {
        const done = await ask();
        if (done) {
          onPaused(false);
          onProgress(sealed.chunks, sealed.chunks);
          return checked(done);
        }
        onProgress(confirmed.size, sealed.chunks);
      }
      if (!created) {
        await create();
      }
      await sendMissing();
      if (resuming) {
        onPaused(false);
        resuming = false;
      }
      const digest = await complete();
      if (digest) {
        return checked(digest);
      }
      // Chunks the server did not have: send them again at once.
    } catch (error) {
      if (signal && signal.aborted) {
        throw signal.reason;
      }
      if (error instanceof UploadRefused) {
        throw error;
      }
      if (error instanceof Transient && error.code === 'upload-unknown') {
        created = false;
        confirmed.clear();
      }
      resuming = true;
      onPaused(true);
      await wait(backoff, signal);
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  }
}
