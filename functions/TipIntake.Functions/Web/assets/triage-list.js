// The list of tips: which view it shows (a queue, all queues, the overdue tips, or search results; filtered by
// status), its pages, the bulk dismissal of a flood's tips, and the keys that move through it.

import { api, ApiError, handleError, isChanging, onChanging, oneChangeAtATime } from './triage-api.js';
import { canEdit } from './triage-auth.js';
import {
  $, announce, clearAlert, effortOf, facts, formatTime, named, showAlert, summaryNodes, t,
} from './triage-page.js';

const view = {
  queue: null,
  overdue: false,
  // The search's parameters while search results are listed, otherwise null.
  search: null,
  status: '',
};

const list = {
  items: [],
  continuation: null,
  selected: new Set(),
  // The id of the tip open in the detail, or null.
  openId: null,
  // Each load takes a ticket; an answer that arrives after a newer load was started is dropped.
  ticket: 0,
};

// What the rest of the page does when a tip is chosen, and after a bulk dismissal; set by setUpList.
let handlers = { open() {}, dismissed() {} };

/** The view shown: { queue, overdue, search } (a copy). */
export function currentView() {
  return { queue: view.queue, overdue: view.overdue, search: view.search };
}

/** Shows a queue (null for all), the overdue tips, or search results (<search>: the parameters), from the first page. */
export function showView({ queue = null, overdue = false, search = null }) {
  view.queue = queue;
  view.overdue = overdue;
  view.search = search;
  // The overdue view takes no status.
  $('status-filter').disabled = overdue;
  loadTips(false);
}

// Tips most urgent first (the order of facts.urgencies); the server's order otherwise, e.g. newest first.
function sortUrgentFirst(items) {
  const rank = (tip) => {
    const at = facts.urgencies.indexOf(tip.urgency);
    return at < 0 ? facts.urgencies.length : at;
  };
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => rank(a.item) - rank(b.item) || a.index - b.index)
    .map((entry) => entry.item);
}

function listPath(more) {
  if (view.overdue) {
    return '/api/triage/overdue';
  }
  const query = new URLSearchParams(view.search || {});
  if (!view.search && view.queue) {
    query.set('queue', view.queue);
  }
  if (view.status) {
    query.set('status', view.status);
  }
  if (facts.pageSize) {
    query.set('pageSize', String(facts.pageSize));
  }
  if (more && list.continuation) {
    query.set('continuation', list.continuation);
  }
  return (view.search ? '/api/triage/search?' : '/api/triage/tips?') + query.toString();
}

// What a refused search (400 problem+json) means, in the page's language; the server's own text is English.
function searchProblem(problem) {
  const type = problem && typeof problem.type === 'string' ? problem.type : '';
  if (type.endsWith(':triage-empty-search')) {
    return t('error.searchEmpty');
  }
  if (type.includes(':triage-invalid-date')) {
    return t('error.searchDates');
  }
  return t('error.searchInvalid');
}

/** Loads the view's first page, or (<more>) its next page after those shown. */
export async function loadTips(more) {
  const ticket = ++list.ticket;
  if (!more) {
    list.items = [];
    list.continuation = null;
  }
  const path = listPath(more);
  const element = $('tip-list');
  element.setAttribute('aria-busy', 'true');
  $('tips-scope').textContent = view.overdue ? '(' + t('queues.overdue') + ')'
    : view.search ? '(' + t('search.results') + ')'
      : view.queue ? '(' + view.queue + ')' : '';
  let result;
  try {
    result = await api('GET', path);
  } catch (error) {
    if (ticket !== list.ticket) {
      return;
    }
    element.setAttribute('aria-busy', 'false');
    if (view.search && error instanceof ApiError && error.status === 400) {
      showAlert(searchProblem(error.problem));
    } else {
      handleError(error);
    }
    return;
  }
  if (ticket !== list.ticket) {
    return;
  }
  const received = Array.isArray(result.json.items) ? result.json.items : [];
  list.items = sortUrgentFirst(list.items.concat(received));
  // The overdue list takes no paging parameters, so it offers no "more".
  list.continuation = !view.overdue && typeof result.json.continuation === 'string' && result.json.continuation ? result.json.continuation : null;
  renderTips();
  element.setAttribute('aria-busy', 'false');
  if (more && received.length > 0) {
    const first = rowOf(String(received[0].id));
    if (first) {
      first.focus();
    }
  }
}

