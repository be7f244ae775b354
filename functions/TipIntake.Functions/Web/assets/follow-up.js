// The follow-up page's behaviour (docs/follow-up.md): read the code (follow-up-code.js), derive the keys on this
// device (follow-up-keys.js), look the thread up with a stamped request (stamp.js), and open it only if the sealed key
// opens — a wrong code gets a decoy that looks the same on the wire, and is found out only here. The code is cleared
// from the field at once and its bytes wiped; nothing is stored; texts come from the page's #facts block.
import { messageOf } from './facts.js';
import { parseCode } from './follow-up-code.js';
import { decryptMessage, deriveFollowUpKeys, openSealedKey } from './follow-up-keys.js';
import { browserStampWorkers, sendStamped } from './stamp.js';

const LOOKUP_PATH = '/api/follow-up/lookup';
const STATUSES = ['received', 'in-review', 'closed'];

function failureKeyOf(status) {
  switch (status) {
    case 429:
      return 'followUp.flood';
    case 503:
      return 'followUp.unavailable';
    default:
      return 'followUp.failed';
  }
}

function statusKeyOf(status) {
  switch (status) {
    case 'received':
      return 'followUp.status.received';
    case 'in-review':
      return 'followUp.status.in-review';
    default:
      return 'followUp.status.closed';
  }
}

async function lookUp(lookup) {
  return sendStamped({
    fetch: window.fetch.bind(window),
    body: JSON.stringify({ v: 1, lookup }),
    path: LOOKUP_PATH,
    contentType: 'application/json',
    ...browserStampWorkers(),
  });
}

/** The threads whose sealed key opens with this code's sealing key, each with the reporter's private key. */
async function openThreads(body, sealingKey) {
  const threads = body && Array.isArray(body.threads) ? body.threads : [];
  const opened = [];
  for (const thread of threads) {
    if (!thread || typeof thread.ref !== 'string' || !STATUSES.includes(thread.status)) {
      continue;
    }
    const privateKey = await openSealedKey(thread.sealedKey, sealingKey);
    if (privateKey) {
      opened.push({ thread, privateKey });
    }
  }
  return opened;
}

export function setUpFollowUp(form, facts) {
  const t = (key) => messageOf(facts, key);
  const input = document.getElementById('follow-up-code');
  const open = document.getElementById('follow-up-open');
  const status = document.getElementById('follow-up-status');
  const section = document.getElementById('thread');
  const threadStatus = document.getElementById('thread-status');
  const empty = document.getElementById('thread-empty');
  const list = document.getElementById('thread-messages');
  const forget = document.getElementById('thread-forget');
  const canDerive = Boolean(window.crypto && window.crypto.subtle && window.fetch && window.TextEncoder && window.BigInt);
  let busy = false;

  const setStatus = (key, informational) => {
    status.textContent = key ? t(key) : '';
    status.classList.toggle('info', Boolean(informational));
  };

  const fail = (key) => {
    setStatus(key, false);
    status.focus();
  };

  const clearThread = () => {
    section.hidden = true;
    threadStatus.textContent = '';
    list.replaceChildren();
    empty.hidden = true;
  };

  const showMessage = (message, text) => {
    const item = document.createElement('li');
    item.className = message.from === 'reporter' ? 'message from-reporter' : 'message';
    const meta = document.createElement('span');
    meta.className = 'message-meta';
    meta.textContent = t(message.from === 'reporter' ? 'followUp.fromReporter' : 'followUp.fromOrganisation')
      + (typeof message.day === 'string' ? ' · ' + message.day : '');
    item.append(meta, document.createTextNode(text));
    list.append(item);
  };

  const showThreads = async (opened) => {
    list.replaceChildren();
    let shown = 0;
    for (const { thread, privateKey } of opened) {
      threadStatus.textContent = t(statusKeyOf(thread.status));
      for (const message of Array.isArray(thread.messages) ? thread.messages : []) {
        const content = await decryptMessage(message && message.jwe, privateKey);
        // A message names its thread inside the encryption, so one cannot be moved to another thread of the code.
        const readable = content && content.thread === thread.ref && typeof content.text === 'string';
        showMessage(message, readable ? content.text : t('followUp.unreadable'));
        shown++;
      }
    }
    empty.hidden = shown > 0;
    section.hidden = false;
    section.focus();
  };

  if (!canDerive) {
    fail('followUp.failed');
    return;
  }
  open.disabled = false;

  forget.addEventListener('click', () => {
    clearThread();
    setStatus('', false);
    input.value = '';
    input.focus();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    clearThread();
    setStatus('', false);
    const parsed = await parseCode(input.value);
    if (parsed.kind !== 'ok') {
      fail(parsed.kind === 'empty' ? 'followUp.empty' : parsed.kind === 'length' ? 'followUp.length' : 'followUp.typo');
      input.focus();
      return;
    }

    // From here on the code lives only in `parsed.value`, wiped once the keys are derived.
    input.value = '';
    busy = true;
    open.disabled = true;
    form.setAttribute('aria-busy', 'true');
    setStatus('followUp.deriving', true);
    try {
      const keys = await deriveFollowUpKeys(parsed.value);
      parsed.value.fill(0);
      const response = await lookUp(keys.lookup);
      if (!response.ok) {
        fail(failureKeyOf(response.status));
        return;
      }
      const opened = await openThreads(await response.json(), keys.sealingKey);
      if (opened.length === 0) {
        fail('followUp.notRecognised');
        return;
      }
      setStatus('', false);
      await showThreads(opened);
    } catch (error) {
      fail(error instanceof TypeError ? 'followUp.network' : 'followUp.failed');
    } finally {
      parsed.value.fill(0);
      busy = false;
      open.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
}
