// A tip's files (docs/attachments.md, "Download (triage)"): what each is — number, type, size, handling, what
// cleaning removed, the SHA-256 the reporter's browser computed, its state — and a download that checks, in this
// browser, that what arrived is what the reporter sent before saving it. A file is never shown here: no image,
// audio or document viewer, only a save through an object URL.

import { ApiError, DownloadCutOff, fetchFile, handleError, tipPath } from './triage-api.js';
import { $, announce, named, t } from './triage-page.js';

const HEX = /^[0-9a-f]{64}$/;
const FILE_NAME = /filename="(tip-[0-9a-f]{8}-[0-9]{1,2}\.[a-z0-9]{1,5})"/;

// What each refusal of a download tells staff; any other is the page's general message.
const REFUSALS = new Map([
  [404, 'files.notFound'],
  [409, 'files.notAttached'],
  [410, 'files.keyUnavailable'],
  [500, 'files.damaged'],
  [503, 'files.unavailable'],
]);

/** The SHA-256 in groups of four hex digits, as staff compare it by eye. */
function grouped(hex) {
  return hex.match(/.{1,4}/g).join(' ');
}

function bytesText(size) {
  return t('files.bytes').replace('{count}', new Intl.NumberFormat(document.documentElement.lang || 'en').format(size));
}

function line(className, text) {
  const paragraph = document.createElement('p');
  paragraph.className = className;
  paragraph.textContent = text;
  return paragraph;
}

/** Shows the files of <tip> (its attachments as the API lists them). */
export function showFiles(tip) {
  const list = $('file-list');
  list.replaceChildren();
  for (const file of Array.isArray(tip.attachments) ? tip.attachments : []) {
    if (!Number.isInteger(file.number) || typeof file.sha256 !== 'string' || !HEX.test(file.sha256)) {
      continue;
    }
    const item = document.createElement('li');
    item.className = 'file';
    item.dataset.number = String(file.number);
    const title = line('file-title', [
      t('files.number').replace('{n}', String(file.number)),
      String(file.type || ''),
      bytesText(Number(file.size) || 0),
      named('fileState', file.state),
    ].join(' · '));
    const removed = Array.isArray(file.removed) && file.removed.length > 0
      ? file.removed.map((code) => named('removed', String(code))).join(', ')
      : t('detail.none');
    const handling = line('note-meta', t('files.handling') + ': ' + named('handling', file.handling) + ' · ' + t('files.removed') + ': ' + removed);
    const digest = document.createElement('p');
    digest.className = 'note-meta';
    const code = document.createElement('code');
    code.className = 'file-sha256';
    code.translate = false;
    code.textContent = grouped(file.sha256);
    digest.append(t('files.sha256') + ': ', code);
    const status = line('file-status', '');
    status.setAttribute('role', 'status');
    item.append(title, handling, digest);
    if (file.state === 'attached') {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary file-download';
      button.textContent = t('files.download');
      button.addEventListener('click', () => download(tip.id, file, button, status));
      item.append(button);
    }
    item.append(status);
    list.append(item);
  }
  $('files-empty').hidden = list.childElementCount > 0;
}

async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

// Saves <bytes> under <name> without ever opening them in the page: an object URL behind a download link.
function save(bytes, name) {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked once the browser has taken the download over (revoking at once can cancel it in some browsers).
  window.setTimeout(() => URL.revokeObjectURL(url), 30000);
}

async function download(tipId, file, button, status) {
  button.disabled = true;
  status.textContent = t('files.downloading');
  try {
    const { bytes, disposition } = await fetchFile(tipPath(String(tipId), 'attachments', String(file.number)));
    const arrived = await sha256Hex(bytes);
    if (bytes.byteLength !== file.size || arrived !== file.sha256) {
      status.textContent = t('files.mismatch') + ' ' + grouped(arrived);
      return;
    }
    const match = FILE_NAME.exec(disposition);
    const name = match ? match[1] : 'tip-file-' + String(file.number);
    save(bytes, name);
    status.textContent = t('files.verified').replace('{name}', name);
    announce(status.textContent);
  } catch (error) {
    if (error instanceof DownloadCutOff) {
      status.textContent = t('files.cutOff');
    } else if (error instanceof ApiError && REFUSALS.has(error.status)) {
      status.textContent = t(REFUSALS.get(error.status));
    } else {
      status.textContent = '';
      handleError(error);
    }
  } finally {
    button.disabled = false;
  }
}
