// The MSAL.js v5 redirect bridge: Entra ID sends the sign-in answer here (the app registration's redirect URI,
// /triage/signed-in); msal-redirect-bridge hands it to the triage page over a same-origin BroadcastChannel and closes.
'use strict';

(() => {
  const bridge = window.msalRedirectBridge;
  if (bridge && typeof bridge.broadcastResponseToMainFrame === 'function') {
    bridge.broadcastResponseToMainFrame().catch(() => {
      window.close();
    });
  }
})();
