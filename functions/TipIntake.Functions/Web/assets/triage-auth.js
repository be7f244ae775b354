// Signing in and out, and the access token: Entra ID through MSAL.js (served from this origin; its cache in
// sessionStorage), or in Development the local host's development sign-in (the token in this module's memory only).

import { $, announce, clearAlert, facts, settings, showAlert, t } from './triage-page.js';

const session = {
  token: null,
  expiresAt: 0,
  canEdit: false,
  msalApp: null,
  account: null,
};

// What the rest of the page does when a session starts or ends; set by startSignIn.
let handlers = { signedIn() {}, signedOut() {} };

/** Whether the signed-in staff member may change tips (holds the editor role, or the token does not say). */
export function canEdit() {
  return session.canEdit;
}

function decodeClaims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(Array.from(atob(payload), (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
    const claims = JSON.parse(json);
    return { roles: Array.isArray(claims.roles) ? claims.roles : [], name: typeof claims.name === 'string' ? claims.name : '' };
  } catch {
    return null;
  }
}

function signedIn(token, expiresIn, name, roles) {
  session.token = token;
  session.expiresAt = Date.now() + Math.max(0, (Number(expiresIn) || 3600) - 60) * 1000;
  const decoded = decodeClaims(token);
  const knownRoles = roles || (decoded ? decoded.roles : null);
  // Unknown roles: offer the actions and let the API answer 403.
  session.canEdit = knownRoles ? knownRoles.includes(facts.editorRole) : true;
  $('session-name').textContent = name || (decoded && decoded.name) || '';
  $('session-readonly').hidden = session.canEdit;
  $('session').hidden = false;
  $('signin').hidden = true;
  $('workspace').hidden = false;
  clearAlert();
  announce(t('message.signedIn'));
  handlers.signedIn();
  $('tips-title').focus();
}

/** Ends the session on this page: with a message (e.g. the token was refused) shown as an alert, else announced. */
export function signedOut(message) {
  session.token = null;
  session.expiresAt = 0;
  $('session').hidden = true;
  $('workspace').hidden = true;
  $('signin').hidden = false;
  handlers.signedOut();
  if (message) {
    showAlert(message);
  } else {
    announce(t('message.signedOut'));
  }
}

async function developmentSignIn(role) {
  clearAlert();
  const name = role === facts.editorRole ? 'Dev Editor' : 'Dev Reader';
  try {
    const response = await fetch('/dev/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ roles: [role], name }),
      credentials: 'omit',
      cache: 'no-store',
    });
    if (!response.ok) {
      showAlert(t('error.signin'));
      return;
    }
    const body = await response.json();
    if (!body || typeof body.access_token !== 'string') {
      showAlert(t('error.signin'));
      return;
    }
    signedIn(body.access_token, body.expires_in, name, [role]);
  } catch {
    showAlert(t('error.network'));
  }
}

function msalAvailable() {
  return typeof window.msal === 'object' && window.msal !== null && typeof window.msal.PublicClientApplication === 'function';
}

async function createMsal() {
  if (session.msalApp) {
    return session.msalApp;
  }
  const app = new window.msal.PublicClientApplication({
    auth: {
      clientId: settings.clientId,
      authority: settings.authority,
      redirectUri: window.location.origin + '/triage/signed-in',
    },
    cache: { cacheLocation: 'sessionStorage' },
  });
  await app.initialize();
  session.msalApp = app;
  return app;
}

function tokenRequest() {
  return { scopes: [settings.scope], account: session.account || undefined };
}

function secondsUntil(expiresOn) {
  return expiresOn ? (expiresOn.getTime() - Date.now()) / 1000 : 3600;
}

async function entraSignIn() {
  clearAlert();
  try {
    const app = await createMsal();
    const login = await app.loginPopup({ scopes: [settings.scope] });
    session.account = login.account;
    app.setActiveAccount(login.account);
    const result = await app.acquireTokenSilent(tokenRequest());
    signedIn(result.accessToken, secondsUntil(result.expiresOn), login.account && (login.account.name || login.account.username), null);
  } catch {
    showAlert(t('error.signin'));
  }
}

async function entraResume() {
  try {
    const app = await createMsal();
    const account = app.getActiveAccount() || app.getAllAccounts()[0];
    if (!account) {
      return;
    }
    session.account = account;
    const result = await app.acquireTokenSilent(tokenRequest());
    signedIn(result.accessToken, secondsUntil(result.expiresOn), account.name || account.username, null);
  } catch {
    // Not signed in, or the session ended: the sign-in button stays.
  }
}

/** A valid token for the next call, renewed silently through MSAL when it is about to expire; null when there is none. */
export async function currentToken() {
  if (session.token && Date.now() < session.expiresAt) {
    return session.token;
  }
  if (session.msalApp && session.account) {
    try {
      const result = await session.msalApp.acquireTokenSilent(tokenRequest());
      session.token = result.accessToken;
      session.expiresAt = result.expiresOn ? result.expiresOn.getTime() - 60000 : Date.now() + 3000000;
      return session.token;
    } catch {
      return null;
    }
  }
  return session.token;
}

async function signOut() {
  if (session.msalApp) {
    try {
      await session.msalApp.clearCache();
    } catch {
      // Nothing to clear.
    }
    session.account = null;
  }
  signedOut(null);
}

/**
 * Offers the sign-in this page is set up for (development, Entra ID, or a line saying why neither works) and the
 * sign-out button; resumes an Entra ID session MSAL still holds. <signedIn> and <signedOut> are called after the
 * session starts and ends.
 */
export function startSignIn({ signedIn: onSignedIn, signedOut: onSignedOut }) {
  handlers = { signedIn: onSignedIn, signedOut: onSignedOut };
  $('signout').addEventListener('click', signOut);
  if (settings.authMode === 'development') {
    $('signin-dev-block').hidden = false;
    for (const id of ['signin-dev-reader', 'signin-dev-editor']) {
      const button = $(id);
      button.addEventListener('click', () => developmentSignIn(button.dataset.role));
    }
    return;
  }
  if (!settings.clientId || !settings.scope || !settings.authority) {
    $('signin-not-configured').hidden = false;
    return;
  }
  if (!msalAvailable()) {
    $('signin-msal-unavailable').hidden = false;
    return;
  }
  $('signin-entra-block').hidden = false;
  $('signin-entra').addEventListener('click', entraSignIn);
  entraResume();
}
