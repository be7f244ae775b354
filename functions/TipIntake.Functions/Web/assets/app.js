// The reporter's pages' entry module (docs/architecture.md, "The web front"): the quick exit on every page, on the
// form page the form's behaviour (form.js) and on the follow-up page its own (follow-up.js), with the server's facts
// from the #facts block. No libraries, no storage of any kind, no logging. A module runs after the page is parsed,
// so the elements are there.
import { readFacts } from './facts.js';
import { setUpFollowUp } from './follow-up.js';
import { setUpForm } from './form.js';
import { setUpQuickExit } from './quick-exit.js';

setUpQuickExit();
const form = document.getElementById('tip-form');
const facts = readFacts();
// Without its facts the form is left as it is: it posts to /submit, where the server checks and encrypts it.
if (form && facts) {
  setUpForm(form, facts);
}
const followUp = document.getElementById('follow-up-form');
if (followUp && facts) {
  setUpFollowUp(followUp, facts);
}
