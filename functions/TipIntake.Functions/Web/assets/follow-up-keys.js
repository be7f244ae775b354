// The follow-up keys (docs/follow-up.md, "Keys: one code, split by a KDF" and "Reading the organisation's
// messages"), all in WebCrypto, which every browser has natively (Tor Browser at "Safer" too: no WebAssembly, no
// JIT needed). The code value V gives M by PBKDF2; M gives the lookup token L, which is sent, and the sealing key W,
// which never leaves this page. W seals the reporter's P-256 private key; only a right code opens it again.
import { base64Url } from './jwe.js';

const utf8 = (text) => new TextEncoder().encode(text);
const PBKDF2_SALT = utf8('tipintake/follow-up/v1');
const PBKDF2_ITERATIONS = 600_000;
const LOOKUP_INFO = utf8('tipintake/follow-up/lookup/v1');
const SEAL_INFO = utf8('tipintake/follow-up/seal/v1');
const SEALED_KEY_AAD = utf8('tipintake/follow-up/sealed-key/v1');
const MESSAGE_CONTENT_TYPE = 'application/vnd.tipintake.message.v1+json';
const IV_BYTES = 12;

export function fromBase64Url(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) {
    throw new TypeError('Not base64url.');
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * Derives { lookup, sealingKey } from the code value: `lookup` is L in base64url (what the server may see);
 * `sealingKey` is W as a non-extractable AES-GCM key. M lives only inside this function and is wiped.
 */
export async function deriveFollowUpKeys(value) {
  const subtle = crypto.subtle;
  const password = await subtle.importKey('raw', value, 'PBKDF2', false, ['deriveBits']);
  const master = new Uint8Array(await subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: PBKDF2_SALT, iterations: PBKDF2_ITERATIONS }, password, 256));
  try {
    const hkdf = await subtle.importKey('raw', master, 'HKDF', false, ['deriveBits', 'deriveKey']);
    const empty = new Uint8Array(0);
    const lookup = new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: empty, info: LOOKUP_INFO }, hkdf, 256));
    const sealingKey = await subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: empty, info: SEAL_INFO }, hkdf, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const encoded = base64Url(lookup);
    lookup.fill(0);
    return { lookup: encoded, sealingKey };
  } finally {
    master.fill(0);
  }
}

/**
 * The tip's `followUp` member (docs/follow-up.md, "Enrolment"): L, the reporter's new P-256 public key, and its
 * private key sealed under W as the canonical JWK {"crv","d","kty","x","y"}.
 */
export async function enrolFollowUp(value) {
  const subtle = crypto.subtle;
  const { lookup, sealingKey } = await deriveFollowUpKeys(value);
  const pair = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const jwk = await subtle.exportKey('jwk', pair.privateKey);
  const canonical = utf8(JSON.stringify({ crv: 'P-256', d: jwk.d, kty: 'EC', x: jwk.x, y: jwk.y }));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: SEALED_KEY_AAD }, sealingKey, canonical));
  canonical.fill(0);
  const sealedKey = new Uint8Array(IV_BYTES + sealed.length);
  sealedKey.set(iv);
  sealedKey.set(sealed, IV_BYTES);
  return { v: 1, lookup, key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, sealedKey: base64Url(sealedKey) };
}

/**
 * Opens a thread's sealed key with W: the reporter's private key (non-extractable, for ECDH), or null when W is not
 * the key it was sealed under — a wrong code, or the decoy a wrong code is given. This is where a code proves itself.
 */
export async function openSealedKey(sealedKey, sealingKey) {
  let bytes;
  try {
    bytes = fromBase64Url(sealedKey);
  } catch {
    return null;
  }
  if (bytes.length <= IV_BYTES + 16) {
    return null;
  }
  let plain;
  try {
    plain = new Uint8Array(await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: SEALED_KEY_AAD }, sealingKey, bytes.subarray(IV_BYTES)));
  } catch {
    return null;
  }
  try {
    const jwk = JSON.parse(new TextDecoder().decode(plain));
    return await crypto.subtle.importKey('jwk', { ...jwk, ext: false }, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  } finally {
    plain.fill(0);
  }
}

