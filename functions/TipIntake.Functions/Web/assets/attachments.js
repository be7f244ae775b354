// The reporter form's files (docs/attachments.md, "Scrubbing images in the browser", "The form's flow"): each file
// added is checked against the server's limits, cleaned when it is a photo (scrub.js; the reporter sees what was
// removed and kept, may keep the original exactly, or re-encode a photo the scrubber refuses), encrypted
// (attachment-crypto.js) and uploaded at once (uploads.js), with a progress bar and a "paused — retrying" state. The
// reporter's file name never leaves this page: files are named photo-1.jpg, document-2.pdf. The limits, chunk sizes
// and types come from the page's #facts block; the texts are the page language's.
import { layoutOf, manifestEntry, newUploadId, sealFile } from './attachment-crypto.js';
import { fetchIntakeKey } from './jwe.js';
import { scrubImage } from './scrub.js';
import { browserStampWorkers, sendStamped } from './stamp.js';
import { MAX_BACKOFF_MS, SLOW_BYTES_PER_SECOND, UploadRefused, delay, uploadSealed } from './uploads.js';

const MEBIBYTE = 2 ** 20;
const RESTART_MS = MAX_BACKOFF_MS / 4;
const SCRUBBED_FORMATS = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** The word a file's neutral name starts with. */
function kindOf(type) {
  if (type.startsWith('image/')) {
    return 'photo';
  }
  if (type.startsWith('audio/')) {
    return 'audio';
  }
  return type === 'application/pdf' ? 'document' : 'text';
}

function sizeText(bytes) {
  const mebibytes = bytes / MEBIBYTE;
  return (mebibytes >= 10 || Number.isInteger(mebibytes) ? String(Math.round(mebibytes)) : mebibytes.toFixed(1)) + ' MB';
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text) {
    node.textContent = text;
  }
  return node;
}

function button(text, onClick) {
  const node = element('button', 'secondary', text);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

/** The format scrub.js would read, from the first bytes (never the browser's guess from the file name). */
function sniffedImage(bytes) {
  const starts = (...values) => values.every((value, i) => bytes[i] === value);
  if (starts(0xFF, 0xD8, 0xFF)) {
    return 'jpeg';
  }
  if (starts(0x89, 0x50, 0x4E, 0x47)) {
    return 'png';
  }
  return starts(0x52, 0x49, 0x46, 0x46) && bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50 ? 'webp' : null;
}

/** Re-encodes a picture as JPEG through a canvas: no metadata survives it, the orientation is applied. */
async function reencode(bytes, type) {
  const bitmap = await createImageBitmap(new Blob([bytes], { type }));
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.95));
  if (!blob) {
    throw new Error('not encoded');
  }
  return new Uint8Array(await blob.arrayBuffer());
}

/**
 * Sets up the file input in `section` (the #attachments block of the form page). Returns what the form needs when
 * it sends: unfinished() (files not uploaded yet), settled() (a promise for when none is uploading), entries() (the
 * tip's `attachments` member), dropUnfinished(), and clear().
 */
