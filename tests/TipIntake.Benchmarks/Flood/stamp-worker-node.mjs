// The form's stamp worker (functions/TipIntake.Functions/Web/assets/stamp-worker.js) in a Node.js worker thread: the
// few lines of the Web Worker global it uses (self.addEventListener('message'), self.postMessage) over parentPort,
// then the worker file itself, unchanged. Used by reporter.mjs (docs/benchmarks.md, "Flood").
import { parentPort } from 'node:worker_threads';

globalThis.self = {
  addEventListener(type, listener) {
    if (type === 'message') {
      parentPort.on('message', (data) => listener({ data }));
    }
  },
  postMessage(message) {
    parentPort.postMessage(message);
  },
};

await import('../../../functions/TipIntake.Functions/Web/assets/stamp-worker.js');
