// vmyard: the little behaviour the pages need beyond htmx. Everything works without it;
// it shows moments in the reader's time zone and asks before a destructive form is sent
// (forms with data-confirm).
// Moments (`<time datetime>`) are shown in the reader's own time zone, with their age.
function localTimes(root) {
  root.querySelectorAll("time[datetime]").forEach((t) => {
    const d = new Date(t.getAttribute("datetime"));
    if (isNaN(d)) return;
    const local = d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
    t.textContent = t.dataset.age ? `${local} · ${t.dataset.age}` : local;
  });
}
document.addEventListener("DOMContentLoaded", () => localTimes(document));
document.addEventListener("htmx:afterSettle", () => localTimes(document));

document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