export function setUpAttachments(section, facts, t) {
  const limits = facts.attachments;
  const input = section.querySelector('#attachment-input');
  const list = section.querySelector('#attachment-list');
  const error = section.querySelector('#error-attachments');
  const live = section.querySelector('#attachment-live');
  const limitsText = section.querySelector('#attachment-limits');
  const items = [];
  const waiters = [];
  let slow = false;
  let intakeKey = null;
  let nextId = 1;

  input.accept = Object.keys(limits.types).join(',');
  limitsText.textContent = t('attachments.limits').replace('{count}', String(limits.maxFiles))
    .replace('{fileSize}', sizeText(limits.maxFileBytes)).replace('{totalSize}', sizeText(limits.maxBytes));
  section.hidden = false;

  const codes = (list, prefix) => list.map((code) => t(prefix + code)).join(', ');
  const announce = (text) => {
    live.textContent = text;
  };
  const chunkBytesNow = () => (slow ? limits.smallChunkBytes : limits.largeChunkBytes);
  const paddedOf = (size, chunkBytes) => {
    const layout = layoutOf(size, chunkBytes, limits);
    return layout ? layout.chunks * layout.plaintextBytes : Infinity;
  };
  const included = () => items.filter((item) => !item.removed);
  const unfinished = () => included().filter((item) => item.state !== 'done' && item.state !== 'refused');

  const notify = () => {
    if (unfinished().length === 0) {
      for (const resolve of waiters.splice(0)) {
        resolve();
      }
    }
  };

  // Names by position among the files kept: photo-1.jpg, document-2.pdf.
  const renumber = () => {
    included().forEach((item, i) => {
      item.name = kindOf(item.type) + '-' + (i + 1) + '.' + limits.types[item.type];
      item.view.name.textContent = item.name;
      item.view.progress.setAttribute('aria-label', t('attachments.progressLabel').replace('{name}', item.name));
    });
  };

  const setState = (item, state, percent) => {
    item.state = state;
    const view = item.view;
    if (typeof percent === 'number') {
      view.progress.value = percent;
    }
    view.progress.hidden = state === 'choice' || state === 'refused';
    const text = state === 'uploading' ? t('attachments.state.uploading').replace('{percent}', String(Math.round(view.progress.value)))
      : t('attachments.state.' + state);
    view.state.textContent = text;
    view.item.dataset.state = state;
    if (state !== 'uploading') {
      announce(item.name + ': ' + text);
    }
    notify();
  };

  const stopUpload = (item) => {
    if (item.controller) {
      item.controller.abort(new DOMException('left out', 'AbortError'));
      item.controller = null;
    }
    item.entry = null;
  };

  // Seals the file's bytes as they are now chosen and uploads them; a new choice starts a new upload.
  const startUpload = async (item) => {
    stopUpload(item);
    const controller = new AbortController();
    item.controller = controller;
    setState(item, 'preparing', 0);
    try {
      intakeKey = intakeKey || await fetchIntakeKey();
      const sealed = await sealFile(item.sendBytes, { uploadId: newUploadId(), chunkBytes: chunkBytesNow(), layout: limits, jwk: intakeKey });
      const digest = await uploadSealed(sealed, {
        send: ({ method, path, body, contentType, headers }) => sendStamped({
          fetch: window.fetch.bind(window), method, path, body, contentType, headers, ...browserStampWorkers(), signal: controller.signal,
        }),
        fetch: window.fetch.bind(window),
        signal: controller.signal,
        onProgress: (done, total) => setState(item, item.state === 'paused' ? 'paused' : 'uploading', (100 * done) / total),
        onPaused: (paused) => setState(item, paused ? 'paused' : 'uploading'),
        onRate: (rate) => {
          slow = rate < SLOW_BYTES_PER_SECOND;
        },
      });
      if (item.controller === controller) {
        item.entry = manifestEntry(sealed, digest, { type: item.type, name: item.name, handling: item.handling, removed: item.removedCodes });
        setState(item, 'done', 100);
      }
    } catch (failure) {
      if (item.controller === controller && !controller.signal.aborted) {
        setState(item, failure instanceof UploadRefused ? 'refused' : 'paused');
        if (!(failure instanceof UploadRefused)) {
          // Anything else (the intake key not reachable, say) is tried again like a dropped chunk.
          delay(RESTART_MS).then(() => {
            if (!item.removed && item.controller === controller) {
              startUpload(item);
            }
          });
        }
      }
    }
  };

  const choose = (item, handling, bytes, removedCodes, noteKey) => {
    item.handling = handling;
    item.sendBytes = bytes;
    item.removedCodes = removedCodes;
    if (noteKey) {
      item.view.choiceNote.textContent = t(noteKey);
      item.view.choiceNote.hidden = false;
    }
    item.view.choices.replaceChildren();
    startUpload(item);
  };

  const remove = (item) => {
    stopUpload(item);
    item.removed = true;
    item.view.item.remove();
    if (item.original) {
      item.original.fill(0);
    }
    announce(t('attachments.removedFile').replace('{name}', item.name));
    renumber();
    notify();
  };

  const view = (item) => {
    const node = element('li', 'attachment');
    const heading = element('p', 'attachment-name');
    const name = element('strong', '', '');
    heading.append(name, ' ', element('span', 'tag', sizeText(item.original.length)));
    const note = element('p', 'help');
    const warning = element('p', 'warning');
    warning.hidden = true;
    const choiceNote = element('p', 'warning');
    choiceNote.hidden = true;
    const choices = element('div', 'attachment-choices');
    const status = element('div', 'attachment-status');
    const progress = element('progress');
    progress.max = 100;
    progress.value = 0;
    const state = element('span', 'attachment-state');
    status.append(progress, ' ', state);
    const actions = element('div', 'attachment-actions');
    actions.append(button(t('attachments.remove'), () => remove(item)));
    node.append(heading, note, warning, choices, choiceNote, status, actions);
    return { item: node, name, note, warning, choices, choiceNote, progress, state };
  };

  // A photo the scrubber cleaned: the note says what was removed and kept; "keep the original exactly" sends the
  // original bytes, and the warning says what they reveal (what the scrubber found, on a copy).
  const offerScrubbed = (item, result) => {
    const { note, warning, choices } = item.view;
    note.textContent = result.removed.length > 0
      ? t('attachments.removed').replace('{codes}', codes(result.removed, 'attachments.code.'))
      : t('attachments.nothingRemoved');
    if (result.kept.length > 0) {
      note.textContent += ' ' + t('attachments.kept').replace('{codes}', codes(result.kept, 'attachments.keptCode.'));
    }
    warning.textContent = result.removed.length > 0
      ? t('attachments.keepOriginalWarning').replace('{codes}', codes(result.removed, 'attachments.code.'))
      : t('attachments.keepOriginalNothing');
    const id = 'keep-original-' + item.id;
    const box = element('input');
    box.type = 'checkbox';
    box.id = id;
    const label = element('label', '', t('attachments.keepOriginal'));
    label.htmlFor = id;
    const choice = element('div', 'choice');
    choice.append(box, label);
    choices.append(choice);
    box.addEventListener('change', () => {
      warning.hidden = !box.checked;
      item.handling = box.checked ? 'original' : 'scrubbed';
      item.sendBytes = box.checked ? item.original : result.bytes;
      item.removedCodes = box.checked ? [] : result.removed;
      startUpload(item);
    });
    item.handling = 'scrubbed';
    item.sendBytes = result.bytes;
    item.removedCodes = result.removed;
    startUpload(item);
  };

  // A picture the scrubber cannot read: re-encode it, send it as it is, or leave it out — the reporter decides.
  const offerRefused = (item) => {
    item.view.note.textContent = t('attachments.refused');
    setState(item, 'choice');
    item.view.choices.append(
      button(t('attachments.reencode'), async () => {
        try {
          const bytes = await reencode(item.original, item.type);
          item.type = 'image/jpeg';
          renumber();
          choose(item, 're-encoded', bytes, [], 'attachments.reencoded');
        } catch {
          item.view.choiceNote.textContent = t('attachments.cannotDecode');
          item.view.choiceNote.hidden = false;
        }
      }),
      ' ',
      button(t('attachments.sendOriginal'), () => choose(item, 'original', item.original, [], 'attachments.sentAsItIs')));
  };

  const add = async (file) => {
    if (included().length >= limits.maxFiles) {
      return t('attachments.tooMany').replace('{count}', String(limits.maxFiles));
    }
    const original = new Uint8Array(await file.arrayBuffer());
    const format = sniffedImage(original);
    const type = format ? SCRUBBED_FORMATS[format] : file.type;
    if (!Object.hasOwn(limits.types, type)) {
      original.fill(0);
      return t('attachments.typeNotAllowed');
    }
    const padded = paddedOf(original.length, chunkBytesNow());
    if (padded > limits.maxFileBytes) {
      original.fill(0);
      return t('attachments.tooLarge').replace('{fileSize}', sizeText(limits.maxFileBytes));
    }
    const total = included().reduce((sum, item) => sum + paddedOf(item.original.length, chunkBytesNow()), padded);
    if (total > limits.maxBytes) {
      original.fill(0);
      return t('attachments.tooLargeTotal').replace('{totalSize}', sizeText(limits.maxBytes));
    }
    const item = { id: nextId++, type, original, removed: false, state: 'preparing', handling: 'unchecked', removedCodes: [], entry: null };
    item.view = view(item);
    items.push(item);
    list.append(item.view.item);
    renumber();
    if (type.startsWith('image/')) {
      const result = format ? scrubImage(original) : { ok: false };
      if (result.ok) {
        offerScrubbed(item, result);
      } else {
        offerRefused(item);
      }
    } else {
      item.view.note.textContent = t(type === 'application/pdf' ? 'attachments.unchecked.pdf'
        : type.startsWith('audio/') ? 'attachments.unchecked.audio' : 'attachments.unchecked.text');
      item.sendBytes = original;
      startUpload(item);
    }
    return '';
  };

  input.addEventListener('change', async () => {
    const files = Array.from(input.files || []);
    input.value = '';
    const problems = [];
    for (const file of files) {
      const problem = await add(file);
      if (problem && !problems.includes(problem)) {
        problems.push(problem);
      }
    }
    error.textContent = problems.join(' ');
  });

  return {
    unfinished: () => unfinished().length,
    /** Resolves when every file kept is uploaded or refused (one waiting for the reporter's choice is unfinished). */
    settled: () => new Promise((resolve) => {
      waiters.push(resolve);
      notify();
    }),
    entries: () => included().filter((item) => item.state === 'done' && item.entry).map((item) => ({ ...item.entry, name: item.name })),
    dropUnfinished: () => {
      for (const item of unfinished()) {
        remove(item);
      }
    },
    clear: () => {
      for (const item of items) {
        stopUpload(item);
        if (item.original) {
          item.original.fill(0);
        }
      }
      items.length = 0;
    },
  };
}
