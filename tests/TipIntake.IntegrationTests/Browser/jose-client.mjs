// An independent client: fetches the intake key and encrypts a tip with the `jose` npm package (not the project's
// code), printing the compact JWE. Usage: node jose-client.mjs <base-url> <tip-json-file>
import { readFileSync } from 'node:fs';
import * as jose from 'jose';

const [base, tipFile] = process.argv.slice(2);
const jwk = await (await fetch(new URL('api/intake-key', base))).json();
const key = await jose.importJWK({ kty: jwk.kty, n: jwk.n, e: jwk.e }, 'RSA-OAEP-256');
const jwe = await new jose.CompactEncrypt(readFileSync(tipFile))
  .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: jwk.kid, cty: 'application/vnd.tipintake.tip.v1+json' })
  .encrypt(key);
process.stdout.write(jwe);
