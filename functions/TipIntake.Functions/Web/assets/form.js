// The reporter form's behaviour: validate (validation.js), enrol for follow-up (follow-up-keys.js,
// docs/follow-up.md), pad and encrypt in the browser (jwe.js), send with a proof-of-work stamp (stamp.js,
// docs/flood-control.md), show the follow-up code. Files are added, cleaned and uploaded by attachments.js; Send
// waits for them, or goes without those not finished, and the tip names them (docs/attachments.md). Everything the
// server decides comes from the page's #facts block. Without this script the form still posts to /submit, where the
// server validates and encrypts on arrival.
import { setUpAttachments } from './attachments.js';
import { errorMessageOf, messageOf } from './facts.js';
import { formatDigits, formatLetters, newCodeValue } from './follow-up-code.js';
import { enrolFollowUp } from './follow-up-keys.js';
import { HttpError, buildTip, newSubmissionId, padTip, resendingSender } from './jwe.js';
import { browserStampWorkers, sendStamped } from './stamp.js';
import { latestAllowedDate, readForm, validate } from './validation.js';

function statusKeyOf(status) {
  switch (status) {
    case 503:
      return 'status.unavailable';
    case 413:
      return 'status.tooLong';
    case 400:
    case 415:
    case 422:
      return 'status.outdated';
    case 429:
      return 'status.flood';
    default:
      return 'status.failed';
  }
}

