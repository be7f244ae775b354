// What the server tells the reporter form's scripts, once, in the page's #facts data block (Web/ReporterFacts.cs):
// the schema's fields, bounds and values, the padding and JWE rules, and the page language's messages. The scripts
// keep no copy of any of it.

/** The parsed block, or null when the page has none (the receipt page) or it cannot be read. */
export function readFacts() {
  const block = document.getElementById('facts');
  if (!block) {
    return null;
  }
  try {
    const parsed = JSON.parse(block.textContent || '');
    return parsed && typeof parsed === 'object' && parsed.messages && typeof parsed.messages === 'object' ? parsed : null;
  } catch {
    return null;
  }
}

/** The page language's text for `key` ("status.sending"); the generic failure text for an unknown key. */
export function messageOf(facts, key) {
  const text = facts.messages[key];
  return typeof text === 'string' ? text : (facts.messages['status.failed'] || '');
}

/** A field's error message: error.{field}.{code}, else error.{code}, else error.invalid (as the server's page does). */
export function errorMessageOf(facts, field, code) {
  for (const key of ['error.' + field + '.' + code, 'error.' + code, 'error.invalid']) {
    if (typeof facts.messages[key] === 'string') {
      return facts.messages[key];
    }
  }
  return '';
}
