// The quick exit (docs/architecture.md, "The web front"): the header's link, or Escape twice within a second, empties
// the form and replaces this page with an innocuous one, so that Back does not return to it.

const ESCAPE_WINDOW_MS = 1000;

export function setUpQuickExit() {
  const link = document.getElementById('quick-exit');
  if (!link) {
    return;
  }
  const target = link.href;
  const leave = () => {
    const form = document.getElementById('tip-form');
    if (form) {
      form.reset();
    }
    // replace(), not assign(): the page leaves the history, so Back does not return to it.
    window.location.replace(target);
  };
  link.addEventListener('click', (event) => {
    event.preventDefault();
    leave();
  });
  let lastEscape = 0;
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' && event.key !== 'Esc') {
      return;
    }
    const now = Date.now();
    if (now - lastEscape <= ESCAPE_WINDOW_MS) {
      leave();
    }
    lastEscape = now;
  });
}
