// TipIntake stamp worker (docs/flood-control.md): a module Web Worker that runs one CounterSearch of stamp.js.
// In: { challenge, first, step } once, then { effort } to search until a counter reaches it (again with a higher one
// to go on from where it stopped), { pause: true } to stop searching. Out: { tried } now and then, { found: { counter,
// bits } }, or { error }. No network, no storage.
import { CounterSearch } from './stamp.js';

const SLICE = 65536;
let search = null;
let effort = null;
let running = false;

async function run() {
  running = true;
  try {
    while (search && effort !== null) {
      const found = search.search(effort, SLICE);
      self.postMessage({ tried: search.tried });
      if (found) {
        effort = null;
        self.postMessage({ found });
        break;
      }
      // Between slices, so that a pause or a higher effort is heard.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } catch {
    self.postMessage({ error: 'failed' });
  } finally {
    running = false;
  }
}

self.addEventListener('message', (event) => {
  const data = event.data || {};
  try {
    if (typeof data.challenge === 'string' && Number.isInteger(data.first) && Number.isInteger(data.step) && data.step > 0) {
      search = new CounterSearch(data.challenge, data.first, data.step);
    } else if (Number.isInteger(data.effort) && data.effort >= 0 && data.effort <= 32) {
      effort = data.effort;
      if (!running) {
        run();
      }
    } else if (data.pause) {
      effort = null;
    }
  } catch {
    self.postMessage({ error: 'bad-input' });
  }
});
