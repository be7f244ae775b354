// The open tip's conversation with its reporter (docs/follow-up.md, "Triage"). Reading it is audited and opens the
// organisation's copies with the intake key on the server, so it is opened on request. A message is written here and
// encrypted here twice — to the reporter's key (ECDH-ES, which only the reporter's follow-up code opens) and to the
// intake key (so that staff can read back what was sent) — and the server never sees its text.

import { encryptMessageToReporter } from './follow-up-keys.js';
import { encryptToCompactJwe, fetchIntakeKey, padTip } from './jwe.js';
import { api, ApiError, handleError, tipPath } from './triage-api.js';
import { canEdit } from './triage-auth.js';
import { loadEvents } from './triage-events.js';
import { $, announce, clearAlert, facts, noteItem, showAlert, t } from './triage-page.js';

// The tip whose conversation is on screen, and the thread as the API sent it (null until opened).
const open = { tipId: null, thread: null };
let sending = false;

function stateKeyOf(followUp) {
  if (followUp === 'active') {
    return 'thread.active';
  }
  if (followUp === 'expired') {
    return 'thread.expired';
  }
  return typeof followUp === 'string' && followUp.startsWith('rejected') ? 'thread.rejected' : 'thread.none';
}

function showThread(thread) {
  open.thread = thread;
  const state = [t(stateKeyOf(thread.followUp))];
  if (thread.awaitingReporter) {
    state.push(t('thread.awaiting'));
  }
  if (thread.newAnswers) {
    state.push(t('thread.newAnswers'));
  }
  $('thread-state').textContent = state.join(' ');
  const list = $('thread-list');
  list.replaceChildren();
  for (const message of Array.isArray(thread.messages) ? thread.messages : []) {
    const from = message.from === 'reporter' ? t('thread.fromReporter') : t('thread.fromOrganisation');
    const meta = [message.author ? from + ' (' + message.author + ')' : from, message.day].filter(Boolean).join(' · ');
    list.append(noteItem(meta, typeof message.text === 'string' ? message.text : t('thread.unreadable')));
  }
  list.hidden = list.childElementCount === 0;
  $('thread-empty').hidden = list.childElementCount > 0;
  $('thread-open').hidden = true;
  $('thread-mark-read').hidden = !(thread.newAnswers && canEdit());
  $('thread-form').hidden = !(canEdit() && thread.followUp === 'active' && thread.reporterKey && typeof thread.ref === 'string');
}

/** Shows the conversation part of tip <tipId>, closed: its state is known only once opened. */
export function resetThread(tipId) {
  open.tipId = tipId;
  open.thread = null;
  $('thread-state').textContent = '';
  $('thread-list').replaceChildren();
  $('thread-list').hidden = true;
  $('thread-empty').hidden = true;
  $('thread-mark-read').hidden = true;
  $('thread-form').hidden = true;
  $('thread-open').hidden = false;
  $('thread-text').value = '';
}

async function loadThread() {
  const tipId = open.tipId;
  if (!tipId) {
    return;
  }
  try {
    const result = await api('GET', tipPath(tipId, 'thread'));
    if (open.tipId === tipId) {
      showThread(result.json);
    }
  } catch (error) {
    handleError(error);
  }
  loadEvents(String(tipId));
}

async function send(event) {
  event.preventDefault();
  const thread = open.thread;
  const text = $('thread-text').value;
  if (sending || !thread || !thread.reporterKey || !text.trim()) {
    return;
  }
  const limits = facts.followUpMessages;
  let plaintext = [...text].length > limits.maxCharacters ? null : padTip(
    { v: 1, text, language: document.documentElement.lang || 'und', thread: thread.ref }, limits.paddingBuckets);
  if (!plaintext) {
    showAlert(t('thread.tooLong'));
    return;
  }
  sending = true;
  clearAlert();
  $('thread-send').disabled = true;
  try {
    const toReporter = await encryptMessageToReporter(plaintext, thread.reporterKey);
    const forStaff = await encryptToCompactJwe(plaintext, await fetchIntakeKey(), limits.contentType);
    plaintext.fill(0);
    plaintext = null;
    await api('POST', tipPath(open.tipId, 'messages'), { toReporter, forStaff, awaitReply: $('thread-await').checked });
    $('thread-text').value = '';
    announce(t('thread.sent'));
    await loadThread();
  } catch (error) {
    if (error instanceof ApiError && error.status === 409 && error.problem && error.problem.type === 'urn:tipintake:problem:follow-up-key-changed') {
      showAlert(t('thread.keyChanged'));
      await loadThread();
    } else {
      handleError(error);
    }
  } finally {
    if (plaintext) {
      plaintext.fill(0);
    }
    sending = false;
    $('thread-send').disabled = false;
  }
}

async function markRead() {
  if (!open.tipId) {
    return;
  }
  try {
    await api('POST', tipPath(open.tipId, 'thread', 'read'));
    await loadThread();
  } catch (error) {
    handleError(error);
  }
}

/** Wires the conversation's controls once. */
export function setUpThread() {
  $('thread-open').addEventListener('click', loadThread);
  $('thread-form').addEventListener('submit', send);
  $('thread-mark-read').addEventListener('click', markRead);
}
