// What the postdeploy hook checks on a deployed TipIntake, each check retried until it passes or time is up:
// the intake key is served (an RSA key of at least 3072 bits with a Key Vault kid), the reporter form is served with
// its Content-Security-Policy, a proof-of-work challenge is issued, and the triage page is served with MSAL.js (without
// it staff cannot sign in). Nothing is submitted: the test leaves no tip and no trace in the tables.

const kidPattern = /^https:\/\/[^/]+\/keys\/[A-Za-z0-9-]{1,127}\/[0-9a-f]{32}$/;

const checks = [
  {
    name: 'intake key (GET /api/intake-key)',
    path: '/api/intake-key',
    async verify(response) {
      expectStatus(response, 200);
      expectType(response, 'application/json');
      const key = await response.json();
      assert(key.kty === 'RSA', `kty is ${JSON.stringify(key.kty)}, not "RSA"`);
      assert(key.alg === 'RSA-OAEP-256', `alg is ${JSON.stringify(key.alg)}, not "RSA-OAEP-256"`);
      assert(typeof key.kid === 'string' && kidPattern.test(key.kid), `kid ${JSON.stringify(key.kid)} does not name a key version`);
      const bits = Buffer.from(String(key.n ?? ''), 'base64url').length * 8;
      assert(bits >= 3072, `the modulus has ${bits} bits, fewer than 3072`);
    },
  },
  {
    name: 'reporter form (GET /)',
    path: '/',
    async verify(response) {
      expectStatus(response, 200);
      expectType(response, 'text/html');
      expectStrictPolicy(response);
      const page = await response.text();
      assert(page.includes('<form'), 'the page has no form');
    },
  },
  {
    name: 'proof-of-work challenge (GET /api/challenge)',
    path: '/api/challenge',
    async verify(response) {
      expectStatus(response, 200);
      expectType(response, 'application/json');
      const challenge = await response.json();
      assert(typeof challenge.challenge === 'string' && challenge.challenge.length > 0, 'no challenge in the answer');
      assert(Number.isInteger(challenge.difficulty), 'no difficulty in the answer');
    },
  },
  {
    name: 'triage page (GET /triage)',
    path: '/triage',
    async verify(response) {
      expectStatus(response, 200);
      expectType(response, 'text/html');
      expectStrictPolicy(response);
    },
  },
  {
    name: 'staff sign-in library (GET /assets/msal-browser.min.js)',
    path: '/assets/msal-browser.min.js',
    async verify(response) {
      assert(response.status === 200,
        `answered ${response.status}: MSAL.js was not embedded, so staff cannot sign in (the package was built without npm ci)`);
      expectType(response, 'javascript');
    },
  },
];

/** Runs every check against base; returns the failures (empty when all passed). */
export async function smokeTest(base, { timeoutSeconds = 300, retryEverySeconds = 5, log = () => {} } = {}) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const failures = [];
  for (const check of checks) {
    const failure = await untilPassing(base, check, deadline, retryEverySeconds);
    if (failure) {
      failures.push(`${check.name}: ${failure}`);
      log(`FAIL  ${check.name}: ${failure}`);
    } else {
      log(`ok    ${check.name}`);
    }
  }
  return failures;
}

async function untilPassing(base, check, deadline, retryEverySeconds) {
  for (;;) {
    let failure;
    try {
      const response = await fetch(base + check.path, { redirect: 'manual', signal: AbortSignal.timeout(20_000) });
      await check.verify(response);
      return undefined;
    } catch (error) {
      failure = error instanceof CheckFailed ? error.message : `no answer (${error.cause?.code ?? error.name}: ${error.cause?.message ?? error.message})`;
    }
    if (Date.now() + retryEverySeconds * 1000 > deadline) {
      return failure;
    }
    await new Promise((resolve) => setTimeout(resolve, retryEverySeconds * 1000));
  }
}

class CheckFailed extends Error {}

function assert(condition, message) {
  if (!condition) {
    throw new CheckFailed(message);
  }
}

function expectStatus(response, status) {
  assert(response.status === status, `answered ${response.status}, not ${status}`);
}

function expectType(response, type) {
  const contentType = response.headers.get('content-type') ?? '';
  assert(contentType.includes(type), `Content-Type is "${contentType}", not ${type}`);
}

/** The policy every page carries (docs/architecture.md): nothing from anywhere but the app itself, no inline code. */
function expectStrictPolicy(response) {
  const policy = response.headers.get('content-security-policy');
  assert(policy, 'no Content-Security-Policy header');
  const directives = new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name, values]));
  assert(directives.get('default-src')?.join(' ') === "'none'", `default-src is not 'none' in "${policy}"`);
  assert(directives.get('script-src')?.join(' ') === "'self'", `script-src is not 'self' in "${policy}"`);
}