function uint32(number) {
  return new Uint8Array([number >>> 24, (number >>> 16) & 0xff, (number >>> 8) & 0xff, number & 0xff]);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The RFC 7638 thumbprint of a P-256 public key: the `kid` of every message to it. */
export async function thumbprintOf(publicKey) {
  const canonical = utf8(JSON.stringify({ crv: 'P-256', kty: 'EC', x: publicKey.x, y: publicKey.y }));
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', canonical)));
}

/** The content key of ECDH-ES with A256GCM (RFC 7518 §4.6.2: Concat KDF, one round of SHA-256, no apu/apv). */
async function contentKeyOf(privateKey, publicKey, usage) {
  const subtle = crypto.subtle;
  const shared = new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256));
  const otherInfo = concat(uint32(1), shared, uint32(7), utf8('A256GCM'), uint32(0), uint32(0), uint32(256));
  shared.fill(0);
  const rawKey = new Uint8Array(await subtle.digest('SHA-256', otherInfo));
  otherInfo.fill(0);
  try {
    return await subtle.importKey('raw', rawKey, 'AES-GCM', false, [usage]);
  } finally {
    rawKey.fill(0);
  }
}

/**
 * Encrypts a message document to the reporter's public key (a JWK with x and y) as a compact JWE, ECDH-ES + A256GCM
 * with a fresh ephemeral key: what the triage page sends as `toReporter` (docs/follow-up.md, "Triage").
 */
export async function encryptMessageToReporter(plaintext, reporterKey) {
  const subtle = crypto.subtle;
  const recipient = await subtle.importKey(
    'jwk', { kty: 'EC', crv: 'P-256', x: reporterKey.x, y: reporterKey.y }, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  const ephemeral = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const epk = await subtle.exportKey('jwk', ephemeral.publicKey);
  const header = {
    alg: 'ECDH-ES', enc: 'A256GCM', kid: await thumbprintOf(reporterKey), cty: MESSAGE_CONTENT_TYPE,
    epk: { kty: 'EC', crv: 'P-256', x: epk.x, y: epk.y },
  };
  const encodedHeader = base64Url(utf8(JSON.stringify(header)));
  const contentKey = await contentKeyOf(ephemeral.privateKey, recipient, 'encrypt');
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(await subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(encodedHeader), tagLength: 128 }, contentKey, plaintext));
  return [encodedHeader, '', base64Url(iv), base64Url(sealed.subarray(0, sealed.length - 16)), base64Url(sealed.subarray(sealed.length - 16))].join('.');
}

/**
 * Decrypts a message JWE (ECDH-ES, A256GCM; RFC 7518 §4.6 with no apu/apv) with the reporter's private key. Resolves
 * with the message document, or null when it is not a message this key opens.
 */
export async function decryptMessage(compactJwe, privateKey) {
  const parts = typeof compactJwe === 'string' ? compactJwe.split('.') : [];
  if (parts.length !== 5 || parts[1] !== '') {
    return null;
  }
  try {
    const header = JSON.parse(new TextDecoder().decode(fromBase64Url(parts[0])));
    if (header.alg !== 'ECDH-ES' || header.enc !== 'A256GCM' || header.cty !== MESSAGE_CONTENT_TYPE || !header.epk) {
      return null;
    }
    const subtle = crypto.subtle;
    const ephemeral = await subtle.importKey(
      'jwk', { kty: 'EC', crv: 'P-256', x: header.epk.x, y: header.epk.y }, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
    const contentKey = await contentKeyOf(privateKey, ephemeral, 'decrypt');
    const sealed = concat(fromBase64Url(parts[3]), fromBase64Url(parts[4]));
    const plain = new Uint8Array(await subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64Url(parts[2]), additionalData: utf8(parts[0]), tagLength: 128 }, contentKey, sealed));
    const message = JSON.parse(new TextDecoder().decode(plain));
    plain.fill(0);
    return message;
  } catch {
    return null;
  }
}
