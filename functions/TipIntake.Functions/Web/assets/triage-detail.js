// The open tip: its narrative (untrusted text, shown isolated), fields, labels, notes and files, and the changes an Editor
// makes — status, assignment, labels, notes — each sent with the ETag of the version on screen.

import { api, ApiError, handleError, onChanging, oneChangeAtATime, read, tipPath } from './triage-api.js';
import { canEdit } from './triage-auth.js';
import { loadEvents } from './triage-events.js';
import { showFiles } from './triage-files.js';
import { focusRow, showOpenTip } from './triage-list.js';
import { loadQueues } from './triage-queues.js';
import { closeRelated, loadRelated } from './triage-related.js';
import { resetThread } from './triage-thread.js';
import { $, announce, appendOptions, clearAlert, effortOf, formatTime, named, noteItem, showAlert, t } from './triage-page.js';

const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

// The tip on screen and the ETag of its version, or nulls.
const open = { tip: null, etag: null };

/** Opens the tip <id>: its detail, trail and related reports. */
export async function openTip(id) {
  clearAlert();
  $('conflict').hidden = true;
  const result = await read(tipPath(id));
  if (!result) {
    return;
  }
  showTip(result.json, result.etag, false);
  $('detail').hidden = false;
  $('detail-placeholder').hidden = true;
  $('detail-title').focus();
  resetThread(String(open.tip.id));
  loadEvents(String(open.tip.id));
  loadRelated(String(open.tip.id));
}

function showNarrative(tip) {
  // Reporter text is shown isolated, each element its own bidirectional paragraph (dir="auto" here,
  // unicode-bidi in triage.css): an override character in it cannot reorder anything around it.
  const narrative = $('narrative');
  narrative.dir = 'auto';
  narrative.textContent = typeof tip.narrative === 'string' ? tip.narrative : '';
  if (typeof tip.language === 'string' && LANGUAGE_TAG.test(tip.language) && tip.language !== 'und' && tip.language !== 'mul') {
    narrative.lang = tip.language;
  } else {
    narrative.removeAttribute('lang');
  }
}

function showFields(tip) {
  const fields = $('fields');
  fields.replaceChildren();
  const observed = [tip.observedFrom, tip.observedTo].filter(Boolean).join(' – ');
  const rows = [
    ['detail.id', tip.id],
    ['detail.status', named('status', tip.status)],
    ['detail.queue', tip.queue],
    ['detail.priority', tip.priority],
    ['detail.urgency', named('urgency', tip.urgency)],
    ['detail.category', named('category', tip.category)],
    ['detail.country', tip.country],
    ['detail.region', tip.region],
    ['detail.place', tip.place],
    ['detail.observed', observed],
    ['detail.peopleCount', tip.peopleCount],
    ['detail.language', tip.language],
    ['detail.contact', tip.contact],
    ['detail.receivedHour', formatTime(tip.receivedHour)],
    ['detail.effort', effortOf(tip.effortBand)],
    ['detail.assignedTo', tip.assignedTo || t('tips.unassigned')],
    ['detail.labels', Array.isArray(tip.labels) ? tip.labels.join(', ') : ''],
    ['detail.lastChangedAt', formatTime(tip.lastChangedAt)],
  ];
  for (const [key, value] of rows) {
    const term = document.createElement('dt');
    term.textContent = t(key);
    const description = document.createElement('dd');
    description.dir = 'auto';
    description.textContent = value === null || value === undefined || value === '' ? t('detail.none') : String(value);
    fields.append(term, description);
  }
}

// The statuses the API says this tip may move to next (its nextStatuses); none for a final status.
function showStatusChoices(tip) {
  const next = Array.isArray(tip.nextStatuses) ? tip.nextStatuses.filter((status) => typeof status === 'string') : [];
  const select = $('status-select');
  select.replaceChildren();
  appendOptions(select, 'status', next);
  $('status-form').hidden = next.length === 0;
  $('status-final').hidden = next.length !== 0;
}

function showLabels(tip) {
  const labels = $('label-list');
  labels.replaceChildren();
  for (const label of Array.isArray(tip.labels) ? tip.labels : []) {
    const item = document.createElement('li');
    const text = document.createElement('span');
    text.textContent = String(label);
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'secondary';
    remove.textContent = '×';
    remove.setAttribute('aria-label', t('actions.labelRemove') + ': ' + String(label));
    remove.disabled = !canEdit();
    remove.addEventListener('click', () => change('labels', { add: [], remove: [String(label)] }));
    item.append(text, remove);
    labels.append(item);
  }
}

