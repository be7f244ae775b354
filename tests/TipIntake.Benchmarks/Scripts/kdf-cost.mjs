// node tests/TipIntake.Benchmarks/Scripts/kdf-cost.mjs [--runs 5]   (docs/benchmarks.md, "Follow-up key derivation")
// PBKDF2 through WebCrypto and scrypt in plain JavaScript (kdf-cost-lib.mjs), then Node's native scrypt (OpenSSL) for
// the cost an attacker's native code pays for the same scrypt. Run it also with `node --jitless` to see what the plain
// JavaScript KDF costs where the JIT is off (Tor Browser's "Safer" level); PBKDF2 is native code and does not care.
import { scrypt as nativeScrypt, pbkdf2 as nativePbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { measure, median, scryptJs } from './kdf-cost-lib.mjs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const scryptNative = promisify(nativeScrypt);

// The plain-JavaScript scrypt must compute real scrypt, or its timings mean nothing: RFC 7914's second test vector.
const vector = await scryptJs('password', 'NaCl', 1024, 8);
const expected = Buffer.from(await scryptNative('password', 'NaCl', 32, { N: 1024, r: 8, p: 1 }));
if (Buffer.compare(Buffer.from(vector), expected) !== 0) {
  throw new Error('the plain-JavaScript scrypt does not match Node\'s');
}

const jitless = process.execArgv.includes('--jitless');
console.log(`node ${process.version}${jitless ? ' --jitless' : ''}, ${runs} runs, median ms`);
const rows = await measure({ runs });
for (const [logN, r] of [[12, 8], [14, 8], [15, 8], [17, 8]]) {
  const ms = await median(3, () => scryptNative('ABCDE-FGHJK-MNPQR-STVWX', 'tipintake/follow-up/v1', 32, { N: 2 ** logN, r, p: 1, maxmem: 256 * 2 ** 20 }));
  rows.push({ kdf: 'scrypt (native, OpenSSL)', parameters: `N=2^${logN}, r=${r}, ${(128 * r * 2 ** logN) / 2 ** 20} MiB`, ms: Math.round(ms) });
}
const ms = await median(runs, () => promisify(nativePbkdf2)('ABCDE-FGHJK-MNPQR-STVWX', 'tipintake/follow-up/v1', 600_000, 32, 'sha256'));
rows.push({ kdf: 'PBKDF2-SHA-256 (native, OpenSSL)', parameters: '600000 iterations', ms: Math.round(ms) });
console.table(rows);
