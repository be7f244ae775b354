// Reads and checks the reporter form as the server will (TipIntake.Core.Tips.TipReader), with the bounds and values
// of the page's #facts block, so that a reporter hears about a mistake before anything is encrypted or sent.

// C0 and C1 controls, as .NET's char.IsControl; the multi-line variant lets tab and line breaks through.
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F]/;
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const COUNTRY_PATTERN = /^[A-Z]{2}$/;

/** The form's values, trimmed, by schema field name. */
export function readForm(form) {
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

/** The latest observation date the server allows: one day past its UTC date, since a reporter's day may have begun. */
export function latestAllowedDate() {
  return new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

function codePointLength(value) {
  let count = 0;
  for (const _ of value) {
    count++;
  }
  return count;
}

function textProblem(value, max, { multiline, bidiControls }) {
  if ((multiline ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).test(value) || LONE_SURROGATE.test(value)
    || (bidiControls && [...value].some((c) => bidiControls.includes(c)))) {
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

/** Returns a list of [field, code] pairs, in the order the fields appear on the page. */
export function validate(data, facts) {
  const max = facts.maxCharacters;
  // Bidirectional controls are refused in the short fields, where they can only deceive; a narrative may keep them.
  const shortField = { multiline: false, bidiControls: facts.bidiControls };
  const errors = [];
  if (!data.category) {
    errors.push(['category', 'required']);
  } else if (!facts.categories.includes(data.category)) {
    errors.push(['category', 'not-allowed']);
  }

  if (!data.narrative) {
    errors.push(['narrative', 'required']);
  } else {
    const problem = textProblem(data.narrative, max.narrative, { multiline: true });
    if (problem) {
      errors.push(['narrative', problem]);
    }
  }

  if (data.country && !COUNTRY_PATTERN.test(data.country)) {
    errors.push(['country', 'not-iso-3166']);
  } else if (!data.country && (data.region || data.place)) {
    errors.push(['country', 'required']);
  }

  for (const field of ['region', 'place']) {
    const problem = data[field] ? textProblem(data[field], max[field], shortField) : null;
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
      if (count < 0 || count > facts.peopleCountMax) {
        errors.push(['peopleCount', 'out-of-range']);
      }
    }
  }

  if (!data.urgency) {
    errors.push(['urgency', 'required']);
  } else if (!facts.urgencies.includes(data.urgency)) {
    errors.push(['urgency', 'not-allowed']);
  }

  // The page offers these languages only; anything else did not come from it.
  if (data.language && !facts.narrativeLanguages.includes(data.language)) {
    errors.push(['language', 'not-bcp47']);
  }

  if (data.contact) {
    const problem = textProblem(data.contact, max.contact, { multiline: true, bidiControls: facts.bidiControls });
    if (problem) {
      errors.push(['contact', problem]);
    }
  }
  return errors;
}