function rowOf(id) {
  return $('tip-list').querySelector('button[data-id="' + CSS.escape(id) + '"]');
}

function bulkSelect(tip) {
  const select = document.createElement('input');
  select.type = 'checkbox';
  select.className = 'bulk-select';
  select.dataset.id = String(tip.id);
  select.checked = list.selected.has(String(tip.id));
  select.setAttribute('aria-label', t('bulk.select') + ': ' + String(tip.id));
  select.addEventListener('change', () => {
    if (select.checked) {
      list.selected.add(String(tip.id));
    } else {
      list.selected.delete(String(tip.id));
    }
    renderBulk();
  });
  return select;
}

// The follow-up flags (beside the workflow): answers no one has read, a question the reporter has not answered yet.
function flagBadges(tip) {
  return [['newAnswers', 'tips.flag.newAnswers'], ['awaitingReporter', 'tips.flag.awaitingReporter']]
    .filter(([name]) => tip[name] === true)
    .map(([name, key]) => {
      const flag = document.createElement('span');
      flag.className = 'badge flag-' + name;
      flag.textContent = t(key);
      return flag;
    });
}

function tipButton(tip) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.dataset.id = String(tip.id);
  // One stop in the tab order for the whole list (roving tabindex); the arrow keys move within it.
  button.tabIndex = -1;
  button.setAttribute('aria-describedby', 'tips-keys');
  if (list.openId === String(tip.id)) {
    button.setAttribute('aria-current', 'true');
  }
  const line = document.createElement('span');
  line.className = 'tip-line';
  const badge = document.createElement('span');
  badge.className = 'badge urgency-' + String(tip.urgency || 'unknown').replace(/[^a-z-]/g, '');
  badge.textContent = named('urgency', tip.urgency);
  line.append(badge, ...flagBadges(tip), ...summaryNodes(tip));
  const meta = document.createElement('span');
  meta.className = 'tip-meta';
  meta.textContent = [
    named('status', tip.status),
    tip.queue,
    t('tips.received') + ' ' + formatTime(tip.receivedHour),
    tip.assignedTo ? tip.assignedTo : t('tips.unassigned'),
    Array.isArray(tip.labels) && tip.labels.length ? tip.labels.join(', ') : '',
    effortOf(tip.effortBand),
  ].filter(Boolean).join(' · ');
  button.append(line, meta);
  button.addEventListener('click', () => handlers.open(String(tip.id)));
  return button;
}

function renderTips() {
  const element = $('tip-list');
  const focusedId = document.activeElement && element.contains(document.activeElement) ? document.activeElement.dataset.id : null;
  element.replaceChildren();
  const shown = new Set(list.items.map((tip) => String(tip.id)));
  for (const id of [...list.selected]) {
    if (!shown.has(id)) {
      list.selected.delete(id);
    }
  }
  for (const tip of list.items) {
    const item = document.createElement('li');
    // Editors may select new tips for a bulk dismissal (a flood's spam); the API dismisses only untouched ones.
    if (canEdit() && tip.status === 'new') {
      item.append(bulkSelect(tip));
    }
    item.append(tipButton(tip));
    element.append(item);
  }
  const stop = (focusedId && rowOf(focusedId)) || element.querySelector('button[aria-current="true"]') || element.querySelector('button');
  if (stop) {
    stop.tabIndex = 0;
    if (focusedId) {
      stop.focus();
    }
  }
  $('tips-empty').hidden = list.items.length > 0;
  $('tips-more').hidden = !list.continuation;
  renderBulk();
}

