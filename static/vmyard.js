// vmyard: the little behaviour the pages need beyond htmx. Everything works without it;
// it only asks before a destructive form is sent (forms with data-confirm).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