export function setUpForm(form, facts) {
  const t = (key) => messageOf(facts, key);
  const status = document.getElementById('form-status');
  const submitButton = document.getElementById('submit-button');
  const note = document.getElementById('encryption-note');
  const canEncrypt = Boolean(window.crypto && window.crypto.subtle && window.fetch && window.TextEncoder);
  const stampStatus = document.getElementById('stamp-status');
  const stampProgress = document.getElementById('stamp-progress');
  const stampText = document.getElementById('stamp-text');
  let busy = false;
  // Files travel only on the encrypted path, and only where the upload routes answer (docs/attachments.md).
  const attachmentSection = document.getElementById('attachments');
  const attachments = attachmentSection && canEncrypt && facts.attachments && facts.attachments.enabled
    ? setUpAttachments(attachmentSection, facts, t) : null;
  const attachmentWait = document.getElementById('attachment-wait');
  const attachmentWaitText = document.getElementById('attachment-wait-text');
  const sendNow = document.getElementById('attachment-send-now');

  // "Send" waits for files still uploading, and offers to send the report at once without them: an urgent report is
  // never held back by a photo.
  const waitForFiles = async () => {
    if (!attachments || attachments.unfinished() === 0 || !attachmentWait) {
      return;
    }
    attachmentWaitText.textContent = t('attachments.waiting').replace('{count}', String(attachments.unfinished()));
    attachmentWait.hidden = false;
    let onClick = null;
    const clicked = new Promise((resolve) => {
      onClick = resolve;
      sendNow.addEventListener('click', onClick, { once: true });
    });
    try {
      if (await Promise.race([attachments.settled().then(() => false), clicked.then(() => true)])) {
        attachments.dropUnfinished();
      }
    } finally {
      sendNow.removeEventListener('click', onClick);
      attachmentWait.hidden = true;
      attachmentWaitText.textContent = '';
    }
  };

  // The tip with the files uploaded so far (the `attachments` member) and, once enrolled, the follow-up member.
  const tipOf = (data, followUpMember) => {
    const tip = buildTip(data);
    const files = attachments ? attachments.entries() : [];
    if (files.length > 0) {
      tip.attachments = files;
    }
    if (followUpMember) {
      tip.followUp = followUpMember;
    }
    return tip;
  };
  // The page's submission id, sent with every attempt, so that resending the same JWE after an unanswered or failed
  // attempt never makes a second tip (docs/security.md, "Resending"). The server puts a fresh one in every page.
  const submissionField = form.querySelector('input[name="submission"]');
  const submissionId = submissionField && submissionField.value ? submissionField.value : (canEncrypt ? newSubmissionId() : '');
  // The follow-up code's value and the tip's `followUp` member, made once per page like the submission id, so a
  // resent or edited report carries the same code. If this browser cannot enrol, the report goes without it and the
  // intake receipt is shown instead.
  let followUp = null;
  const enrolOnce = async () => {
    if (!followUp) {
      const value = newCodeValue();
      try {
        followUp = { value, member: await enrolFollowUp(value) };
      } catch {
        value.fill(0);
        followUp = { value: null, member: null };
      }
    }
    return followUp;
  };

  // The expected number of tries is 2^effort; the bar shows the chance of having found a stamp by now. A raised
  // effort starts the bar again, with a message that says why.
  let progressOf = () => {};
  const showStampProgress = (effort, raised) => {
    if (!stampStatus || effort === 0) {
      progressOf = () => {};
      return;
    }
    const expected = Math.pow(2, effort);
    let shownStep = -1;
    let start = null;
    stampStatus.hidden = false;
    if (stampProgress) {
      stampProgress.value = 0;
    }
    if (stampText) {
      stampText.textContent = t(raised ? 'status.raisingEffort' : 'status.preparing');
    }
    progressOf = (tried) => {
      start = start === null ? tried : start;
      const percent = Math.min(99, Math.floor(100 * (1 - Math.exp(-(tried - start) / expected))));
      if (stampProgress) {
        stampProgress.value = percent;
      }
      // The live region speaks only every quarter, so a screen reader is not flooded.
      const step = Math.floor(percent / 25);
      if (stampText && step !== shownStep && step > 0) {
        shownStep = step;
        const progress = t('status.progress').replace('{percent}', String(percent));
        stampText.textContent = raised ? t('status.raisingEffort') + ' ' + progress : progress;
      }
    };
  };

  const hideStampProgress = () => {
    if (stampStatus) {
      stampStatus.hidden = true;
    }
    if (stampText) {
      stampText.textContent = '';
    }
  };

  /**
   * Sends the JWE with a stamp: solved to the suggested effort; if the floor rose meanwhile, the search goes on, on
   * the same challenge, and the page says that it may take a while.
   */
  const send = (jwe) => {
    let raised = false;
    return sendStamped({
      fetch: window.fetch.bind(window),
      jwe,
      headers: { [facts.submissionHeader]: submissionId },
      ...browserStampWorkers(),
      onSolving: (effort) => showStampProgress(effort, raised),
      onProgress: (tried) => progressOf(tried),
      onRaise: () => {
        raised = true;
      },
    });
  };
  // If the report is sent again unchanged after an attempt whose outcome is unknown (no answer, 503, 408, 429),
  // exactly the same JWE goes again, so the server can recognise it.
  const resend = resendingSender(send);

  if (note) {
    note.textContent = t(canEncrypt ? 'status.encryptionOn' : 'status.encryptionOff');
    note.hidden = false;
  }
  const latest = latestAllowedDate();
  for (const id of ['observedFrom', 'observedTo']) {
    const input = document.getElementById(id);
    if (input) {
      input.max = latest;
    }
  }

  const setStatus = (text, informational) => {
    if (status) {
      status.textContent = text;
      status.classList.toggle('info', Boolean(informational));
    }
  };

  const setFieldError = (field, text) => {
    const slot = document.getElementById('error-' + field);
    if (slot) {
      slot.textContent = text;
    }
    const inputs = form.querySelectorAll('[name="' + field + '"]');
    const group = inputs.length > 1 ? inputs[0].closest('fieldset') : null;
    for (const element of group ? [group] : inputs) {
      if (text) {
        element.setAttribute('aria-invalid', 'true');
      } else {
        element.removeAttribute('aria-invalid');
      }
    }
  };

  const clearErrors = () => {
    for (const field of facts.fields) {
      setFieldError(field, '');
    }
    setStatus('', false);
  };

  const focusField = (field) => {
    const target = form.querySelector('[name="' + field + '"]:checked') || form.querySelector('[name="' + field + '"]');
    if (target) {
      target.focus();
    }
  };

  // The follow-up code in both forms, the letters shown first; the button switches. Without follow-up, the intake
  // receipt and the texts that go with it.
  const showCode = async (section, code, receipt) => {
    const toggle = document.getElementById('receipt-code-form');
    const enrolled = Boolean(followUp && followUp.value);
    for (const element of section.querySelectorAll('.follow-up-only')) {
      element.hidden = !enrolled;
    }
    for (const element of section.querySelectorAll('.intake-only')) {
      element.hidden = enrolled;
    }
    if (!enrolled) {
      code.textContent = receipt;
      return;
    }
    const forms = [await formatLetters(followUp.value), await formatDigits(followUp.value)];
    followUp.value.fill(0);
    followUp = null;
    let shown = 0;
    code.textContent = forms[shown];
    if (toggle) {
      toggle.addEventListener('click', () => {
        shown = 1 - shown;
        code.textContent = forms[shown];
        toggle.textContent = shown === 0 ? toggle.dataset.digits : toggle.dataset.letters;
      });
    }
  };

  const showReceipt = async (receipt) => {
    const section = document.getElementById('receipt');
    const code = document.getElementById('receipt-code');
    if (attachments) {
      attachments.clear();
    }
    form.reset();
    for (const element of form.querySelectorAll('textarea, input[type="text"], input[type="number"], input[type="date"]')) {
      element.value = '';
    }
    form.remove();
    if (note) {
      note.remove();
    }
    if (section && code) {
      await showCode(section, code, receipt);
    }
    if (section) {
      section.hidden = false;
      section.focus();
    }
  };

  form.addEventListener('submit', async (event) => {
    if (busy) {
      event.preventDefault();
      return;
    }
    clearErrors();
    let data = readForm(form);
    const errors = validate(data, facts);
    if (errors.length > 0) {
      event.preventDefault();
      for (const [field, code] of errors) {
        setFieldError(field, errorMessageOf(facts, field, code));
      }
      setStatus(t('status.fixErrors'), false);
      focusField(errors[0][0]);
      return;
    }

    let plaintext = padTip(buildTip(data), facts.paddingBuckets);
    if (!plaintext) {
      event.preventDefault();
      setFieldError('narrative', t('status.tooLong'));
      setStatus(t('status.tooLong'), false);
      focusField('narrative');
      return;
    }

    if (!canEncrypt) {
      // No WebCrypto here: let the browser post the form; the server encrypts it on arrival.
      plaintext.fill(0);
      return;
    }

    event.preventDefault();
    busy = true;
    if (submitButton) {
      submitButton.disabled = true;
    }
    form.setAttribute('aria-busy', 'true');
    setStatus(t('status.sending'), true);
    try {
      await waitForFiles();
      // The reporter may have gone on typing while the files were sent: what is there now goes, if it is still valid.
      const latest = readForm(form);
      if (validate(latest, facts).length === 0) {
        data = latest;
      }
      const { member } = await enrolOnce();
      plaintext.fill(0);
      plaintext = padTip(tipOf(data, member), facts.paddingBuckets);
      if (!plaintext) {
        throw new HttpError(413);
      }
      const response = await resend.send(plaintext, facts);
      const body = await response.json();
      if (!body || typeof body.receipt !== 'string' || !body.receipt) {
        throw new HttpError(0);
      }
      await showReceipt(body.receipt);
    } catch (error) {
      // A TypeError from fetch is a network failure; the report's text is never part of what is shown.
      setStatus(error instanceof HttpError ? t(statusKeyOf(error.status))
        : error instanceof TypeError ? t('status.network') : t('status.failed'), false);
      if (status) {
        status.focus();
      }
    } finally {
      hideStampProgress();
      if (plaintext) {
        plaintext.fill(0);
      }
      busy = false;
      if (submitButton) {
        submitButton.disabled = false;
      }
      form.removeAttribute('aria-busy');
    }
  });
}