/** Marks the tip open in the detail (null: none) and keeps its row in step with what was just read of it. */
export function showOpenTip(tip) {
  list.openId = tip ? String(tip.id) : null;
  const index = tip ? list.items.findIndex((item) => item.id === tip.id) : -1;
  if (index >= 0) {
    list.items[index] = Object.assign({}, list.items[index], {
      status: tip.status, assignedTo: tip.assignedTo, labels: tip.labels, lastChangedAt: tip.lastChangedAt,
    });
  }
  renderTips();
}

/** Moves focus to a tip's row, or to the list's heading when the tip is not listed. */
export function focusRow(id) {
  (rowOf(String(id)) || $('tips-title')).focus();
}

function renderBulk() {
  $('bulk').hidden = !canEdit();
  const button = $('bulk-dismiss');
  button.disabled = list.selected.size === 0 || isChanging();
  button.textContent = t('bulk.dismiss') + (list.selected.size > 0 ? ' (' + list.selected.size + ')' : '');
}

// Dismisses the selected tips in one request; the answer says how many were untouched and dismissed.
async function dismissSelected() {
  const tipIds = [...list.selected];
  if (tipIds.length === 0 || isChanging() || !window.confirm(t('bulk.confirm').replace('{count}', String(tipIds.length)))) {
    return;
  }
  clearAlert();
  await oneChangeAtATime(async () => {
    try {
      const result = await api('POST', '/api/triage/dismissals', { tipIds });
      const dismissed = Array.isArray(result.json.dismissed) ? result.json.dismissed.length : 0;
      const skipped = Array.isArray(result.json.skipped) ? result.json.skipped.length : 0;
      list.selected.clear();
      announce(t('bulk.done').replace('{dismissed}', String(dismissed)).replace('{skipped}', String(skipped)));
      handlers.dismissed();
      await loadTips(false);
    } catch (error) {
      handleError(error);
    }
  });
  renderBulk();
}

// ↑/↓ move to the previous/next tip, Home/End to the first/last; Enter and Space open it (it is a button).
function onListKey(event) {
  const buttons = [...$('tip-list').querySelectorAll('button')];
  const at = buttons.indexOf(document.activeElement);
  if (at < 0 || event.altKey || event.ctrlKey || event.metaKey) {
    return;
  }
  const target = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
  if (target === undefined) {
    return;
  }
  event.preventDefault();
  buttons[Math.max(0, Math.min(buttons.length - 1, target))].focus();
}

// Whichever tip has focus (by key, click or the page) is the list's tab stop.
function onListFocus(event) {
  if (!(event.target instanceof HTMLButtonElement)) {
    return;
  }
  for (const button of $('tip-list').querySelectorAll('button')) {
    button.tabIndex = button === event.target ? 0 : -1;
  }
}

/** Empties the list (signing out). */
export function clearList() {
  list.items = [];
  list.openId = null;
  view.search = null;
  $('tip-list').replaceChildren();
}

/**
 * Fills the status filter from the server's statuses and wires the list's controls. <open> is called with a tip's
 * id when it is chosen, <dismissed> after a bulk dismissal.
 */
export function setUpList({ open, dismissed }) {
  handlers = { open, dismissed };
  $('status-filter').addEventListener('change', () => {
    view.status = $('status-filter').value;
    loadTips(false);
  });
  $('tip-list').addEventListener('keydown', onListKey);
  $('tip-list').addEventListener('focusin', onListFocus);
  $('tips-more').addEventListener('click', () => loadTips(true));
  $('bulk-dismiss').addEventListener('click', dismissSelected);
  // The dismiss button is off, visibly, while changes are on their way (the selection is what it dismisses, not a
  // change that can wait its turn).
  onChanging(renderBulk);
}
