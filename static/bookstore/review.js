// Keyboard shortcuts of the review page: a = approve selected fields, s = approve the safe
// proposal, d = dismiss, r = type a reason, n = next request. Elements opt in with
// data-review-key; keys typed into a field, or with a modifier, are left alone.
(function () {
  "use strict";
  const reason = document.getElementById("dismiss-reason");

  function typing(target) {
    if (!target || !target.tagName) return false;
    const tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || target.isContentEditable) return true;
    return tag === "input" && !["checkbox", "radio", "button", "submit"].includes(target.type);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const key = event.key.toLowerCase();
    if (key === "r" && reason) {
      event.preventDefault();
      reason.focus();
      return;
    }
    const target = document.querySelector('[data-review-key="' + key + '"]');
    if (!target) return;
    event.preventDefault();
    target.click();
  });
})();
