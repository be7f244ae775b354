// The triage API of this origin (/api/triage/…, docs/architecture.md "Triage"): every call with the staff member's
// token, a change with the ETag of the version on screen (If-Match), and a refusal (problem+json) told in the page's
// language.

import { currentToken, signedOut } from './triage-auth.js';
import { showAlert, t } from './triage-page.js';

/** A call that failed: the HTTP status (0 when the network failed) and the problem+json body, if any. */
export class ApiError extends Error {
  constructor(status, problem) {
    super('HTTP ' + status);
    this.status = status;
    this.problem = problem;
  }
}

/** Calls the API; resolves to the JSON answer and its ETag, or rejects with an ApiError. */
export async function api(method, path, body, etag) {
  const token = await currentToken();
  if (!token) {
    signedOut(t('error.unauthorized'));
    throw new ApiError(401, null);
  }
  const headers = { Authorization: 'Bearer ' + token, Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (etag) {
    headers['If-Match'] = etag;
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null);
  }
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, json);
  }
  return { json: json || {}, etag: response.headers.get('ETag') };
}

/** A download cut off after its answer began: the server aborts rather than end a file that failed its checks. */
export class DownloadCutOff extends Error {}

/**
 * Fetches a tip's file with the token; resolves to its bytes and the Content-Disposition header, or rejects with an
 * ApiError (a refusal, or 0 when the network failed) or DownloadCutOff (fewer bytes arrived than were announced).
 */
export async function fetchFile(path) {
  const token = await currentToken();
  if (!token) {
    signedOut(t('error.unauthorized'));
    throw new ApiError(401, null);
  }
  let response;
  try {
    response = await fetch(path, { headers: { Authorization: 'Bearer ' + token }, credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError(0, null);
  }
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = null;
    }
    throw new ApiError(response.status, problem);
  }
  try {
    return { bytes: await response.arrayBuffer(), disposition: response.headers.get('Content-Disposition') || '' };
  } catch {
    throw new DownloadCutOff('cut off');
  }
}

/** The path of a tip, or of something under it (…/events, …/status), with every segment encoded. */
export function tipPath(id, ...rest) {
  return ['/api/triage/tips', id, ...rest].map((segment, index) => (index === 0 ? segment : encodeURIComponent(segment))).join('/');
}

/**
 * Shows what went wrong with a call. 401 ends the session; a stale version (412) is the open tip's to explain
 * (triage-detail.js), since only a change sends If-Match.
 */
export function handleError(error) {
  const status = error instanceof ApiError ? error.status : -1;
  if (status === 401) {
    signedOut(t('error.unauthorized'));
  } else {
    showAlert(t(REFUSALS.get(status) || 'error.failed'));
  }
}

// What each refusal tells staff (0: the network failed); any other, that something went wrong.
const REFUSALS = new Map([
  [403, 'error.forbidden'],
  [404, 'error.notFound'],
  [409, 'error.invalidTransition'],
  [0, 'error.network'],
]);

/** Reads <path>; resolves to the answer and its ETag, or to null once what went wrong is shown. */
export async function read(path) {
  try {
    return await api('GET', path);
  } catch (error) {
    handleError(error);
    return null;
  }
}

// One change at a time, a tip's, a link's or a bulk dismissal, in the order they were asked for: a click while one is on
// its way waits its turn (each change is sent with the version the one before it left on screen), never dropped.
let turn = Promise.resolve();
let waiting = 0;
const listeners = new Set();

/** Whether a change is on its way or waiting for its turn. */
export function isChanging() {
  return waiting > 0;
}

/** Calls <listener>(changing) whenever changes start or all of them are done. */
export function onChanging(listener) {
  listeners.add(listener);
}

function setWaiting(count) {
  const was = waiting > 0;
  waiting = count;
  if (was !== waiting > 0) {
    for (const listener of listeners) {
      listener(waiting > 0);
    }
  }
}

/** Runs <change> once every change asked for before it is done; resolves to what it resolved to. */
export function oneChangeAtATime(change) {
  setWaiting(waiting + 1);
  const run = turn.then(change);
  turn = run.then(
    () => setWaiting(waiting - 1),
    () => setWaiting(waiting - 1),
  );
  return run;
}
