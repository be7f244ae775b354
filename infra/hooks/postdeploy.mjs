// azd postdeploy hook: a smoke test of the deployed app, then the URLs and sign-in summary. Exits 1, loudly, if any
// check still fails when the time is up (a fresh deployment may take a minute or two to start).
// Usage: node infra/hooks/postdeploy.mjs [--base-url <url>] [--timeout <seconds>]
import { baseUrl, option, summary } from './deployment.mjs';
import { smokeTest } from './smoke-test.mjs';

const argv = process.argv.slice(2);
let base;
try {
  base = baseUrl(argv);
} catch (error) {
  console.error(`postdeploy: ${error.message}`);
  process.exit(1);
}

const timeoutSeconds = Number(option(argv, '--timeout') ?? process.env.SMOKE_TEST_TIMEOUT_SECONDS ?? 300);
const failures = await smokeTest(base, { timeoutSeconds, log: (line) => console.log(line) });
if (failures.length > 0) {
  console.error('');
  console.error(`SMOKE TEST FAILED for ${base}:`);
  for (const failure of failures) {
    console.error(`  - ${failure}`);
  }
  console.error('The deployment is not serving reporters correctly. See docs/deploy.md, "If the smoke test fails".');
  process.exit(1);
}

console.log('');
console.log(summary(base));
