// TipIntake proof-of-work solver (docs/flood-control.md). app.js runs it as a Web Worker; loaded as a plain script in
// the page it only defines `TipIntakeStamp.solve`, the same search on the page's thread for browsers that cannot
// start a worker. In: { challenge, difficulty }. Out: { progress: tried } now and then, then { stamp } —
// "<challenge>:<counter>" such that SHA-256 of its ASCII bytes has at least `difficulty` leading zero bits.
// No network, no storage.
'use strict';

const BATCH = 512;

function leadingZeroBits(bytes) {
  let bits = 0;
  for (const b of bytes) {
    if (b === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(b) - 24;
  }
  return bits;
}

async function solve(challenge, difficulty, report) {
  const encoder = new TextEncoder();
  const prefix = challenge + ':';
  for (let counter = 0; counter < Number.MAX_SAFE_INTEGER; counter += BATCH) {
    const digests = [];
    for (let i = 0; i < BATCH; i++) {
      digests.push(crypto.subtle.digest('SHA-256', encoder.encode(prefix + (counter + i))));
    }
    const hashes = await Promise.all(digests);
    for (let i = 0; i < BATCH; i++) {
      if (leadingZeroBits(new Uint8Array(hashes[i])) >= difficulty) {
        return prefix + (counter + i);
      }
    }
    report(counter + BATCH);
  }
  throw new Error('No stamp found.');
}

self.TipIntakeStamp = Object.freeze({ solve });

if (typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope) {
  self.addEventListener('message', async (event) => {
    const data = event.data || {};
    if (typeof data.challenge !== 'string' || !Number.isInteger(data.difficulty) || data.difficulty < 0 || data.difficulty > 32) {
      self.postMessage({ error: 'bad-input' });
      return;
    }
    try {
      const stamp = await solve(data.challenge, data.difficulty, (tried) => self.postMessage({ progress: tried }));
      self.postMessage({ stamp });
    } catch {
      self.postMessage({ error: 'failed' });
    }
  });
}
