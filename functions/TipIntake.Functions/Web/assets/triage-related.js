// The open tip's related reports (docs/triage.md, "Related reports"): each with its state, the other tip's summary
// (never its narrative), the reasons, and buttons to open it and, for Editors, to link it or say it is not related.

import { api, handleError, oneChangeAtATime, read, tipPath } from './triage-api.js';
import { canEdit } from './triage-auth.js';
import { loadEvents } from './triage-events.js';
import { $, announce, clearAlert, formatTime, named, summaryNodes, t } from './triage-page.js';

// The tip whose related reports are shown, or null; an answer for another tip is dropped.
let shownFor = null;

// What opening a related tip does; set by setUpRelated.
let open = () => {};

/** Loads and shows the related reports of the tip <tipId>. */
export async function loadRelated(tipId) {
  shownFor = tipId;
  const result = await read(tipPath(tipId, 'related'));
  if (!result) {
    return;
  }
  if (shownFor !== tipId) {
    return;
  }
  renderRelated(Array.isArray(result.json.items) ? result.json.items : []);
}

/** Stops showing related reports (the tip was closed); <empty> also takes them off the page (signing out). */
export function closeRelated({ empty }) {
  shownFor = null;
  if (empty) {
    $('related-list').replaceChildren();
  }
}

// A reason as staff read it: the shared place with its spellings, or how many rare words are shared.
function reasonText(reason) {
  const text = t('related.reason.' + reason.code) || String(reason.code || '');
  if (reason.place) {
    const names = Array.isArray(reason.placeNames) ? reason.placeNames.filter(Boolean) : [];
    return text + ': ' + (names.length ? names.join(' / ') : String(reason.place));
  }
  return typeof reason.count === 'number' ? text + ': ' + reason.count : text;
}

function renderRelated(items) {
  const list = $('related-list');
  list.replaceChildren();
  items.forEach((entry, index) => {
    const tip = entry && entry.tip ? entry.tip : {};
    const other = String(tip.id || '');
    const item = document.createElement('li');
    item.className = 'related-' + String(entry.state || '').replace(/[^a-z-]/g, '');
    const heading = document.createElement('p');
    heading.className = 'tip-line';
    heading.id = 'related-' + index;
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = t('related.state.' + entry.state) || String(entry.state || '');
    const received = formatTime(tip.receivedHour);
    heading.append(badge, ...summaryNodes(tip), document.createTextNode(received ? ' · ' + received : ''));
    const meta = document.createElement('p');
    meta.className = 'tip-meta';
    meta.textContent = [named('status', tip.status), tip.queue].filter(Boolean).join(' · ');
    const reasons = document.createElement('ul');
    reasons.className = 'related-reasons';
    for (const reason of Array.isArray(entry.reasons) ? entry.reasons : []) {
      const line = document.createElement('li');
      line.textContent = reasonText(reason);
      reasons.append(line);
    }
    const actions = document.createElement('div');
    actions.className = 'related-actions';
    actions.append(relatedButton('related.open', 'secondary', heading.id, () => open(other)));
    if (entry.state !== 'linked') {
      actions.append(relatedButton('related.link', 'submit', heading.id, () => decide(other, 'linked'), !canEdit()));
    }
    if (entry.state !== 'unlinked') {
      actions.append(relatedButton('related.unlink', 'secondary', heading.id, () => decide(other, 'unlinked'), !canEdit()));
    }
    item.append(heading, meta, reasons, actions);
    list.append(item);
  });
  $('related-empty').hidden = items.length > 0;
}

function relatedButton(key, className, describedBy, onClick, disabled) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = className;
  button.textContent = t(key);
  button.dataset.action = key.slice('related.'.length);
  // Several rows have the same buttons: each names its row to a screen reader.
  button.setAttribute('aria-describedby', describedBy);
  button.disabled = Boolean(disabled);
  button.addEventListener('click', onClick);
  return button;
}

// An editor links two reports, or says they are not related: one decision for the pair, audited on both.
async function decide(otherId, decision) {
  const tipId = shownFor;
  if (!tipId) {
    return;
  }
  clearAlert();
  await oneChangeAtATime(async () => {
    try {
      await api('POST', tipPath(tipId, 'related', otherId), { state: decision });
      announce(t(decision === 'linked' ? 'message.linked' : 'message.unlinked'));
      // The decision is made; what is on screen is refreshed only if it is still this tip's.
      if (shownFor === tipId) {
        await loadRelated(tipId);
        await loadEvents(tipId);
      }
    } catch (error) {
      handleError(error);
    }
  });
}

/** <openTip> is called with a related tip's id when staff open it. */
export function setUpRelated(openTip) {
  open = openTip;
}
