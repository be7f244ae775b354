// The search form: words or a place, and filters; its results replace the list until the search is cleared or a
// queue is chosen. What was searched for is forgotten when the session ends.

import { currentView, showView } from './triage-list.js';
import { markShownQueue } from './triage-queues.js';
import { $, clearAlert, showAlert, t } from './triage-page.js';

// Each search parameter of the API and the field that holds it.
const SEARCH_FIELDS = [
  ['q', 'search-q'], ['category', 'search-category'], ['urgency', 'search-urgency'], ['country', 'search-country'],
  ['receivedFrom', 'search-from'], ['receivedTo', 'search-to'], ['label', 'search-label'], ['assignee', 'search-assignee'],
  ['awaiting', 'search-awaiting'], ['answers', 'search-answers'],
];

// A checkbox gives its value when ticked (the follow-up flags), any other field what was typed or chosen.
function valueOf(field) {
  return field.type === 'checkbox' ? (field.checked ? field.value : '') : field.value.trim();
}

function runSearch() {
  clearAlert();
  const params = {};
  for (const [name, id] of SEARCH_FIELDS) {
    const value = valueOf($(id));
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
  $('search-clear').hidden = false;
  showView({ queue: currentView().queue, overdue: false, search: params });
  markShownQueue();
}

function emptyFields() {
  for (const [, id] of SEARCH_FIELDS) {
    if ($(id).type === 'checkbox') {
      $(id).checked = false;
    } else {
      $(id).value = '';
    }
  }
  $('search-clear').hidden = true;
}

function clearSearch() {
  emptyFields();
  const { queue, overdue } = currentView();
  showView({ queue, overdue });
  markShownQueue();
  $('search-q').focus();
}

/** Forgets what was searched for (signing out); the list itself is emptied by triage-list.js. */
export function resetSearch() {
  emptyFields();
}

/** Fills the category and urgency filters from the server's lists and wires the form. */
export function setUpSearch() {
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    runSearch();
  });
  $('search-clear').addEventListener('click', clearSearch);
}
