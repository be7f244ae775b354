// What every part of the triage page shares: its elements, the three JSON blocks the server renders into it
// (#triage-settings, #triage-facts, #triage-messages), its texts, and the two places it speaks from (the polite
// announcer and the alert). Every text from the server goes into the page with textContent, never as markup.

export const $ = (id) => document.getElementById(id);

function readJson(id) {
  const block = $(id);
  try {
    const parsed = JSON.parse((block && block.textContent) || '{}');
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

function readList(value) {
  return Array.isArray(value) ? value.filter((entry) => typeof entry === 'string') : [];
}

/** How this page signs in: authMode, clientId, scope, authority (public identifiers, never a secret). */
export const settings = readJson('triage-settings');

const serverFacts = readJson('triage-facts');

/**
 * What the server knows and the page must not copy (docs/triage.md, "The page"): the statuses in workflow order,
 * the categories, the urgencies most urgent first, the editor app role and the list page size. Where a tip may move
 * next is not here: each tip brings its own nextStatuses.
 */
export const facts = Object.freeze({
  statuses: readList(serverFacts.statuses),
  categories: readList(serverFacts.categories),
  urgencies: readList(serverFacts.urgencies),
  editorRole: typeof serverFacts.editorRole === 'string' ? serverFacts.editorRole : '',
  pageSize: Number.isInteger(serverFacts.pageSize) && serverFacts.pageSize > 0 ? serverFacts.pageSize : undefined,
  followUpMessages: serverFacts.followUpMessages && typeof serverFacts.followUpMessages === 'object' ? serverFacts.followUpMessages : null,
});

const messages = readJson('triage-messages');

const lang = document.documentElement.lang || 'en';

/** The page's text for a key, in the page's language; empty when there is none. */
export function t(key) {
  const text = messages[key];
  return typeof text === 'string' ? text : '';
}

/** A translated name for a code (status, urgency, category, action), or the code itself. */
export function named(prefix, code) {
  if (code === null || code === undefined || code === '') {
    return t('detail.none');
  }
  return t(prefix + '.' + code) || String(code);
}

/**
 * A list item of a note or a thread message: a line of who and when, then the text, isolated (it may be untrusted, and
 * in any script, as the narrative).
 */
export function noteItem(metaText, bodyText) {
  const item = document.createElement('li');
  const meta = document.createElement('p');
  meta.className = 'note-meta';
  meta.textContent = metaText;
  const text = document.createElement('p');
  text.className = 'note-text';
  text.dir = 'auto';
  text.textContent = bodyText;
  item.append(meta, text);
  return item;
}

/** Adds an option per code to a select, named in the page's language (e.g. the statuses of the status filter). */
export function appendOptions(select, prefix, codes) {
  for (const code of codes) {
    const option = document.createElement('option');
    option.value = code;
    option.textContent = named(prefix, code);
    select.append(option);
  }
}

export function formatTime(value) {
  if (!value) {
    return t('detail.none');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return String(value);
  }
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  } catch {
    return date.toISOString();
  }
}

/** The effort a tip's stamp paid, as the band the API gives (four bits wide); none for the no-script path. */
export function effortOf(band) {
  if (!Number.isInteger(band) || band < 0) {
    return t('tips.noScript');
  }
  return t('tips.effort').replace('{from}', String(band * 4)).replace('{to}', String(band * 4 + 3));
}

/**
 * A tip's one-line summary: category, then country and region where given — never a separator with nothing after
 * it. The region is the reporter's text: isolated (<bdi>) so that no bidirectional control in it can reorder the line.
 */
export function summaryNodes(tip) {
  const where = [tip.country, tip.region].filter(Boolean).join(', ');
  const category = document.createTextNode(named('category', tip.category) + (where ? ' · ' : ''));
  if (!where) {
    return [category];
  }
  const place = document.createElement('bdi');
  place.textContent = where;
  return [category, place];
}

/** Says something to screen readers without moving focus. */
export function announce(text) {
  const region = $('announce');
  region.textContent = '';
  // A new text node after clearing makes screen readers announce the same message twice in a row.
  window.requestAnimationFrame(() => {
    region.textContent = text;
  });
}

/** Shows what went wrong, and moves focus there; an empty text hides the alert. */
export function showAlert(text) {
  const alert = $('alert');
  alert.textContent = text;
  alert.hidden = !text;
  if (text) {
    alert.focus();
  }
}

export function clearAlert() {
  showAlert('');
}