function showNotes(tip, keepNote) {
  const notes = $('note-list');
  notes.replaceChildren();
  for (const note of Array.isArray(tip.notes) ? tip.notes : []) {
    const meta = [note.authorName || note.author, formatTime(note.at)].filter(Boolean).join(' · ');
    notes.append(noteItem(meta, String(note.text || '')));
  }
  $('notes-empty').hidden = notes.childElementCount > 0;
  if (!keepNote) {
    $('note-text').value = '';
  }
}

// Shows a tip as the API sent it; <keepNote> keeps what was typed in the note box.
function showTip(tip, etag, keepNote) {
  open.tip = tip;
  open.etag = etag;
  $('detail-id').textContent = String(tip.id || '');
  showNarrative(tip);
  showFields(tip);
  showStatusChoices(tip);
  $('assignee').value = tip.assignedTo || '';
  showLabels(tip);
  showNotes(tip, keepNote);
  showFiles(tip);

  $('actions-readonly').hidden = canEdit();
  for (const form of ['status-form', 'assign-form', 'label-form', 'note-form']) {
    for (const control of $(form).querySelectorAll('input, select, textarea, button')) {
      control.disabled = !canEdit();
    }
  }

  showOpenTip(tip);
}

// Sends one change, in its turn, with the ETag of the version on screen then (the one the change before it left); on
// success shows the new detail and trail. Resolves to whether it was made.
async function change(kind, body) {
  const tipId = open.tip ? String(open.tip.id) : null;
  if (!tipId) {
    return false;
  }
  clearAlert();
  $('conflict').hidden = true;
  return oneChangeAtATime(async () => {
    if (!open.tip || String(open.tip.id) !== tipId) {
      // The tip was closed while the change waited: its version is no longer on screen, so nothing is sent.
      showAlert(t('error.changeNotSent'));
      return false;
    }
    try {
      const result = await api('POST', tipPath(tipId, kind), body, open.etag);
      showTip(result.json, result.etag, kind !== 'notes');
      announce(t('message.saved'));
      await loadEvents(tipId);
      loadQueues();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        // Someone changed the tip since it was read: say so, and offer to reload it.
        $('conflict').hidden = false;
        $('conflict-reload').focus();
      } else {
        handleError(error);
      }
      return false;
    }
  });
}

async function reloadTip() {
  if (!open.tip) {
    return;
  }
  const result = await read(tipPath(open.tip.id));
  if (!result) {
    return;
  }
  $('conflict').hidden = true;
  // What the user typed in the note box stays.
  showTip(result.json, result.etag, true);
  await loadEvents(String(open.tip.id));
  announce(t('message.loaded'));
  $('detail-title').focus();
}

function closeTip() {
  const id = open.tip ? String(open.tip.id) : null;
  $('detail').hidden = true;
  $('detail-placeholder').hidden = false;
  open.tip = null;
  closeRelated({ empty: false });
  showOpenTip(null);
  if (id) {
    focusRow(id);
  } else {
    $('tips-title').focus();
  }
}

/** Closes the tip and takes it off the page (signing out). */
export function clearDetail() {
  open.tip = null;
  open.etag = null;
  $('detail').hidden = true;
  $('detail-placeholder').hidden = false;
  closeRelated({ empty: true });
}

export function setUpDetail() {
  // While changes are on their way, the open tip says so: what is done meanwhile waits its turn.
  onChanging((changing) => {
    $('detail').setAttribute('aria-busy', String(changing));
    $('detail-pending').hidden = !changing;
  });
  $('status-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const status = $('status-select').value;
    if (status) {
      change('status', { status });
    }
  });
  $('assign-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const assignee = $('assignee').value.trim();
    change('assignment', { assignee: assignee || null });
  });
  $('unassign').addEventListener('click', () => change('assignment', { assignee: null }));
  $('label-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const label = $('label-add').value.trim();
    if (!label) {
      showAlert(t('error.labelEmpty'));
      return;
    }
    if (await change('labels', { add: [label], remove: [] })) {
      $('label-add').value = '';
    }
  });
  $('note-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('note-text').value;
    if (!text.trim()) {
      showAlert(t('error.noteEmpty'));
      $('note-text').focus();
      return;
    }
    if (await change('notes', { text })) {
      $('note-text').value = '';
    }
  });
  $('conflict-reload').addEventListener('click', reloadTip);
  $('detail-close').addEventListener('click', closeTip);
  // Escape in the open tip goes back to its row in the list.
  $('detail').addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && open.tip) {
      event.preventDefault();
      focusRow(String(open.tip.id));
    }
  });
}
