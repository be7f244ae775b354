// TipIntake reporter form: validates, encrypts in the browser (JWE compact, RSA-OAEP-256 + A256GCM) and sends.
// No libraries, no storage of any kind, no logging. Without this script the form still posts to /submit,
// where the server validates and encrypts on arrival.
'use strict';

(() => {
  // The server's bounds (TipIntake.Core.Tips.TipLimits, Intake.TipEnvelope); a unit test keeps them in step.
  const NARRATIVE_MAX = 20000;
  const REGION_MAX = 200;
  const PLACE_MAX = 200;
  const CONTACT_MAX = 500;
  const PEOPLE_COUNT_MAX = 100000;
  const MAX_JWE_LENGTH = 196608;
  // Plaintexts are padded up to one of these sizes (UTF-8 bytes), so that the length of a report reveals little.
  const PADDING_BUCKETS = [1024, 4096, 16384, 34000, 98304];
  const PLAINTEXT_MAX_BYTES = PADDING_BUCKETS[PADDING_BUCKETS.length - 1];
  const CONTENT_TYPE = 'application/vnd.tipintake.tip.v1+json';
  const CATEGORIES = ['detention', 'forced-repatriation', 'trafficking', 'forced-marriage', 'other'];
  const URGENCIES = ['imminent', 'soon', 'unknown'];
  const FIELDS = ['category', 'narrative', 'country', 'region', 'place', 'observedFrom', 'observedTo',
    'peopleCount', 'urgency', 'language', 'contact'];
  const ESCAPE_WINDOW_MS = 1000;
  // Flood control (docs/flood-control.md): the tip goes with a proof-of-work stamp, made and sent by the ES module
  // stamp.js (the same code the flood benchmark's reporter runs), in module Web Workers where the browser has them.
  const STAMP_MODULE = '/assets/stamp.js';
  const STAMP_WORKER = '/assets/stamp-worker.js';
  const MAX_STAMP_WORKERS = 4;
  // The page's submission id (16 random bytes, base64url): sent with every attempt, so that resending the same JWE
  // after an unanswered or failed attempt never makes a second tip (docs/security.md, "Resending").
  const SUBMISSION_HEADER = 'TipIntake-Submission';
  const SUBMISSION_PATTERN = /^[A-Za-z0-9_-]{21}[AQgw]$/;
  // Refusals of the JWE itself (too large, not accepted: an outdated key, say): the same JWE would be refused again,
  // so it is made anew on the next attempt. After any other answer (a stamp problem, 408, 429, 503, none at all) an
  // earlier attempt may still have been kept, so the same JWE goes again.
  const JWE_REFUSED = [413, 415, 422];

  // C0 and C1 controls, as .NET's char.IsControl; the multi-line variant lets tab and line breaks through.
  const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F]/;
  const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
  // Bidirectional embeddings, overrides and isolates: refused in the short fields, where they can only deceive
  // (TipIntake.Core.Tips.TipReader.BidiControls).
  const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
  const COUNTRY_PATTERN = /^[A-Z]{2}$/;
  const LANGUAGE_PATTERN = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

  let messages = {};

  function readMessages() {
    const block = document.getElementById('messages');
    if (!block) {
      return {};
    }
    try {
      const parsed = JSON.parse(block.textContent || '{}');
      return parsed && typeof parsed === 'object' ? parsed : {};
    } catch {
      return {};
    }
  }

  function t(key) {
    const text = messages[key];
    return typeof text === 'string' ? text : (typeof messages['status.failed'] === 'string' ? messages['status.failed'] : '');
  }

  function errorText(field, code) {
    for (const key of ['error.' + field + '.' + code, 'error.' + code, 'error.invalid']) {
      if (typeof messages[key] === 'string') {
        return messages[key];
      }
    }
    return '';
  }

  // ---- Quick exit ------------------------------------------------------------------------------------------

  function setUpQuickExit() {
    const link = document.getElementById('quick-exit');
    if (!link) {
      return;
    }
    const target = link.href;
    const leave = () => {
      const form = document.getElementById('tip-form');
      if (form) {
        form.reset();
      }
      // replace(), not assign(): the page leaves the history, so Back does not return to it.
      window.location.replace(target);
    };
    link.addEventListener('click', (event) => {
      event.preventDefault();
      leave();
    });
    let lastEscape = 0;
    document.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' && event.key !== 'Esc') {
        return;
      }
      const now = Date.now();
      if (now - lastEscape <= ESCAPE_WINDOW_MS) {
        leave();
      }
      lastEscape = now;
    });
  }

  // ---- Reading and validating the form ---------------------------------------------------------------------

  function readForm(form) {
    const elements = form.elements;
    const checkedValue = (name) => {
      const checked = form.querySelector('input[name="' + name + '"]:checked');
      return checked ? checked.value : '';
    };
    const text = (name) => (elements.namedItem(name) ? String(elements.namedItem(name).value).trim() : '');
    const peopleCountInput = elements.namedItem('peopleCount');
    return {
      category: checkedValue('category'),
      narrative: text('narrative'),
      country: text('country'),
      region: text('region'),
      place: text('place'),
      observedFrom: text('observedFrom'),
      observedTo: text('observedTo'),
      peopleCount: text('peopleCount'),
      peopleCountUnreadable: Boolean(peopleCountInput && peopleCountInput.validity && peopleCountInput.validity.badInput),
      urgency: checkedValue('urgency'),
      language: text('language'),
      contact: text('contact'),
    };
  }

  function codePointLength(value) {
    let count = 0;
    for (const _ of value) {
      count++;
    }
    return count;
  }

  function textProblem(value, max, multiline, refuseBidi) {
    if ((multiline ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).test(value) || LONE_SURROGATE.test(value)
      || (refuseBidi && BIDI_CONTROL.test(value))) {
      return 'invalid-characters';
    }
    return codePointLength(value) > max ? 'too-long' : null;
  }

  function isRealDate(value) {
    if (!DATE_PATTERN.test(value)) {
      return false;
    }
    const [year, month, day] = value.split('-').map(Number);
    const date = new Date(Date.UTC(year, month - 1, day));
    return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  }

  // The server allows dates up to one day past its own UTC date, since a reporter's day may already have begun.
  function latestAllowedDate() {
    return new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
  }

  /** Returns a list of [field, code] pairs, in the order the fields appear on the page. */
  function validate(data) {
    const errors = [];
    if (!data.category) {
      errors.push(['category', 'required']);
    } else if (!CATEGORIES.includes(data.category)) {
      errors.push(['category', 'not-allowed']);
    }

    if (!data.narrative) {
      errors.push(['narrative', 'required']);
    } else {
      const problem = textProblem(data.narrative, NARRATIVE_MAX, true);
      if (problem) {
        errors.push(['narrative', problem]);
      }
    }

    if (data.country && !COUNTRY_PATTERN.test(data.country)) {
      errors.push(['country', 'not-iso-3166']);
    } else if (!data.country && (data.region || data.place)) {
      errors.push(['country', 'required']);
    }

    for (const [field, max] of [['region', REGION_MAX], ['place', PLACE_MAX]]) {
      const problem = data[field] ? textProblem(data[field], max, false, true) : null;
      if (problem) {
        errors.push([field, problem]);
      }
    }

    const latest = latestAllowedDate();
    let datesUsable = true;
    for (const field of ['observedFrom', 'observedTo']) {
      const value = data[field];
      if (!value) {
        continue;
      }
      if (!isRealDate(value)) {
        errors.push([field, 'not-a-date']);
        datesUsable = false;
      } else if (value > latest) {
        errors.push([field, 'in-future']);
        datesUsable = false;
      }
    }
    if (datesUsable && data.observedFrom && data.observedTo && data.observedFrom > data.observedTo) {
      errors.push(['observedTo', 'from-after-to']);
    }

    if (data.peopleCountUnreadable) {
      errors.push(['peopleCount', 'not-a-number']);
    } else if (data.peopleCount) {
      if (!/^[+-]?\d+$/.test(data.peopleCount)) {
        errors.push(['peopleCount', 'not-a-number']);
      } else {
        const count = Number(data.peopleCount);
        if (count < 0 || count > PEOPLE_COUNT_MAX) {
          errors.push(['peopleCount', 'out-of-range']);
        }
      }
    }

    if (!data.urgency) {
      errors.push(['urgency', 'required']);
    } else if (!URGENCIES.includes(data.urgency)) {
      errors.push(['urgency', 'not-allowed']);
    }

    if (data.language && !LANGUAGE_PATTERN.test(data.language)) {
      errors.push(['language', 'not-bcp47']);
    }

    if (data.contact) {
      const problem = textProblem(data.contact, CONTACT_MAX, true, true);
      if (problem) {
        errors.push(['contact', problem]);
      }
    }
    return errors;
  }

  // ---- Building and padding the tip (schema v1, DESIGN.md contract 4) ---------------------------------------

  function buildTip(data) {
    const tip = { category: data.category, narrative: data.narrative };
    if (data.country) {
      const location = { country: data.country };
      if (data.region) {
        location.region = data.region;
      }
      if (data.place) {
        location.place = data.place;
      }
      tip.location = location;
    }
    if (data.observedFrom || data.observedTo) {
      const observed = {};
      if (data.observedFrom) {
        observed.from = data.observedFrom;
      }
      if (data.observedTo) {
        observed.to = data.observedTo;
      }
      tip.observed = observed;
    }
    if (data.peopleCount) {
      tip.peopleCount = Number(data.peopleCount);
    }
    tip.urgency = data.urgency;
    if (data.language) {
      tip.language = data.language;
    }
    if (data.contact) {
      tip.contact = data.contact;
    }
    return tip;
  }

  const utf8 = (text) => new TextEncoder().encode(text);

  /**
   * Serialises the tip and pads it with spaces to the smallest bucket that fits. Returns null when the tip is too
   * long to send. A tip within 13 bytes of the largest bucket has no room for the padding member and goes unpadded.
   */
  function padTip(tip) {
    const bare = utf8(JSON.stringify(tip));
    if (bare.length > PLAINTEXT_MAX_BYTES) {
      return null;
    }
    // Adding the member costs `,"padding":""` (13 bytes) plus one byte per space.
    const overhead = utf8(JSON.stringify(Object.assign({}, tip, { padding: '' }))).length;
    const bucket = PADDING_BUCKETS.find((size) => size >= overhead);
    if (bucket === undefined) {
      return bare;
    }
    const padded = utf8(JSON.stringify(Object.assign({}, tip, { padding: ' '.repeat(bucket - overhead) })));
    bare.fill(0);
    return padded;
  }

  // ---- JWE compact serialisation (RFC 7516) with WebCrypto ----------------------------------------------------

  function base64Url(bytes) {
    let binary = '';
    const chunk = 0x8000;
    for (let i = 0; i < bytes.length; i += chunk) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk));
    }
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function newSubmissionId() {
    return base64Url(crypto.getRandomValues(new Uint8Array(16)));
  }

  async function digestOf(bytes) {
    return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
  }

  class HttpError extends Error {
    constructor(status) {
      super('HTTP ' + status);
      this.status = status;
    }
  }

  async function fetchIntakeKey() {
    const response = await fetch('/api/intake-key', {
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (!response.ok) {
      throw new HttpError(response.status);
    }
    const jwk = await response.json();
    if (!jwk || jwk.kty !== 'RSA' || jwk.alg !== 'RSA-OAEP-256' || typeof jwk.kid !== 'string' || !jwk.kid
      || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
      throw new HttpError(0);
    }
    return jwk;
  }

  async function encryptToCompactJwe(plaintext, jwk) {
    const subtle = window.crypto.subtle;
    const publicKey = await subtle.importKey(
      'jwk',
      { kty: jwk.kty, n: jwk.n, e: jwk.e, alg: 'RSA-OAEP-256', ext: true },
      { name: 'RSA-OAEP', hash: 'SHA-256' },
      false,
      ['encrypt']);
    const contentKey = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt']);
    const rawContentKey = new Uint8Array(await subtle.exportKey('raw', contentKey));
    const header = { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: jwk.kid, cty: CONTENT_TYPE };
    const encodedHeader = base64Url(utf8(JSON.stringify(header)));
    const iv = window.crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(await subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: utf8(encodedHeader), tagLength: 128 }, contentKey, plaintext));
    const ciphertext = sealed.subarray(0, sealed.length - 16);
    const tag = sealed.subarray(sealed.length - 16);
    const encryptedKey = new Uint8Array(await subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, rawContentKey));
    rawContentKey.fill(0);
    return [encodedHeader, base64Url(encryptedKey), base64Url(iv), base64Url(ciphertext), base64Url(tag)].join('.');
  }

  // ---- Proof-of-work stamp (docs/flood-control.md) -----------------------------------------------------------

  let stampModule = null;

  function loadStampModule() {
    stampModule = stampModule || import(STAMP_MODULE);
    return stampModule;
  }

  // Module workers: a browser that reads the `type` option knows them (one that does not would run the worker as a
  // classic script, where its import fails). Without them the search runs on this thread, in slices.
  function moduleWorkersSupported() {
    if (typeof window.Worker !== 'function') {
      return false;
    }
    let supported = false;
    try {
      new Worker('about:blank', { get type() { supported = true; return 'module'; } }).terminate();
    } catch {
      // about:blank is refused; whether the option was read is all that counts.
    }
    return supported;
  }

  function stampWorkers() {
    if (!moduleWorkersSupported()) {
      return { workers: 1, createWorker: null };
    }
    const cores = Number.isInteger(navigator.hardwareConcurrency) ? navigator.hardwareConcurrency : 2;
    return { workers: Math.max(1, Math.min(MAX_STAMP_WORKERS, cores)), createWorker: () => new Worker(STAMP_WORKER, { type: 'module' }) };
  }

  function messageForStatus(status) {
    switch (status) {
      case 503:
        return t('status.unavailable');
      case 413:
        return t('status.tooLong');
      case 400:
      case 415:
      case 422:
        return t('status.outdated');
      case 429:
        return t('status.flood');
      default:
        return t('status.failed');
    }
  }

  // ---- Page behaviour ----------------------------------------------------------------------------------------

  function setUpForm(form) {
    const status = document.getElementById('form-status');
    const submitButton = document.getElementById('submit-button');
    const note = document.getElementById('encryption-note');
    const canEncrypt = Boolean(window.crypto && window.crypto.subtle && window.fetch && window.TextEncoder);
    const stampStatus = document.getElementById('stamp-status');
    const stampProgress = document.getElementById('stamp-progress');
    const stampText = document.getElementById('stamp-text');
    let busy = false;
    const submissionField = form.querySelector('input[name="submission"]');
    const submissionId = submissionField && SUBMISSION_PATTERN.test(submissionField.value)
      ? submissionField.value
      : (canEncrypt ? newSubmissionId() : '');
    // The last attempt whose outcome is unknown (no answer, 503, 408, 429): its plaintext's digest and its JWE. If the
    // report is sent again unchanged, exactly this JWE goes again, so the server can recognise it.
    let unconfirmed = null;

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
     * Sends the JWE with a stamp (stamp.js): solved to the suggested effort; if the floor rose meanwhile, the search
     * goes on, on the same challenge, and the page says that it may take a while.
     */
    const sendStamped = async (jwe) => {
      const { sendStamped: send } = await loadStampModule();
      let raised = false;
      return send({
        fetch: window.fetch.bind(window),
        jwe,
        headers: { [SUBMISSION_HEADER]: submissionId },
        ...stampWorkers(),
        onSolving: (effort) => showStampProgress(effort, raised),
        onProgress: (tried) => progressOf(tried),
        onRaise: () => {
          raised = true;
        },
      });
    };

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

    const clearErrors = () => {
      for (const field of FIELDS) {
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

    function setFieldError(field, text) {
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
    }

    const showReceipt = (receipt) => {
      const section = document.getElementById('receipt');
      const code = document.getElementById('receipt-code');
      form.reset();
      for (const element of form.querySelectorAll('textarea, input[type="text"], input[type="number"], input[type="date"]')) {
        element.value = '';
      }
      form.remove();
      if (note) {
        note.remove();
      }
      if (code) {
        code.textContent = receipt;
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
      const data = readForm(form);
      const errors = validate(data);
      if (errors.length > 0) {
        event.preventDefault();
        for (const [field, code] of errors) {
          setFieldError(field, errorText(field, code));
        }
        setStatus(t('status.fixErrors'), false);
        focusField(errors[0][0]);
        return;
      }

      const tip = buildTip(data);
      let plaintext = padTip(tip);
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
        const digest = await digestOf(plaintext);
        const jwe = unconfirmed && unconfirmed.digest === digest
          ? unconfirmed.jwe
          : await encryptToCompactJwe(plaintext, await fetchIntakeKey());
        plaintext.fill(0);
        plaintext = null;
        if (jwe.length > MAX_JWE_LENGTH) {
          throw new HttpError(413);
        }
        unconfirmed = { digest, jwe };
        const response = await sendStamped(jwe);
        if (response.status !== 202) {
          if (JWE_REFUSED.includes(response.status)) {
            unconfirmed = null;
          }
          throw new HttpError(response.status);
        }
        unconfirmed = null;
        const body = await response.json();
        if (!body || typeof body.receipt !== 'string' || !body.receipt) {
          throw new HttpError(0);
        }
        showReceipt(body.receipt);
      } catch (error) {
        // A TypeError from fetch is a network failure; the report's text is never part of what is shown.
        setStatus(error instanceof HttpError ? messageForStatus(error.status)
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

  function start() {
    messages = readMessages();
    setUpQuickExit();
    const form = document.getElementById('tip-form');
    if (form) {
      setUpForm(form);
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
