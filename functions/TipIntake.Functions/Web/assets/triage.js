// TipIntake triage page, the entry module (loaded with <script type="module">, so it runs once the page is parsed).
// Talks only to this origin's /api/triage/… (and, in Azure, to the Entra ID sign-in through MSAL.js, served from this
// origin too). Every text that comes from the server is put in the page with textContent: narratives and notes are
// untrusted text written by anyone. The access token lives in memory (development sign-in) or in MSAL's
// sessionStorage cache (Entra ID); nothing else is stored. What the page must know of the server comes from it: the
// #triage-facts block (triage-page.js), and each tip's nextStatuses.
//
// Modules: triage-page.js (elements, data blocks, texts, alerts), triage-auth.js (sign-in, token), triage-api.js
// (calls, errors), triage-queues.js, triage-list.js, triage-search.js (the list side), triage-detail.js,
// triage-events.js, triage-related.js (the open tip).

import { startSignIn } from './triage-auth.js';
import { clearDetail, openTip, setUpDetail } from './triage-detail.js';
import { clearList, loadTips, setUpList } from './triage-list.js';
import { clearQueues, loadQueues, setUpQueues } from './triage-queues.js';
import { setUpRelated } from './triage-related.js';
import { resetSearch, setUpSearch } from './triage-search.js';
import { setUpThread } from './triage-thread.js';

setUpList({ open: openTip, dismissed: loadQueues });
setUpQueues();
setUpSearch();
setUpDetail();
setUpRelated(openTip);
setUpThread();
startSignIn({
  signedIn() {
    loadQueues();
    loadTips(false);
  },
  signedOut() {
    clearDetail();
    clearQueues();
    clearList();
    // What was searched for leaves with the session.
    resetSearch();
  },
});
