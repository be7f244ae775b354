// The flood benchmark's reporter (docs/benchmarks.md, "Flood"): the reporter form's own stamp client — the ES module
// functions/TipIntake.Functions/Web/assets/stamp.js, solving in module workers that run stamp-worker.js — under
// Node.js, as many workers as the form would start on this machine. Starts a report every `intervalMs`, each with a
// deadline of `deadlineMs`; a report refused for a reason a person would wait out (429, 503) is sent again, unchanged,
// after Retry-After, as the form lets its user do. Prints one JSON line per report.
//
// node reporter.mjs <config.json>: { origin, jwes: [..], intervalMs, deadlineMs, firstReportAt (epoch ms) }
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { sendStamped } from '../../../functions/TipIntake.Functions/Web/assets/stamp.js';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// app.js: Math.max(1, Math.min(4, navigator.hardwareConcurrency)).
const workers = Math.max(1, Math.min(4, availableParallelism()));
const workerFile = new URL('./stamp-worker-node.mjs', import.meta.url);

// A Node worker thread with the part of the Web Worker interface StampSolver uses.
function createWorker() {
  const worker = new Worker(workerFile);
  return {
    addEventListener(type, listener) {
      if (type === 'message') {
        worker.on('message', (data) => listener({ data }));
      } else if (type === 'error') {
        worker.on('error', (error) => listener(error));
      }
    },
    postMessage(message) {
      worker.postMessage(message);
    },
    terminate() {
      worker.terminate();
    },
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function report(index, jwe) {
  const started = Date.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error('deadline')), config.deadlineMs);
  const submission = randomBytes(16).toString('base64url');
  const result = { index, startedAt: started, status: 0, attempts: 0, efforts: [], raised: 0, tried: 0, solvingMs: 0, refusals: [] };
  // The form's fetch, watched: each refusal of a stamped post is noted by its problem type (what made the report slow).
  const watched = async (url, init) => {
    const response = await fetch(url, init);
    if (init && init.method === 'POST' && response.status >= 400) {
      let code = String(response.status);
      try {
        const problem = await response.clone().json();
        code = String(problem.type || code).replace('urn:tipintake:problem:', '');
      } catch {
        // not a problem document
      }
      result.refusals.push(code);
    }
    return response;
  };
  try {
    for (;;) {
      result.attempts++;
      let solvingSince = 0;
      const response = await sendStamped({
        fetch: watched,
        origin: config.origin,
        jwe,
        headers: { 'TipIntake-Submission': submission },
        workers,
        createWorker,
        signal: deadline.signal,
        onSolving: (effort) => {
          result.efforts.push(effort);
          solvingSince = solvingSince || Date.now();
        },
        onProgress: (tried) => {
          result.tried = Math.max(result.tried, tried);
        },
        onRaise: () => {
          result.raised++;
        },
      });
      result.solvingMs += solvingSince ? Date.now() - solvingSince : 0;
      result.status = response.status;
      if (response.status === 202 || (response.status !== 429 && response.status !== 503)) {
        break;
      }
      const retryAfter = Number(response.headers.get('Retry-After')) || 1;
      await sleep(Math.min(retryAfter * 1000, Math.max(0, started + config.deadlineMs - Date.now())));
      if (deadline.signal.aborted) {
        throw deadline.signal.reason;
      }
    }
  } catch (error) {
    result.status = deadline.signal.aborted ? 'deadline' : 'error: ' + (error && error.message ? error.message : String(error));
  } finally {
    clearTimeout(timer);
  }
  result.ms = Date.now() - started;
  process.stdout.write(JSON.stringify(result) + '\n');
}

const running = [];
for (let i = 0; i < config.jwes.length; i++) {
  await sleep(Math.max(0, config.firstReportAt + i * config.intervalMs - Date.now()));
  running.push(report(i, config.jwes[i]));
}
await Promise.all(running);
