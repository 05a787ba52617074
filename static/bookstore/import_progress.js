// Polls an import job's progress and updates the page; reloads once when the job finishes so
// that the failed rows and the retry button appear.
(function () {
  "use strict";
  const box = document.getElementById("import-progress");
  if (!box || box.dataset.finished === "true") return;
  const url = box.dataset.progressUrl;
  const bar = box.querySelector("progress");

  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        bar.value = data.percent;
        for (const el of box.querySelectorAll("[data-field]")) {
          if (el.dataset.field in data) el.textContent = data[el.dataset.field];
        }
        if (data.finished) {
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
})();
