// The follow-up page's behaviour (docs/follow-up.md): read the code (follow-up-code.js), derive the keys on this
// device (follow-up-keys.js), look the thread up with a stamped request (stamp.js), and open it only if the sealed key
// opens — a wrong code gets a decoy that looks the same on the wire, and is found out only here. Answers are padded
// and encrypted to the intake key like tips (jwe.js) and sent resend-safe. The code is cleared from the field at once
// and its bytes wiped; nothing is stored; texts come from the page's #facts block.
import { messageOf } from './facts.js';
import { parseCode } from './follow-up-code.js';
import { decryptMessage, deriveFollowUpKeys, openSealedKey } from './follow-up-keys.js';
import { HttpError, newSubmissionId, padTip, resendingSender } from './jwe.js';
import { browserStampWorkers, sendStamped } from './stamp.js';

const LOOKUP_PATH = '/api/follow-up/lookup';
const ANSWER_PATH = '/api/follow-up/answers';
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

function answerFailureKeyOf(status) {
  switch (status) {
    case 413:
      return 'followUp.answerTooLong';
    case 400:
    case 415:
    case 422:
      return 'status.outdated';
    case 429:
      return 'followUp.flood';
    default:
      return 'followUp.answerRetry';
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

/**
 * The answer form under an open thread that takes answers. Each answer is sent under its own submission id; the last
 * attempt whose outcome is unknown goes again unchanged. `openFor` shows it for a thread, `clear` hides it and drops
 * the thread, the draft and any attempt still unsent.
 */
function setUpAnswers(facts, t) {
  const form = document.getElementById('answer-form');
  const text = document.getElementById('answer-text');
  const send = document.getElementById('answer-send');
  const status = document.getElementById('answer-status');
  const answers = facts.followUpAnswers;
  // The thread answers go to, its lookup token and ref; dropped by "forget" and by every new lookup.
  let thread = null;
  let submission = newSubmissionId();
  const resend = resendingSender((jwe) => sendStamped({
    fetch: window.fetch.bind(window),
    body: jwe,
    path: ANSWER_PATH,
    headers: { [facts.submissionHeader]: submission },
    ...browserStampWorkers(),
  }));
  let answering = false;

  const setStatus = (key, informational) => {
    status.textContent = key ? t(key) : '';
    status.classList.toggle('info', Boolean(informational));
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (answering || !thread) {
      return;
    }
    const answer = text.value;
    if (!answer.trim()) {
      setStatus('followUp.answerEmpty', false);
      text.focus();
      return;
    }
    let plaintext = [...answer].length > answers.maxCharacters ? null : padTip(
      { v: 1, lookup: thread.lookup, thread: thread.ref, text: answer, language: document.documentElement.lang }, answers.paddingBuckets);
    if (!plaintext) {
      setStatus('followUp.answerTooLong', false);
      text.focus();
      return;
    }

    answering = true;
    send.disabled = true;
    form.setAttribute('aria-busy', 'true');
    setStatus('followUp.answerSending', true);
    try {
      await resend.send(plaintext, answers);
      submission = newSubmissionId();
      text.value = '';
      setStatus('followUp.answerSent', true);
    } catch (error) {
      setStatus(error instanceof HttpError ? answerFailureKeyOf(error.status)
        : error instanceof TypeError ? 'followUp.answerRetry' : 'followUp.failed', false);
      status.focus();
    } finally {
      if (plaintext) {
        plaintext.fill(0);
      }
      answering = false;
      send.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });

  return {
    openFor(to) {
      thread = to;
      form.hidden = to === null;
    },
    clear() {
      form.hidden = true;
      text.value = '';
      setStatus('', false);
      thread = null;
      resend.forget();
    },
  };
}

export function setUpFollowUp(form, facts) {
  const t = (key) => messageOf(facts, key);
  const input = document.getElementById('follow-up-code');
  const openButton = document.getElementById('follow-up-open');
  const status = document.getElementById('follow-up-status');
  const section = document.getElementById('thread');
  const threadStatus = document.getElementById('thread-status');
  const empty = document.getElementById('thread-empty');
  const list = document.getElementById('thread-messages');
  const forget = document.getElementById('thread-forget');
  const closed = document.getElementById('thread-closed');
  const canDerive = Boolean(window.crypto && window.crypto.subtle && window.fetch && window.TextEncoder && window.BigInt && facts.followUpAnswers);
  const answerForm = setUpAnswers(facts, t);
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
    closed.hidden = true;
    answerForm.clear();
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

  const showThreads = async (opened, lookup) => {
    list.replaceChildren();
    let shown = 0;
    // Answers go to the first thread of the code (a code has one unless a report was sent twice).
    const first = opened[0].thread;
    const answerable = first.answerable === true;
    answerForm.openFor(answerable ? { lookup, ref: first.ref } : null);
    closed.hidden = answerable;
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

  // Shown only now: until then the form's default button is hidden and disabled (Enter posts nothing either), so the
  // form cannot reach the server's no-script path, which would send the code there, while this module is loading.
  openButton.hidden = false;
  document.getElementById('safety-follow-up').hidden = false;
  if (!canDerive) {
    fail('followUp.failed');
    return;
  }
  openButton.disabled = false;

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
    openButton.disabled = true;
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
      await showThreads(opened, keys.lookup);
    } catch (error) {
      fail(error instanceof TypeError ? 'followUp.network' : 'followUp.failed');
    } finally {
      parsed.value.fill(0);
      busy = false;
      openButton.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
}
