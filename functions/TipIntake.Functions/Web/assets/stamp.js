// TipIntake proof-of-work client (docs/flood-control.md), an ES module without the DOM: the reporter form (form.js)
// runs it in module Web Workers (stamp-worker.js) or on the page's thread, and the flood benchmark's reporter runs
// this same file under Node.js. No storage, no logging; the only requests are GET /api/challenge and the stamped
// request itself (POST /api/tips, a follow-up lookup, an upload's PUT or POST).
//
// A stamp is "<challenge>:<counter>" whose SHA-256 has at least `effort` leading zero bits. The counter is written
// with 16 digits (leading zeros allowed): the challenge (56 characters), the colon and the counter's first 7 digits
// fill SHA-256's first 64-byte block exactly, so its state is computed once per 10^9 counters and each try costs one
// compression of the second block. A search keeps its place and its best hash, so raising the effort continues it.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

export const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{56}$/;
export const MAX_EFFORT = 32;
const HIGH_DIGITS = 7;
const LOW_DIGITS = 9;
const LOW_COUNT = 1e9;
// The second block: nine counter digits, the 0x80 terminator, zeros, and the message length (73 bytes) in bits.
const MESSAGE_BITS = (56 + 1 + HIGH_DIGITS + LOW_DIGITS) * 8;

// Four ASCII digits as one big-endian word, for 0000 to 9999.
const ASCII4 = (() => {
  const table = new Int32Array(10000);
  for (let n = 0; n < 10000; n++) {
    const d = [Math.floor(n / 1000), Math.floor(n / 100) % 10, Math.floor(n / 10) % 10, n % 10];
    table[n] = ((48 + d[0]) << 24) | ((48 + d[1]) << 16) | ((48 + d[2]) << 8) | (48 + d[3]);
  }
  return table;
})();

// SHA-256's compression of the 16 words in w[0..15] onto `state`, result in `out` (FIPS 180-4, 6.2.2).
function compress(state, w, out) {
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15];
    const b = w[i - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = state[0]; let b = state[1]; let c = state[2]; let d = state[3];
  let e = state[4]; let f = state[5]; let g = state[6]; let h = state[7];
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7)))
      + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10)))
      + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  out[0] = (state[0] + a) | 0; out[1] = (state[1] + b) | 0; out[2] = (state[2] + c) | 0; out[3] = (state[3] + d) | 0;
  out[4] = (state[4] + e) | 0; out[5] = (state[5] + f) | 0; out[6] = (state[6] + g) | 0; out[7] = (state[7] + h) | 0;
}

/** Leading zero bits of a digest held as big-endian words, as the server counts them on the digest's bytes. */
function zeroBits(digest) {
  let bits = 0;
  for (let i = 0; i < 8; i++) {
    if (digest[i] !== 0) {
      return bits + Math.clz32(digest[i]);
    }
    bits += 32;
  }
  return bits;
}

function pad(value, digits) {
  return String(value).padStart(digits, '0');
}

/** The stamp of a counter: "<challenge>:<counter>". */
export function stampOf(challenge, counter) {
  return challenge + ':' + counter;
}

/**
 * One search over the counters whose first seven digits are first, first + step, first + 2·step …: workers searching
 * with the same step and different firsts never try the same counter. `search` may be called again with a higher
 * effort: it continues where it stopped and keeps the best hash found so far.
 */
export class CounterSearch {
  constructor(challenge, first = 0, step = 1) {
    if (!CHALLENGE_PATTERN.test(challenge)) {
      throw new Error('Not a challenge.');
    }
    this.challenge = challenge;
    this.high = first;
    this.step = step;
    this.low = 0;
    this.tried = 0;
    this.best = null;
    this.block = new Int32Array(64);
    this.state = new Int32Array(8);
    this.digest = new Int32Array(8);
    this.prefix = new Int32Array(14);
    for (let i = 0; i < 14; i++) {
      this.prefix[i] = (challenge.charCodeAt(4 * i) << 24) | (challenge.charCodeAt(4 * i + 1) << 16)
        | (challenge.charCodeAt(4 * i + 2) << 8) | challenge.charCodeAt(4 * i + 3);
    }
    this.beginHigh();
  }

  // The state after the first block: the challenge, the colon and the seven high digits.
  beginHigh() {
    const digits = pad(this.high, HIGH_DIGITS);
    const w = this.block;
    w.set(this.prefix, 0);
    w[14] = (58 << 24) | (digits.charCodeAt(0) << 16) | (digits.charCodeAt(1) << 8) | digits.charCodeAt(2);
    w[15] = (digits.charCodeAt(3) << 24) | (digits.charCodeAt(4) << 16) | (digits.charCodeAt(5) << 8) | digits.charCodeAt(6);
    compress(INITIAL, w, this.state);
  }

