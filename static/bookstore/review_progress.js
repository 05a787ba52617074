// Polls a bulk operation's progress and updates the page; reloads once when it finishes, so
// that the final counts and reasons appear.
(function () {
  "use strict";
  const box = document.getElementById("bulk-progress");
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
          if (el.dataset.field in data) el.textContent = Number.isInteger(data[el.dataset.field]) ? data[el.dataset.field].toLocaleString() : data[el.dataset.field];
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
})();
