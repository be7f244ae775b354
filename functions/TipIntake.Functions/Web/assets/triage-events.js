// A tip's audit trail: who did what and when, and the triage values before and after (never tip content).

import { read, tipPath } from './triage-api.js';
import { $, facts, formatTime, named, t } from './triage-page.js';

// A value before or after a change, as staff read it: a status by its name, labels as a list.
function describe(action, value) {
  if (value === null || value === undefined || value === '') {
    return t('detail.none');
  }
  if (Array.isArray(value)) {
    return value.join(', ');
  }
  if (typeof value === 'object') {
    return JSON.stringify(value);
  }
  if (action.startsWith('attachment-')) {
    return t('files.number').replace('{n}', String(value));
  }
  return action === 'status-changed' && facts.statuses.includes(value) ? named('status', value) : String(value);
}

// A quarantined file: its number (none for the whole attachments member) and the reason, never anything else of it.
function quarantined(event) {
  const file = event.to ? t('files.number').replace('{n}', String(event.to)) : t('files.all');
  return file + ': ' + named('quarantineReason', event.from);
}

/** Loads and shows the trail of the tip <tipId>. */
export async function loadEvents(tipId) {
  const result = await read(tipPath(tipId, 'events'));
  if (!result) {
    return;
  }
  const body = $('event-list');
  body.replaceChildren();
  for (const event of Array.isArray(result.json.items) ? result.json.items : []) {
    const row = document.createElement('tr');
    const change = event.action === 'attachment-quarantined'
      ? quarantined(event)
      : [event.from, event.to].some((v) => v !== null && v !== undefined && v !== '')
        ? describe(event.action, event.from) + ' → ' + describe(event.action, event.to)
        : '';
    for (const text of [formatTime(event.at), String(event.actor || ''), named('action', event.action), change]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    body.append(row);
  }
  $('events-empty').hidden = body.childElementCount > 0;
  $('event-table').hidden = body.childElementCount === 0;
}
