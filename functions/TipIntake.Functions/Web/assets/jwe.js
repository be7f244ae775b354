// The tip as schema v1 JSON, padded to a size bucket, and encrypted in the browser to a JWE (compact serialisation,
// RFC 7516; RSA-OAEP-256 + A256GCM) under the intake key — docs/architecture.md, contracts 2 and 4. The buckets and
// the content type come from the page's #facts block. No libraries, no storage, no logging.

/** Raised for an answer of the server that is not the one hoped for; status 0 when the answer was unreadable. */
export class HttpError extends Error {
  constructor(status) {
    super('HTTP ' + status);
    this.status = status;
  }
}

/** The tip document of the form's values (readForm), empty fields left out. */
export function buildTip(data) {
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
 * Serialises the tip and pads it with spaces to the smallest of `buckets` (UTF-8 bytes) that fits, so that the
 * length of a report reveals little. Returns null when the tip is larger than the largest bucket. A tip within 13
 * bytes of the largest bucket has no room for the padding member and goes unpadded.
 */
export function padTip(tip, buckets) {
  const bare = utf8(JSON.stringify(tip));
  if (bare.length > buckets[buckets.length - 1]) {
    return null;
  }
  // Adding the member costs `,"padding":""` (13 bytes) plus one byte per space.
  const overhead = utf8(JSON.stringify(Object.assign({}, tip, { padding: '' }))).length;
  const bucket = buckets.find((size) => size >= overhead);
  if (bucket === undefined) {
    return bare;
  }
  const padded = utf8(JSON.stringify(Object.assign({}, tip, { padding: ' '.repeat(bucket - overhead) })));
  bare.fill(0);
  return padded;
}

export function base64Url(bytes) {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A submission id: 16 random bytes, base64url (docs/security.md, "Resending"). */
export function newSubmissionId() {
  return base64Url(crypto.getRandomValues(new Uint8Array(16)));
}

export async function digestOf(bytes) {
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

// Refusals of the JWE itself (too large, not accepted: an outdated key, say): the same JWE would be refused again,
// so it is made anew on the next attempt. After any other answer (a stamp problem, 408, 429, 503, none at all) an
// earlier attempt may still have been kept, so the same JWE goes again.
const JWE_REFUSED = [413, 415, 422];

/**
 * Sends padded plaintexts under one submission id so that resending never makes a second tip or answer
 * (docs/security.md, "Resending"): while the last attempt's outcome is unknown, the same plaintext goes again as
 * exactly the same JWE, which the server recognises; a changed plaintext, or one whose JWE was refused, is encrypted
 * anew. `post(jwe)` makes one attempt and returns its response. `send(plaintext, facts)` encrypts to
 * `facts.contentType`, zeroes the plaintext, and returns the 202 response; a JWE over `facts.maxJweLength` or any other
 * answer throws an HttpError.
 */
export function resendingSender(post) {
  // The last attempt whose outcome is unknown: its plaintext's digest and its JWE.
  let unconfirmed = null;
  return {
    async send(plaintext, facts) {
      const digest = await digestOf(plaintext);
      const jwe = unconfirmed && unconfirmed.digest === digest
        ? unconfirmed.jwe
        : await encryptToCompactJwe(plaintext, await fetchIntakeKey(), facts.contentType);
      plaintext.fill(0);
      if (jwe.length > facts.maxJweLength) {
        throw new HttpError(413);
      }
      unconfirmed = { digest, jwe };
      const response = await post(jwe);
      if (response.status !== 202) {
        if (JWE_REFUSED.includes(response.status)) {
          unconfirmed = null;
        }
        throw new HttpError(response.status);
      }
      unconfirmed = null;
      return response;
    },
    /** Forgets the last attempt: what is sent next is encrypted anew. */
    forget() {
      unconfirmed = null;
    },
  };
}

/** The current intake key, a public RSA JWK, from this origin. */
export async function fetchIntakeKey() {
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

/** Encrypts `plaintext` (bytes) under `jwk`, with `contentType` as the protected header's cty. */
export async function encryptToCompactJwe(plaintext, jwk, contentType) {
  const subtle = window.crypto.subtle;
  const publicKey = await subtle.importKey(
    'jwk',
    { kty: jwk.kty, n: jwk.n, e: jwk.e, alg: 'RSA-OAEP-256', ext: true },
    { name: 'RSA-OAEP', hash: 'SHA-256' },
    false,
    ['encrypt']);
  const contentKey = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt']);
  const rawContentKey = new Uint8Array(await subtle.exportKey('raw', contentKey));
  const header = { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: jwk.kid, cty: contentType };
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