  /**
   * Tries up to `budget` counters. Returns { counter, bits } — the best found so far — as soon as its bits reach
   * `effort`, else null (call again to go on).
   */
  search(effort, budget) {
    if (this.best && this.best.bits >= effort) {
      return this.best;
    }
    const w = this.block;
    const state = this.state;
    const digest = this.digest;
    let low = this.low;
    let tried = 0;
    while (tried < budget) {
      if (low >= LOW_COUNT) {
        this.high += this.step;
        if (this.high >= 1e7) {
          throw new Error('Every counter was tried.');
        }
        this.beginHigh();
        low = 0;
      }
      const a = Math.floor(low / 100000);
      const b = Math.floor(low / 10) % 10000;
      const c = low % 10;
      w[0] = ASCII4[a];
      w[1] = ASCII4[b];
      w[2] = ((48 + c) << 24) | 0x800000;
      w[3] = 0; w[4] = 0; w[5] = 0; w[6] = 0; w[7] = 0; w[8] = 0; w[9] = 0; w[10] = 0;
      w[11] = 0; w[12] = 0; w[13] = 0; w[14] = 0; w[15] = MESSAGE_BITS;
      compress(state, w, digest);
      tried++;
      const lead = Math.clz32(digest[0]);
      if (!this.best || lead > this.best.bits || (lead === 32 && zeroBits(digest) > this.best.bits)) {
        this.best = { counter: pad(this.high, HIGH_DIGITS) + pad(low, LOW_DIGITS), bits: lead === 32 ? zeroBits(digest) : lead };
      }
      low++;
      if (this.best.bits >= effort) {
        break;
      }
    }
    this.low = low;
    this.tried += tried;
    return this.best && this.best.bits >= effort ? this.best : null;
  }
}

// Hashes per slice on the page's thread, between which the page stays responsive.
const SLICE = 20000;

/**
 * Finds a stamp for one challenge, in `workers` Web Workers made by `createWorker()` (each running stamp-worker.js)
 * or, without them, on this thread in slices. `solve(effort)` may be called again with a higher effort: the workers
 * go on from where they were, and the best stamp found so far is kept. `onProgress(tried)` reports counters tried.
 */
export class StampSolver {
  constructor(challenge, { workers = 1, createWorker = null, onProgress = () => {} } = {}) {
    this.challenge = challenge;
    this.onProgress = onProgress;
    this.best = null;
    this.tried = 0;
    this.waiting = null;
    this.effort = 0;
    this.workers = [];
    if (createWorker) {
      for (let i = 0; i < workers; i++) {
        const worker = createWorker();
        const state = { tried: 0 };
        worker.addEventListener('message', (event) => this.onMessage(state, event.data || {}));
        worker.addEventListener('error', (event) => {
          if (event && typeof event.preventDefault === 'function') {
            event.preventDefault();
          }
          this.fail(new Error('A stamp worker failed.'));
        });
        worker.postMessage({ challenge, first: i, step: workers });
        this.workers.push(worker);
      }
    } else {
      this.local = new CounterSearch(challenge);
    }
  }

