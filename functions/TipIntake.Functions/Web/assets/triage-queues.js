// The queues: "All queues", each triage queue with its count per status, and "Overdue"; choosing one lists its tips.

import { read } from './triage-api.js';
import { currentView, loadTips, showView } from './triage-list.js';
import { $, facts, named, t } from './triage-page.js';

/** Loads the counts and shows a button per queue. */
export async function loadQueues() {
  const result = await read('/api/triage/counts');
  if (!result) {
    return;
  }
  const byQueue = new Map();
  for (const entry of Array.isArray(result.json.counts) ? result.json.counts : []) {
    const queue = String(entry.queue || '');
    if (!byQueue.has(queue)) {
      byQueue.set(queue, new Map());
    }
    const counts = byQueue.get(queue);
    const status = String(entry.status || '');
    counts.set(status, (counts.get(status) || 0) + (Number(entry.count) || 0));
  }
  const list = $('queue-list');
  list.replaceChildren();
  list.append(queueItem(null, false, null));
  for (const queue of [...byQueue.keys()].sort()) {
    list.append(queueItem(queue, false, byQueue.get(queue)));
  }
  list.append(queueItem(null, true, null));
  markShownQueue();
}

// A queue's total, then its count per status in workflow order (statuses without tips left out).
function countList(counts) {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const summary = document.createElement('ul');
  summary.className = 'queue-counts';
  const totalItem = document.createElement('li');
  totalItem.textContent = t('queues.total') + ': ' + total;
  summary.append(totalItem);
  for (const status of facts.statuses) {
    if (counts.get(status)) {
      const entry = document.createElement('li');
      entry.textContent = named('status', status) + ': ' + counts.get(status);
      summary.append(entry);
    }
  }
  return summary;
}

function queueItem(queue, overdue, counts) {
  const item = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.dataset.queue = queue || '';
  button.dataset.overdue = overdue ? 'true' : 'false';
  const title = document.createElement('span');
  title.className = 'tip-line';
  title.textContent = overdue ? t('queues.overdue') : queue === null ? t('queues.all') : queue;
  button.append(title);
  if (counts) {
    button.append(countList(counts));
  }
  button.addEventListener('click', () => {
    $('search-clear').hidden = true;
    showView({ queue, overdue });
    markShownQueue();
  });
  item.append(button);
  return item;
}

/** Marks the button of the queue listed as pressed; none while search results are listed. */
export function markShownQueue() {
  const view = currentView();
  for (const button of $('queue-list').querySelectorAll('button')) {
    const overdue = button.dataset.overdue === 'true';
    const queue = button.dataset.queue || null;
    const shown = !view.search && (overdue ? view.overdue : !view.overdue && view.queue === queue);
    button.setAttribute('aria-pressed', shown ? 'true' : 'false');
  }
}

/** Empties the queues (signing out). */
export function clearQueues() {
  $('queue-list').replaceChildren();
}

export function setUpQueues() {
  $('queues-refresh').addEventListener('click', () => {
    loadQueues();
    loadTips(false);
  });
}
