// TipIntake triage page. Talks only to this origin's /api/triage/… (and, in Azure, to the Entra ID sign-in through
// MSAL.js, served from this origin too). Every text that comes from the server is put in the page with textContent:
// narratives and notes are untrusted text written by anyone. The access token lives in memory (development sign-in)
// or in MSAL's sessionStorage cache (Entra ID); nothing else is stored.
'use strict';

(() => {
  // The workflow; the API enforces it, the page only offers what it allows.
  const TRANSITIONS = {
    'new': ['in-review'],
    'in-review': ['verified', 'escalated', 'dismissed'],
    'verified': ['escalated', 'closed'],
    'escalated': ['closed'],
    'dismissed': ['closed', 'in-review'],
    'closed': [],
  };
  const STATUSES = Object.keys(TRANSITIONS);
  const URGENCY_RANK = { imminent: 0, soon: 1, unknown: 2 };
  const PAGE_SIZE = 25;
  const EDITOR_ROLE = 'TipTriage.Editor';
  const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

  const $ = (id) => document.getElementById(id);

  function readJson(id) {
    const block = $(id);
    try {
      const parsed = JSON.parse((block && block.textContent) || '{}');
      return parsed && typeof parsed === 'object' ? parsed : {};
    } catch {
      return {};
    }
  }

  const settings = readJson('triage-settings');
  const messages = readJson('triage-messages');
  const lang = document.documentElement.lang || 'en';

  function t(key) {
    const text = messages[key];
    return typeof text === 'string' ? text : '';
  }

  // A translated name for a code (status, urgency, category, action), or the code itself.
  function named(prefix, code) {
    if (code === null || code === undefined || code === '') {
      return t('detail.none');
    }
    return t(prefix + '.' + code) || String(code);
  }

  const state = {
    token: null,
    expiresAt: 0,
    name: '',
    canEdit: false,
    msalApp: null,
    account: null,
    queue: null,
    overdue: false,
    // The search's parameters while search results are listed, otherwise null.
    search: null,
    status: '',
    items: [],
    continuation: null,
    selected: new Set(),
    tip: null,
    etag: null,
    busy: false,
    // Each list load takes a ticket; an answer that arrives after a newer load was started is dropped.
    listTicket: 0,
  };

  // ---- Messages --------------------------------------------------------------------------------------------

  function announce(text) {
    const region = $('announce');
    region.textContent = '';
    // A new text node after clearing makes screen readers announce the same message twice in a row.
    window.requestAnimationFrame(() => {
      region.textContent = text;
    });
  }

  function showAlert(text) {
    const alert = $('alert');
    alert.textContent = text;
    alert.hidden = !text;
    if (text) {
      alert.focus();
    }
  }

  function clearAlert() {
    showAlert('');
  }

  // ---- Sign-in ---------------------------------------------------------------------------------------------

  function decodeRoles(token) {
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
    state.token = token;
    state.expiresAt = Date.now() + Math.max(0, (Number(expiresIn) || 3600) - 60) * 1000;
    const decoded = decodeRoles(token);
    const knownRoles = roles || (decoded ? decoded.roles : null);
    // Unknown roles: offer the actions and let the API answer 403.
    state.canEdit = knownRoles ? knownRoles.includes(EDITOR_ROLE) : true;
    state.name = name || (decoded && decoded.name) || '';
    $('session-name').textContent = state.name;
    $('session-readonly').hidden = state.canEdit;
    $('session').hidden = false;
    $('signin').hidden = true;
    $('workspace').hidden = false;
    clearAlert();
    announce(t('message.signedIn'));
    loadQueues();
    loadTips(false);
    $('tips-title').focus();
  }

  function signedOut(message) {
    state.token = null;
    state.expiresAt = 0;
    state.tip = null;
    state.etag = null;
    state.items = [];
    $('session').hidden = true;
    $('workspace').hidden = true;
    $('detail').hidden = true;
    $('detail-placeholder').hidden = false;
    $('signin').hidden = false;
    $('queue-list').replaceChildren();
    $('tip-list').replaceChildren();
    $('related-list').replaceChildren();
    // What was searched for leaves with the session.
    state.search = null;
    for (const [, id] of SEARCH_FIELDS) {
      $(id).value = '';
    }
    $('search-clear').hidden = true;
    if (message) {
      showAlert(message);
    } else {
      announce(t('message.signedOut'));
    }
  }

  async function developmentSignIn(role) {
    clearAlert();
    const name = role === EDITOR_ROLE ? 'Dev Editor' : 'Dev Reader';
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
    if (state.msalApp) {
      return state.msalApp;
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
    state.msalApp = app;
    return app;
  }

  function tokenRequest() {
    return { scopes: [settings.scope], account: state.account || undefined };
  }

  async function entraSignIn() {
    clearAlert();
    try {
      const app = await createMsal();
      const login = await app.loginPopup({ scopes: [settings.scope] });
      state.account = login.account;
      app.setActiveAccount(login.account);
      const result = await app.acquireTokenSilent(tokenRequest());
      const expiresIn = result.expiresOn ? (result.expiresOn.getTime() - Date.now()) / 1000 : 3600;
      signedIn(result.accessToken, expiresIn, login.account && (login.account.name || login.account.username), null);
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
      state.account = account;
      const result = await app.acquireTokenSilent(tokenRequest());
      const expiresIn = result.expiresOn ? (result.expiresOn.getTime() - Date.now()) / 1000 : 3600;
      signedIn(result.accessToken, expiresIn, account.name || account.username, null);
    } catch {
      // Not signed in, or the session ended: the sign-in button stays.
    }
  }

  // A valid token for the next call, renewed silently through MSAL when it is about to expire.
  async function currentToken() {
    if (state.token && Date.now() < state.expiresAt) {
      return state.token;
    }
    if (state.msalApp && state.account) {
      try {
        const result = await state.msalApp.acquireTokenSilent(tokenRequest());
        state.token = result.accessToken;
        state.expiresAt = result.expiresOn ? result.expiresOn.getTime() - 60000 : Date.now() + 3000000;
        return state.token;
      } catch {
        return null;
      }
    }
    return state.token;
  }

  async function signOut() {
    if (state.msalApp) {
      try {
        await state.msalApp.clearCache();
      } catch {
        // Nothing to clear.
      }
      state.account = null;
    }
    signedOut(null);
  }

  function setUpSignIn() {
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

  // ---- API -------------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, problem) {
      super('HTTP ' + status);
      this.status = status;
      this.problem = problem;
    }
  }

  async function api(method, path, body, etag) {
    const token = await currentToken();
    if (!token) {
      signedOut(t('error.unauthorized'));
      throw new ApiError(401, null);
    }
    const headers = { Authorization: 'Bearer ' + token, Accept: 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (etag) {
      headers['If-Match'] = etag;
    }
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, null);
    }
    let json = null;
    try {
      json = await response.json();
    } catch {
      json = null;
    }
    if (!response.ok) {
      throw new ApiError(response.status, json);
    }
    return { json: json || {}, etag: response.headers.get('ETag') };
  }

  // Shows what went wrong; returns true when the caller should keep its state (e.g. a conflict).
  function handleError(error) {
    const status = error instanceof ApiError ? error.status : -1;
    switch (status) {
      case 401:
        signedOut(t('error.unauthorized'));
        break;
      case 403:
        showAlert(t('error.forbidden'));
        break;
      case 404:
        showAlert(t('error.notFound'));
        break;
      case 409:
        showAlert(t('error.invalidTransition'));
        break;
      case 412:
        $('conflict').hidden = false;
        $('conflict-reload').focus();
        break;
      case 0:
        showAlert(t('error.network'));
        break;
      default:
        showAlert(t('error.failed'));
        break;
    }
  }

  // ---- Queues ----------------------------------------------------------------------------------------------

  async function loadQueues() {
    let result;
    try {
      result = await api('GET', '/api/triage/counts');
    } catch (error) {
      handleError(error);
      return;
    }
    const byQueue = new Map();
    for (const entry of Array.isArray(result.json.counts) ? result.json.counts : []) {
      const queue = String(entry.queue || '');
      if (!byQueue.has(queue)) {
        byQueue.set(queue, new Map());
      }
      const counts = byQueue.get(queue);
      counts.set(String(entry.status || ''), (counts.get(String(entry.status || '')) || 0) + (Number(entry.count) || 0));
    }
    const list = $('queue-list');
    list.replaceChildren();
    list.append(queueItem(null, false, null));
    for (const queue of [...byQueue.keys()].sort()) {
      list.append(queueItem(queue, false, byQueue.get(queue)));
    }
    list.append(queueItem(null, true, null));
  }

  function queueItem(queue, overdue, counts) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary';
    button.dataset.queue = queue || '';
    button.dataset.overdue = overdue ? 'true' : 'false';
    const title = document.createElement('span');
    title.className = 'tip-line';
    title.textContent = overdue ? t('queues.overdue') : queue === null ? t('queues.all') : queue;
    button.append(title);
    if (counts) {
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const summary = document.createElement('ul');
      summary.className = 'queue-counts';
      const totalItem = document.createElement('li');
      totalItem.textContent = t('queues.total') + ': ' + total;
      summary.append(totalItem);
      for (const status of STATUSES) {
        if (counts.get(status)) {
          const entry = document.createElement('li');
          entry.textContent = named('status', status) + ': ' + counts.get(status);
          summary.append(entry);
        }
      }
      button.append(summary);
    }
    const selected = !state.search && (overdue ? state.overdue : !state.overdue && state.queue === queue);
    button.setAttribute('aria-pressed', selected ? 'true' : 'false');
    button.addEventListener('click', () => {
      state.queue = queue;
      state.overdue = overdue;
      state.search = null;
      $('search-clear').hidden = true;
      for (const other of $('queue-list').querySelectorAll('button')) {
        other.setAttribute('aria-pressed', other === button ? 'true' : 'false');
      }
      $('status-filter').disabled = overdue;
      loadTips(false);
    });
    item.append(button);
    return item;
  }

  // ---- Tip list --------------------------------------------------------------------------------------------

  function sortUrgentFirst(items) {
    return items
      .map((item, index) => ({ item, index }))
      .sort((a, b) => {
        const byUrgency = (URGENCY_RANK[a.item.urgency] ?? 3) - (URGENCY_RANK[b.item.urgency] ?? 3);
        return byUrgency !== 0 ? byUrgency : a.index - b.index;
      })
      .map((entry) => entry.item);
  }

  async function loadTips(more) {
    const ticket = ++state.listTicket;
    if (!more) {
      state.items = [];
      state.continuation = null;
    }
    let path;
    if (state.overdue) {
      path = '/api/triage/overdue';
    } else if (state.search) {
      const query = new URLSearchParams(state.search);
      if (state.status) {
        query.set('status', state.status);
      }
      query.set('pageSize', String(PAGE_SIZE));
      if (more && state.continuation) {
        query.set('continuation', state.continuation);
      }
      path = '/api/triage/search?' + query.toString();
    } else {
      const query = new URLSearchParams();
      if (state.queue) {
        query.set('queue', state.queue);
      }
      if (state.status) {
        query.set('status', state.status);
      }
      query.set('pageSize', String(PAGE_SIZE));
      if (more && state.continuation) {
        query.set('continuation', state.continuation);
      }
      path = '/api/triage/tips?' + query.toString();
    }
    const list = $('tip-list');
    list.setAttribute('aria-busy', 'true');
    $('tips-scope').textContent = state.overdue ? '(' + t('queues.overdue') + ')'
      : state.search ? '(' + t('search.results') + ')'
        : state.queue ? '(' + state.queue + ')' : '';
    let result;
    try {
      result = await api('GET', path);
    } catch (error) {
      if (ticket !== state.listTicket) {
        return;
      }
      list.setAttribute('aria-busy', 'false');
      if (state.search && error instanceof ApiError && error.status === 400) {
        showAlert(searchProblem(error.problem));
      } else {
        handleError(error);
      }
      return;
    }
    if (ticket !== state.listTicket) {
      return;
    }
    const received = Array.isArray(result.json.items) ? result.json.items : [];
    state.items = sortUrgentFirst(state.items.concat(received));
    // The overdue list takes no paging parameters, so it offers no "more".
    state.continuation = !state.overdue && typeof result.json.continuation === 'string' && result.json.continuation ? result.json.continuation : null;
    renderTips();
    list.setAttribute('aria-busy', 'false');
    if (more && received.length > 0) {
      const first = list.querySelector('button[data-id="' + CSS.escape(String(received[0].id)) + '"]');
      if (first) {
        first.focus();
      }
    }
  }

  // The effort a tip's stamp paid, as the band the API gives (four bits wide); none for the no-script path.
  function effortOf(band) {
    if (!Number.isInteger(band) || band < 0) {
      return t('tips.noScript');
    }
    return t('tips.effort').replace('{from}', String(band * 4)).replace('{to}', String(band * 4 + 3));
  }

  // A tip's one-line summary: category, then country and region where given — never a separator with nothing after
  // it. The region is the reporter's text: isolated (<bdi>) so that no bidirectional control in it can reorder the line.
  function summaryNodes(tip) {
    const where = [tip.country, tip.region].filter(Boolean).join(', ');
    const category = document.createTextNode(named('category', tip.category) + (where ? ' · ' : ''));
    if (!where) {
      return [category];
    }
    const place = document.createElement('bdi');
    place.textContent = where;
    return [category, place];
  }

  function renderTips() {
    const list = $('tip-list');
    const focusedId = document.activeElement && list.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    list.replaceChildren();
    let current = null;
    const shown = new Set(state.items.map((tip) => String(tip.id)));
    for (const id of [...state.selected]) {
      if (!shown.has(id)) {
        state.selected.delete(id);
      }
    }
    for (const tip of state.items) {
      const item = document.createElement('li');
      // Editors may select new tips for a bulk dismissal (a flood's spam); the API dismisses only untouched ones.
      if (state.canEdit && tip.status === 'new') {
        const select = document.createElement('input');
        select.type = 'checkbox';
        select.className = 'bulk-select';
        select.dataset.id = String(tip.id);
        select.checked = state.selected.has(String(tip.id));
        select.setAttribute('aria-label', t('bulk.select') + ': ' + String(tip.id));
        select.addEventListener('change', () => {
          if (select.checked) {
            state.selected.add(String(tip.id));
          } else {
            state.selected.delete(String(tip.id));
          }
          renderBulk();
        });
        item.append(select);
      }
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.dataset.id = String(tip.id);
      // One stop in the tab order for the whole list (roving tabindex); the arrow keys move within it.
      button.tabIndex = -1;
      button.setAttribute('aria-describedby', 'tips-keys');
      if (state.tip && state.tip.id === tip.id) {
        button.setAttribute('aria-current', 'true');
        current = button;
      }
      const line = document.createElement('span');
      line.className = 'tip-line';
      const badge = document.createElement('span');
      badge.className = 'badge urgency-' + String(tip.urgency || 'unknown').replace(/[^a-z-]/g, '');
      badge.textContent = named('urgency', tip.urgency);
      line.append(badge, ...summaryNodes(tip));
      const meta = document.createElement('span');
      meta.className = 'tip-meta';
      meta.textContent = [
        named('status', tip.status),
        tip.queue,
        t('tips.received') + ' ' + formatTime(tip.receivedHour),
        tip.assignedTo ? tip.assignedTo : t('tips.unassigned'),
        Array.isArray(tip.labels) && tip.labels.length ? tip.labels.join(', ') : '',
        effortOf(tip.effortBand),
      ].filter(Boolean).join(' · ');
      button.append(line, meta);
      button.addEventListener('click', () => openTip(String(tip.id)));
      item.append(button);
      list.append(item);
    }
    const buttons = list.querySelectorAll('button');
    const stop = (focusedId && list.querySelector('button[data-id="' + CSS.escape(focusedId) + '"]')) || current || buttons[0];
    if (stop) {
      stop.tabIndex = 0;
      if (focusedId) {
        stop.focus();
      }
    }
    $('tips-empty').hidden = state.items.length > 0;
    $('tips-more').hidden = !state.continuation;
    renderBulk();
  }

  function renderBulk() {
    $('bulk').hidden = !state.canEdit;
    const button = $('bulk-dismiss');
    button.disabled = state.selected.size === 0 || state.busy;
    button.textContent = t('bulk.dismiss') + (state.selected.size > 0 ? ' (' + state.selected.size + ')' : '');
  }

  // Dismisses the selected tips in one request; the answer says how many were untouched and dismissed.
  async function dismissSelected() {
    const tipIds = [...state.selected];
    if (tipIds.length === 0 || state.busy || !window.confirm(t('bulk.confirm').replace('{count}', String(tipIds.length)))) {
      return;
    }
    clearAlert();
    state.busy = true;
    renderBulk();
    try {
      const result = await api('POST', '/api/triage/dismissals', { tipIds });
      const dismissed = Array.isArray(result.json.dismissed) ? result.json.dismissed.length : 0;
      const skipped = Array.isArray(result.json.skipped) ? result.json.skipped.length : 0;
      state.selected.clear();
      announce(t('bulk.done').replace('{dismissed}', String(dismissed)).replace('{skipped}', String(skipped)));
      loadQueues();
      await loadTips(false);
    } catch (error) {
      handleError(error);
    } finally {
      state.busy = false;
      renderBulk();
    }
  }

  // ↑/↓ move to the previous/next tip, Home/End to the first/last; Enter and Space open it (it is a button).
  function onListKey(event) {
    const buttons = [...$('tip-list').querySelectorAll('button')];
    const at = buttons.indexOf(document.activeElement);
    if (at < 0 || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const target = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (target === undefined) {
      return;
    }
    event.preventDefault();
    buttons[Math.max(0, Math.min(buttons.length - 1, target))].focus();
  }

  // Whichever tip has focus (by key, click or the page) is the list's tab stop.
  function onListFocus(event) {
    if (!(event.target instanceof HTMLButtonElement)) {
      return;
    }
    for (const button of $('tip-list').querySelectorAll('button')) {
      button.tabIndex = button === event.target ? 0 : -1;
    }
  }

  // Back from the open tip to its row in the list.
  function focusOpenTipInList() {
    const id = state.tip ? String(state.tip.id) : null;
    const row = id ? $('tip-list').querySelector('button[data-id="' + CSS.escape(id) + '"]') : null;
    (row || $('tips-title')).focus();
  }

  // ---- Search ----------------------------------------------------------------------------------------------

  const SEARCH_FIELDS = [
    ['q', 'search-q'], ['category', 'search-category'], ['urgency', 'search-urgency'], ['country', 'search-country'],
    ['receivedFrom', 'search-from'], ['receivedTo', 'search-to'], ['label', 'search-label'], ['assignee', 'search-assignee'],
  ];

  function runSearch() {
    clearAlert();
    const params = {};
    for (const [name, id] of SEARCH_FIELDS) {
      const value = $(id).value.trim();
      if (value) {
        params[name] = name === 'country' ? value.toUpperCase() : value;
      }
    }
    if (Object.keys(params).length === 0) {
      showAlert(t('error.searchEmpty'));
      return;
    }
    if (params.receivedFrom && params.receivedTo && params.receivedFrom > params.receivedTo) {
      showAlert(t('error.searchDates'));
      return;
    }
    state.search = params;
    state.overdue = false;
    $('status-filter').disabled = false;
    for (const button of $('queue-list').querySelectorAll('button')) {
      button.setAttribute('aria-pressed', 'false');
    }
    $('search-clear').hidden = false;
    loadTips(false);
  }

  function clearSearch() {
    for (const [, id] of SEARCH_FIELDS) {
      $(id).value = '';
    }
    state.search = null;
    $('search-clear').hidden = true;
    for (const button of $('queue-list').querySelectorAll('button')) {
      button.setAttribute('aria-pressed', button.dataset.overdue === 'false' && (button.dataset.queue || null) === state.queue ? 'true' : 'false');
    }
    loadTips(false);
    $('search-q').focus();
  }

  // What a refused search (400 problem+json) means, in the page's language; the server's own text is English.
  function searchProblem(problem) {
    const type = problem && typeof problem.type === 'string' ? problem.type : '';
    if (type.endsWith(':triage-empty-search')) {
      return t('error.searchEmpty');
    }
    if (type.includes(':triage-invalid-date')) {
      return t('error.searchDates');
    }
    return t('error.searchInvalid');
  }

  function formatTime(value) {
    if (!value) {
      return t('detail.none');
    }
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) {
      return String(value);
    }
    try {
      return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
    } catch {
      return date.toISOString();
    }
  }

  // ---- Detail ----------------------------------------------------------------------------------------------

  async function openTip(id) {
    clearAlert();
    $('conflict').hidden = true;
    let result;
    try {
      result = await api('GET', '/api/triage/tips/' + encodeURIComponent(id));
    } catch (error) {
      handleError(error);
      return;
    }
    showTip(result.json, result.etag, false);
    $('detail').hidden = false;
    $('detail-placeholder').hidden = true;
    $('detail-title').focus();
    loadEvents();
    loadRelated();
  }

  function showTip(tip, etag, keepNote) {
    state.tip = tip;
    state.etag = etag;
    $('detail-id').textContent = String(tip.id || '');
    // Reporter text is shown isolated, each element its own bidirectional paragraph (dir="auto" here,
    // unicode-bidi in triage.css): an override character in it cannot reorder anything around it.
    const narrative = $('narrative');
    narrative.dir = 'auto';
    narrative.textContent = typeof tip.narrative === 'string' ? tip.narrative : '';
    if (typeof tip.language === 'string' && LANGUAGE_TAG.test(tip.language) && tip.language !== 'und' && tip.language !== 'mul') {
      narrative.lang = tip.language;
    } else {
      narrative.removeAttribute('lang');
    }

    const fields = $('fields');
    fields.replaceChildren();
    const observed = [tip.observedFrom, tip.observedTo].filter(Boolean).join(' – ');
    const rows = [
      ['detail.id', tip.id],
      ['detail.status', named('status', tip.status)],
      ['detail.queue', tip.queue],
      ['detail.priority', tip.priority],
      ['detail.urgency', named('urgency', tip.urgency)],
      ['detail.category', named('category', tip.category)],
      ['detail.country', tip.country],
      ['detail.region', tip.region],
      ['detail.place', tip.place],
      ['detail.observed', observed],
      ['detail.peopleCount', tip.peopleCount],
      ['detail.language', tip.language],
      ['detail.contact', tip.contact],
      ['detail.receivedHour', formatTime(tip.receivedHour)],
      ['detail.effort', effortOf(tip.effortBand)],
      ['detail.assignedTo', tip.assignedTo || t('tips.unassigned')],
      ['detail.labels', Array.isArray(tip.labels) ? tip.labels.join(', ') : ''],
      ['detail.lastChangedAt', formatTime(tip.lastChangedAt)],
    ];
    for (const [key, value] of rows) {
      const term = document.createElement('dt');
      term.textContent = t(key);
      const description = document.createElement('dd');
      description.dir = 'auto';
      description.textContent = value === null || value === undefined || value === '' ? t('detail.none') : String(value);
      fields.append(term, description);
    }

    // Status: only the next statuses the workflow allows.
    const next = TRANSITIONS[tip.status] || [];
    const select = $('status-select');
    select.replaceChildren();
    for (const status of next) {
      const option = document.createElement('option');
      option.value = status;
      option.textContent = named('status', status);
      select.append(option);
    }
    $('status-form').hidden = next.length === 0;
    $('status-final').hidden = next.length !== 0;

    $('assignee').value = tip.assignedTo || '';
    const labels = $('label-list');
    labels.replaceChildren();
    for (const label of Array.isArray(tip.labels) ? tip.labels : []) {
      const item = document.createElement('li');
      const text = document.createElement('span');
      text.textContent = String(label);
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'secondary';
      remove.textContent = '×';
      remove.setAttribute('aria-label', t('actions.labelRemove') + ': ' + String(label));
      remove.disabled = !state.canEdit;
      remove.addEventListener('click', () => change('labels', { add: [], remove: [String(label)] }));
      item.append(text, remove);
      labels.append(item);
    }

    const notes = $('note-list');
    notes.replaceChildren();
    for (const note of Array.isArray(tip.notes) ? tip.notes : []) {
      const item = document.createElement('li');
      const meta = document.createElement('p');
      meta.className = 'note-meta';
      meta.textContent = [note.authorName || note.author, formatTime(note.at)].filter(Boolean).join(' · ');
      const text = document.createElement('p');
      text.className = 'note-text';
      text.dir = 'auto';
      text.textContent = String(note.text || '');
      item.append(meta, text);
      notes.append(item);
    }
    $('notes-empty').hidden = notes.childElementCount > 0;
    if (!keepNote) {
      $('note-text').value = '';
    }

    $('actions-readonly').hidden = state.canEdit;
    for (const form of ['status-form', 'assign-form', 'label-form', 'note-form']) {
      for (const control of $(form).querySelectorAll('input, select, textarea, button')) {
        control.disabled = !state.canEdit;
      }
    }

    // Keep the list in step with what was just read.
    const index = state.items.findIndex((item) => item.id === tip.id);
    if (index >= 0) {
      state.items[index] = Object.assign({}, state.items[index], {
        status: tip.status, assignedTo: tip.assignedTo, labels: tip.labels, lastChangedAt: tip.lastChangedAt,
      });
    }
    renderTips();
  }

  async function loadEvents() {
    if (!state.tip) {
      return;
    }
    let result;
    try {
      result = await api('GET', '/api/triage/tips/' + encodeURIComponent(state.tip.id) + '/events');
    } catch (error) {
      handleError(error);
      return;
    }
    const body = $('event-list');
    body.replaceChildren();
    for (const event of Array.isArray(result.json.items) ? result.json.items : []) {
      const row = document.createElement('tr');
      const change = [event.from, event.to].some((v) => v !== null && v !== undefined && v !== '')
        ? describe(event.action, event.from) + ' → ' + describe(event.action, event.to)
        : '';
      for (const text of [formatTime(event.at), String(event.actor || ''), named('action', event.action), change]) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      }
      body.append(row);
    }
    $('events-empty').hidden = body.childElementCount > 0;
    $('event-table').hidden = body.childElementCount === 0;
  }

  // ---- Related reports -------------------------------------------------------------------------------------

  async function loadRelated() {
    if (!state.tip) {
      return;
    }
    const id = String(state.tip.id);
    let result;
    try {
      result = await api('GET', '/api/triage/tips/' + encodeURIComponent(id) + '/related');
    } catch (error) {
      handleError(error);
      return;
    }
    if (!state.tip || String(state.tip.id) !== id) {
      return;
    }
    renderRelated(Array.isArray(result.json.items) ? result.json.items : []);
  }

  // A reason as staff read it: the shared place with its spellings, or how many rare words are shared.
  function reasonText(reason) {
    const text = t('related.reason.' + reason.code) || String(reason.code || '');
    if (reason.place) {
      const names = Array.isArray(reason.placeNames) ? reason.placeNames.filter(Boolean) : [];
      return text + ': ' + (names.length ? names.join(' / ') : String(reason.place));
    }
    return typeof reason.count === 'number' ? text + ': ' + reason.count : text;
  }

  function renderRelated(items) {
    const list = $('related-list');
    list.replaceChildren();
    items.forEach((entry, index) => {
      const tip = entry && entry.tip ? entry.tip : {};
      const other = String(tip.id || '');
      const item = document.createElement('li');
      item.className = 'related-' + String(entry.state || '').replace(/[^a-z-]/g, '');
      const heading = document.createElement('p');
      heading.className = 'tip-line';
      heading.id = 'related-' + index;
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = t('related.state.' + entry.state) || String(entry.state || '');
      const received = formatTime(tip.receivedHour);
      heading.append(badge, ...summaryNodes(tip), document.createTextNode(received ? ' · ' + received : ''));
      const meta = document.createElement('p');
      meta.className = 'tip-meta';
      meta.textContent = [named('status', tip.status), tip.queue].filter(Boolean).join(' · ');
      const reasons = document.createElement('ul');
      reasons.className = 'related-reasons';
      for (const reason of Array.isArray(entry.reasons) ? entry.reasons : []) {
        const line = document.createElement('li');
        line.textContent = reasonText(reason);
        reasons.append(line);
      }
      const actions = document.createElement('div');
      actions.className = 'related-actions';
      actions.append(relatedButton('related.open', 'secondary', heading.id, () => openTip(other)));
      if (entry.state !== 'linked') {
        actions.append(relatedButton('related.link', 'submit', heading.id, () => decide(other, 'linked'), !state.canEdit));
      }
      if (entry.state !== 'unlinked') {
        actions.append(relatedButton('related.unlink', 'secondary', heading.id, () => decide(other, 'unlinked'), !state.canEdit));
      }
      item.append(heading, meta, reasons, actions);
      list.append(item);
    });
    $('related-empty').hidden = items.length > 0;
  }

  function relatedButton(key, className, describedBy, onClick, disabled) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = className;
    button.textContent = t(key);
    button.dataset.action = key.slice('related.'.length);
    // Several rows have the same buttons: each names its row to a screen reader.
    button.setAttribute('aria-describedby', describedBy);
    button.disabled = Boolean(disabled);
    button.addEventListener('click', onClick);
    return button;
  }

  // An editor links two reports, or says they are not related: one decision for the pair, audited on both.
  async function decide(otherId, decision) {
    if (!state.tip || state.busy) {
      return;
    }
    clearAlert();
    state.busy = true;
    try {
      await api('POST', '/api/triage/tips/' + encodeURIComponent(state.tip.id) + '/related/' + encodeURIComponent(otherId), { state: decision });
      announce(t(decision === 'linked' ? 'message.linked' : 'message.unlinked'));
      await loadRelated();
      await loadEvents();
    } catch (error) {
      handleError(error);
    } finally {
      state.busy = false;
    }
  }

  function describe(action, value) {
    if (value === null || value === undefined || value === '') {
      return t('detail.none');
    }
    if (Array.isArray(value)) {
      return value.join(', ');
    }
    if (typeof value === 'object') {
      return JSON.stringify(value);
    }
    return action === 'status-changed' && STATUSES.includes(value) ? named('status', value) : String(value);
  }

  // Sends one change with the ETag the user saw; on success shows the new detail and trail.
  async function change(kind, body) {
    if (!state.tip || state.busy) {
      return false;
    }
    clearAlert();
    $('conflict').hidden = true;
    state.busy = true;
    $('detail').setAttribute('aria-busy', 'true');
    try {
      const result = await api('POST', '/api/triage/tips/' + encodeURIComponent(state.tip.id) + '/' + kind, body, state.etag);
      showTip(result.json, result.etag, kind !== 'notes');
      announce(t('message.saved'));
      await loadEvents();
      loadQueues();
      return true;
    } catch (error) {
      handleError(error);
      return false;
    } finally {
      state.busy = false;
      $('detail').setAttribute('aria-busy', 'false');
    }
  }

  async function reloadTip() {
    if (!state.tip) {
      return;
    }
    let result;
    try {
      result = await api('GET', '/api/triage/tips/' + encodeURIComponent(state.tip.id));
    } catch (error) {
      handleError(error);
      return;
    }
    $('conflict').hidden = true;
    // What the user typed in the note box stays.
    showTip(result.json, result.etag, true);
    await loadEvents();
    announce(t('message.loaded'));
    $('detail-title').focus();
  }

  function setUpActions() {
    $('status-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const status = $('status-select').value;
      if (status) {
        change('status', { status });
      }
    });
    $('assign-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const assignee = $('assignee').value.trim();
      change('assignment', { assignee: assignee || null });
    });
    $('unassign').addEventListener('click', () => change('assignment', { assignee: null }));
    $('label-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const label = $('label-add').value.trim();
      if (!label) {
        showAlert(t('error.labelEmpty'));
        return;
      }
      if (await change('labels', { add: [label], remove: [] })) {
        $('label-add').value = '';
      }
    });
    $('note-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const text = $('note-text').value;
      if (!text.trim()) {
        showAlert(t('error.noteEmpty'));
        $('note-text').focus();
        return;
      }
      if (await change('notes', { text })) {
        $('note-text').value = '';
      }
    });
    $('conflict-reload').addEventListener('click', reloadTip);
    $('detail-close').addEventListener('click', () => {
      const id = state.tip ? String(state.tip.id) : null;
      $('detail').hidden = true;
      $('detail-placeholder').hidden = false;
      state.tip = null;
      renderTips();
      const back = id ? $('tip-list').querySelector('button[data-id="' + CSS.escape(id) + '"]') : null;
      (back || $('tips-title')).focus();
    });
    $('detail').addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && state.tip) {
        event.preventDefault();
        focusOpenTipInList();
      }
    });
    $('tip-list').addEventListener('keydown', onListKey);
    $('tip-list').addEventListener('focusin', onListFocus);
    $('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      runSearch();
    });
    $('search-clear').addEventListener('click', clearSearch);
    $('tips-more').addEventListener('click', () => loadTips(true));
    $('bulk-dismiss').addEventListener('click', dismissSelected);
    $('queues-refresh').addEventListener('click', () => {
      loadQueues();
      loadTips(false);
    });
    $('status-filter').addEventListener('change', () => {
      state.status = $('status-filter').value;
      loadTips(false);
    });
    $('signout').addEventListener('click', signOut);
  }

  function start() {
    setUpActions();
    setUpSignIn();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
