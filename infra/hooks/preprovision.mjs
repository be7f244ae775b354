// azd preprovision hook: makes sure the azd environment holds TRIAGE_INDEX_KEY, the triage index's HMAC key
// (docs/triage.md, "What the index holds"). It is generated once — 32 random bytes, base64 — and then kept: every
// later provision must pass the same key, or the tips already indexed can no longer be found by search. The value is
// never printed. Usage: node infra/hooks/preprovision.mjs
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const name = 'TRIAGE_INDEX_KEY';
const current = process.env[name];
if (current) {
  if (Buffer.from(current, 'base64').length < 32) {
    console.error(`preprovision: ${name} is shorter than 32 bytes (base64). Restore the key the deployment was made with (docs/deploy.md).`);
    process.exit(1);
  }
} else {
  execFileSync('azd', ['env', 'set', name, randomBytes(32).toString('base64')], { stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`preprovision: generated ${name} in this azd environment. Keep it (docs/deploy.md, "The triage index key").`);
}
