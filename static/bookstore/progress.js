// Polls a long job's progress (an import, a bulk operation) and updates the page: every
// element with data-progress-url is a progress box whose [data-field] children show the
// JSON answer's keys. Reloads once when the job finishes or stalls, so that the final counts,
// failed rows and buttons appear.
(function () {
  "use strict";
  // Figures as the server writes the page, in its language (<html lang>, Django's l10n), never
  // in the browser's: a German browser on an English page would turn "1,234" into "1.234".
  const pageLanguage = document.documentElement.lang || undefined;
  for (const box of document.querySelectorAll("[data-progress-url]")) {
    if (box.dataset.finished === "true") continue;
    const url = box.dataset.progressUrl;
    const bar = box.querySelector("progress");

    async function poll() {
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (response.ok) {
          const data = await response.json();
          if (bar) bar.value = data.percent;
          for (const el of box.querySelectorAll("[data-field]")) {
            const value = data[el.dataset.field];
            if (value !== undefined) el.textContent = Number.isInteger(value) ? value.toLocaleString(pageLanguage) : value;
          }
          if (data.finished || data.stalled) {
            window.location.reload();
            return;
          }
        }
      } catch (error) {
        // A dropped request (server restarting) is retried on the next tick.
      }
      window.setTimeout(poll, 1000);
    }
    window.setTimeout(poll, 1000);
  }
})();
