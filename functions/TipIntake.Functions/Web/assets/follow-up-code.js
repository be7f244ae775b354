// The follow-up code (docs/follow-up.md, "The follow-up code"): 90 random bits, written either as 4 groups of 5
// Crockford base32 symbols or as 8 groups of 4 digits, each with a check made of a SHA-256 of the value. The check
// lets the page name a typing mistake before any request, and says nothing about the server. No storage, no logging.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const VALUE_BYTES = 12;
const VALUE_BITS = 90n;
const LETTER_SYMBOLS = 18;
const DIGITS = 28;
const CHECK_LABEL = new TextEncoder().encode('tipintake/receipt-check/v1');
// What people type between groups, or by mistake: white space, every dash, full stops, middle dots (as the server).
const SEPARATORS = /[\s\p{Pd}.\u00b7\u2027\u2212\u30fb\uff65]/gu;

/** A fresh code value: 12 bytes, the top 6 bits zero. */
export function newCodeValue() {
  const value = crypto.getRandomValues(new Uint8Array(VALUE_BYTES));
  value[0] &= 0x03;
  return value;
}

function toBigInt(bytes) {
  let number = 0n;
  for (const byte of bytes) {
    number = (number << 8n) | BigInt(byte);
  }
  return number;
}

function toBytes(number) {
  const bytes = new Uint8Array(VALUE_BYTES);
  for (let i = VALUE_BYTES - 1; i >= 0; i--) {
    bytes[i] = Number(number & 0xffn);
    number >>= 8n;
  }
  return bytes;
}

async function checkOf(value) {
  const input = new Uint8Array(CHECK_LABEL.length + value.length);
  input.set(CHECK_LABEL);
  input.set(value, CHECK_LABEL.length);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  input.fill(0);
  return (digest[0] << 8) | digest[1];
}

function groups(text, size, separator) {
  const parts = [];
  for (let i = 0; i < text.length; i += size) {
    parts.push(text.slice(i, i + size));
  }
  return parts.join(separator);
}

/** Letters and digits: 18 symbols of the value, then 2 of the check's first 10 bits; 4 groups of 5. */
export async function formatLetters(value) {
  let number = toBigInt(value);
  let symbols = '';
  for (let i = 0; i < LETTER_SYMBOLS; i++) {
    symbols = ALPHABET[Number(number & 31n)] + symbols;
    number >>= 5n;
  }
  const check = (await checkOf(value)) >> 6;
  return groups(symbols + ALPHABET[check >> 5] + ALPHABET[check & 31], 5, '-');
}

/** Digits only: the value in 28 decimal digits, then the check's first two bytes mod 10,000; 8 groups of 4. */
export async function formatDigits(value) {
  const digits = toBigInt(value).toString().padStart(DIGITS, '0');
  const check = String((await checkOf(value)) % 10000).padStart(4, '0');
  return groups(digits + check, 4, ' ');
}

/** What the reporter typed, in one form: NFKC (full-width input), upper case, no separators, O→0, I and L→1. */
export function normalise(text) {
  return String(text).normalize('NFKC').toUpperCase().replace(SEPARATORS, '')
    .replace(/O/g, '0').replace(/[IL]/g, '1');
}

/**
 * Reads a typed code. Resolves with { kind: 'ok', value } (12 bytes), or { kind } of 'empty', 'length' (neither 20
 * symbols of the alphabet nor 32 digits) or 'typo' (the check does not match).
 */
export async function parseCode(text) {
  const code = normalise(text);
  if (code.length === 0) {
    return { kind: 'empty' };
  }
  if (/^[0-9]{32}$/.test(code)) {
    const number = BigInt(code.slice(0, DIGITS));
    if (number >> VALUE_BITS !== 0n) {
      return { kind: 'typo' };
    }
    const value = toBytes(number);
    return String((await checkOf(value)) % 10000).padStart(4, '0') === code.slice(DIGITS)
      ? { kind: 'ok', value } : { kind: 'typo' };
  }
  if (code.length !== LETTER_SYMBOLS + 2) {
    return { kind: 'length' };
  }
  if (![...code].every((symbol) => ALPHABET.includes(symbol))) {
    return { kind: 'length' };
  }
  let number = 0n;
  for (const symbol of code.slice(0, LETTER_SYMBOLS)) {
    const index = ALPHABET.indexOf(symbol);
    number = (number << 5n) | BigInt(index);
  }
  const value = toBytes(number);
  const check = (await checkOf(value)) >> 6;
  return code.slice(LETTER_SYMBOLS) === ALPHABET[check >> 5] + ALPHABET[check & 31]
    ? { kind: 'ok', value } : { kind: 'typo' };
}