  /** Resolves with { stamp, bits } once a counter reaches `effort` bits. */
  solve(effort) {
    if (this.closed) {
      return Promise.reject(this.closedBecause);
    }
    this.effort = effort;
    if (this.best && this.best.bits >= effort) {
      return Promise.resolve(this.result());
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      if (this.local) {
        this.runLocal();
      } else {
        for (const worker of this.workers) {
          worker.postMessage({ effort });
        }
      }
    });
  }

  /** Stops the search for good; a solve still waiting is rejected with `reason`. */
  close(reason = new Error('The stamp search was stopped.')) {
    for (const worker of this.workers) {
      worker.terminate();
    }
    this.workers = [];
    this.closed = true;
    this.closedBecause = reason;
    this.fail(reason);
  }

  result() {
    return { stamp: stampOf(this.challenge, this.best.counter), bits: this.best.bits };
  }

  async runLocal() {
    while (!this.closed && this.waiting) {
      const before = this.local.tried;
      const found = this.local.search(this.effort, SLICE);
      this.tried += this.local.tried - before;
      this.onProgress(this.tried);
      if (found) {
        this.offer(found);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  onMessage(state, data) {
    if (typeof data.tried === 'number') {
      this.tried += data.tried - state.tried;
      state.tried = data.tried;
      this.onProgress(this.tried);
    }
    if (data.found && typeof data.found.counter === 'string' && Number.isInteger(data.found.bits)) {
      this.offer(data.found);
    }
    if (data.error) {
      this.fail(new Error('A stamp worker failed.'));
    }
  }

  offer(found) {
    if (!this.best || found.bits > this.best.bits) {
      this.best = found;
    }
    if (this.waiting && this.best.bits >= this.effort) {
      const { resolve } = this.waiting;
      this.waiting = null;
      for (const worker of this.workers) {
        worker.postMessage({ pause: true });
      }
      resolve(this.result());
    }
  }

  fail(error) {
    if (this.waiting) {
      const { reject } = this.waiting;
      this.waiting = null;
      reject(error);
    }
  }
}

const PROBLEM_PREFIX = 'urn:tipintake:problem:';
// Refusals after which a fresh challenge may succeed.
const NEW_CHALLENGE_PROBLEMS = ['stamp-expired', 'stamp-reused', 'stamp-invalid'];
const REQUEST = { credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' };

async function problemOf(response) {
  try {
    const problem = await response.clone().json();
    const type = problem && typeof problem.type === 'string' ? problem.type : '';
    return { ...problem, code: type.startsWith(PROBLEM_PREFIX) ? type.slice(PROBLEM_PREFIX.length) : '' };
  } catch {
    return { code: '' };
  }
}

async function fetchChallenge(fetchFn, origin, signal) {
  const response = await fetchFn(origin + '/api/challenge', { ...REQUEST, ...(signal ? { signal } : {}) });
  if (!response.ok) {
    return { response };
  }
  const body = await response.json();
  if (!body || typeof body.challenge !== 'string' || !CHALLENGE_PATTERN.test(body.challenge)
    || !Number.isInteger(body.difficulty) || body.difficulty < 0 || body.difficulty > MAX_EFFORT) {
    throw new Error('Not a challenge.');
  }
  const suggested = Number.isInteger(body.suggestedEffort) ? Math.min(MAX_EFFORT, body.suggestedEffort) : body.difficulty;
  return { challenge: body.challenge, effort: Math.max(body.difficulty, suggested) };
}

/**
 * Sends `body` (by default `jwe`, to POST /api/tips) with a proof-of-work stamp, following the protocol of docs/flood-control.md: fetch a
 * challenge, solve it to the suggested effort, send; when the answer is "effort-too-low" (the floor rose), go on
 * searching on the same challenge to the effort it names and send again (`onRaise(effort)` is told); after a refusal
 * a fresh challenge can mend (expired, reused, not this service's), start again, twice at most. Resolves with the last
 * answer (a Response), whatever its status: the caller decides what it means.
 *
 * Options: fetch (the fetch function), origin ('' in the browser), jwe, or body with path, method and contentType for
 * another stamped route (a follow-up lookup, an upload's requests: docs/attachments.md), headers (more request headers, such as the submission id), workers and createWorker (for StampSolver), onSolving(effort) and onProgress(tried, effort), and
 * signal (an AbortSignal that stops the search and the requests; the promise then rejects with its reason).
 */
export async function sendStamped({
  fetch: fetchFn, origin = '', jwe, body = jwe, path = '/api/tips', contentType = 'application/jose', method = 'POST', headers = {},
  workers = 1, createWorker = null,
  onSolving = () => {}, onProgress = () => {}, onRaise = () => {}, signal = null,
}) {
  const withSignal = signal ? { signal } : {};
  for (let attempt = 0; ; attempt++) {
    if (signal && signal.aborted) {
      throw signal.reason;
    }
    const issued = await fetchChallenge(fetchFn, origin, signal);
    if (issued.response) {
      return issued.response;
    }
    let effort = issued.effort;
    const solver = new StampSolver(issued.challenge, { workers, createWorker, onProgress: (tried) => onProgress(tried, effort) });
    const stop = () => solver.close(signal.reason);
    if (signal) {
      signal.addEventListener('abort', stop, { once: true });
      if (signal.aborted) {
        stop();
      }
    }
    try {
      for (;;) {
        onSolving(effort);
        const { stamp } = await solver.solve(effort);
        const response = await fetchFn(origin + path, {
          ...REQUEST,
          ...withSignal,
          method,
          headers: { ...headers, 'Content-Type': contentType, 'TipIntake-Stamp': stamp },
          body,
        });
        if (response.status !== 403) {
          return response;
        }
        const problem = await problemOf(response);
        if (problem.code === 'effort-too-low' && Number.isInteger(problem.effort) && problem.effort <= MAX_EFFORT) {
          const suggested = Number.isInteger(problem.suggestedEffort) ? Math.min(MAX_EFFORT, problem.suggestedEffort) : 0;
          effort = Math.max(problem.effort, suggested, effort);
          onRaise(effort);
          continue;
        }
        if (NEW_CHALLENGE_PROBLEMS.includes(problem.code) && attempt < 2) {
          break;
        }
        return response;
      }
    } finally {
      if (signal) {
        signal.removeEventListener('abort', stop);
      }
      solver.close();
    }
  }
}

const MAX_STAMP_WORKERS = 4;

// Module workers: a browser that reads the `type` option knows them (one that does not would run the worker as a
// classic script, where its import fails).
function moduleWorkersSupported() {
  if (typeof window.Worker !== 'function') {
    return false;
  }
  let supported = false;
  try {
    new Worker('about:blank', { get type() { supported = true; return 'module'; } }).terminate();
  } catch {
    // about:blank is refused; whether the option was read is all that counts.
  }
  return supported;
}

/**
 * The stamp search's workers for this browser: up to MAX_STAMP_WORKERS module workers (stamp-worker.js), one per
 * core, or none, when the search runs on this thread, in slices.
 */
export function browserStampWorkers() {
  if (!moduleWorkersSupported()) {
    return { workers: 1, createWorker: null };
  }
  const cores = Number.isInteger(navigator.hardwareConcurrency) ? navigator.hardwareConcurrency : 2;
  const worker = new URL('./stamp-worker.js', import.meta.url);
  return { workers: Math.max(1, Math.min(MAX_STAMP_WORKERS, cores)), createWorker: () => new Worker(worker, { type: 'module' }) };
}
