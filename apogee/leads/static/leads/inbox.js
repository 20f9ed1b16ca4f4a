// The inbox's bulk bar: "select all", the count of checked leads, and the owner or label
// picker the chosen action needs. The form posts normally; the server does the rest.
(function () {
  "use strict";

  function refresh(form) {
    const checked = form.querySelectorAll("input[name=ids]:checked").length;
    const count = form.querySelector("[data-bulk-count]");
    count.textContent = checked ? count.dataset.textSome.replace("%s", checked) : count.dataset.textNone;
    form.querySelector("[data-bulk-submit]").disabled = checked === 0;
    const action = form.querySelector("[data-bulk-action]").value;
    form.querySelectorAll("[data-bulk-for]").forEach(function (picker) {
      picker.hidden = picker.dataset.bulkFor.split(" ").indexOf(action) === -1;
    });
  }

  document.addEventListener("change", function (event) {
    const form = event.target.closest("[data-lead-bulk]");
    if (!form) return;
    if (event.target.matches("[data-check-all]")) {
      form.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = event.target.checked; });
    }
    refresh(form);
  });

  function init() { document.querySelectorAll("[data-lead-bulk]").forEach(refresh); }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
})();
