// Small progressive enhancement: every page works without it.
// Move focus to the error summary so keyboard and screen-reader users hear
// the problem first (GOV.UK pattern), and make its links focus the field.
const summary = document.querySelector('.error-summary');
// After a save, focus the message that says so (no error to hear first).
const saved = document.querySelector('.success-message');
if (saved && !summary) saved.focus();
if (summary) {
  summary.focus();
  summary.querySelectorAll('a[href^="#"]').forEach((link) => {
    link.addEventListener('click', (event) => {
      const field = document.getElementById(link.getAttribute('href').slice(1));
      if (field) {
        event.preventDefault();
        field.scrollIntoView({ block: 'center' });
        field.focus();
      }
    });
  });
}
// Ask before a form that says so (a Remove button on the timeline) is sent.
document.querySelectorAll('form[data-confirm]').forEach((form) => {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
// A Print button where a page offers one (the page works without it: the
// browser's own Print command does the same).
document.querySelectorAll('button[data-print]').forEach((button) => {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
});
// A table (or chart) wider than the screen scrolls inside its own box: let
// the keyboard reach it too, so it can be scrolled with the arrow keys.
const reachScrollers = () => {
  document.querySelectorAll('main table, main figure, main .table-scroll').forEach((box) => {
    if (box.scrollWidth > box.clientWidth + 1) box.tabIndex = 0;
    else if (box.tabIndex === 0 && !box.classList.contains('table-scroll')) box.removeAttribute('tabindex');
  });
};
reachScrollers();
window.addEventListener('resize', reachScrollers);
