// Shared by the azd hooks (azure.yaml): where the deployed app is, what to tell the operator, and the smoke test.
// Node.js only (global fetch, Node 20+): the repository needs Node anyway (the prepackage hook runs `npm ci` so that
// MSAL.js is embedded), it runs the same on Linux, macOS and Windows, and it reads JSON and headers without jq.

/** The app's base URL: --base-url <url>, else azd's AZURE_FUNCTION_APP_URL output. */
export function baseUrl(argv = process.argv.slice(2), env = process.env) {
  const given = option(argv, '--base-url') ?? env.AZURE_FUNCTION_APP_URL;
  if (!given) {
    throw new Error('No app URL: pass --base-url <url>, or run from azd (it sets AZURE_FUNCTION_APP_URL after provisioning).');
  }
  const url = new URL(given);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`Not an http(s) URL: ${given}`);
  }
  return url.origin;
}

export function option(argv, name) {
  const at = argv.indexOf(name);
  return at >= 0 && at + 1 < argv.length ? argv[at + 1] : undefined;
}

/** The triage app registration's redirect URI: the page MSAL.js returns to (functions/.../TriagePage.cs). */
export const redirectPath = '/triage/signed-in';

const signInSettings = ['TRIAGE_AUTH_TENANT_ID', 'TRIAGE_AUTH_CLIENT_ID', 'TRIAGE_AUTH_AUDIENCE', 'TRIAGE_AUTH_SCOPE'];

/** The lines an operator needs after provisioning or deploying: the two URLs and what to register for staff sign-in. */
export function summary(base, env = process.env) {
  const redirect = base + redirectPath;
  const lines = [
    'TipIntake',
    `  Reporter form:  ${base}/`,
    `  Triage (staff): ${base}/triage`,
    '  Staff sign-in:  register this redirect URI, platform "Single-page application", on the triage app registration',
    `                  ${redirect}`,
  ];
  const missing = signInSettings.filter((name) => !env[name]);
  if (env.TRIAGE_AUTH_CLIENT_ID) {
    lines.push(
      '                  for example (this replaces the registration\'s single-page-application redirect URIs):',
      `                  az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications(appId='${env.TRIAGE_AUTH_CLIENT_ID}')" \\`,
      `                    --headers Content-Type=application/json --body '{"spa":{"redirectUris":["${redirect}"]}}'`,
    );
  }
  if (missing.length > 0) {
    lines.push(
      `  Staff sign-in is OFF: ${missing.join(', ')} not set. See docs/staff-auth.md, then:`,
      ...missing.map((name) => `                  azd env set ${name} <value>`),
      '                  azd provision',
    );
  }
  return lines.join('\n');
}
