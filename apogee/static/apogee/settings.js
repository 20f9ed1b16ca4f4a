// Settings pages: drag-and-drop ordering (SortableJS reports the drop, htmx posts the new order and
// swaps in the list as stored), the options box that only option types need, and copy-to-clipboard.
(function () {
  "use strict";

  function within(root, selector) {
    const found = Array.from(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }

  function initSortables(root) {
    if (typeof Sortable === "undefined") return;
    within(root, "[data-sortable]").forEach(function (list) {
      if (list.dataset.sortableReady) return;
      list.dataset.sortableReady = "1";
      Sortable.create(list, {
        handle: list.dataset.sortableHandle,
        draggable: "[data-id]",
        animation: 150,
        forceFallback: true, // mouse and touch events rather than native drag, as on the board: testable
        ghostClass: "sortable-ghost",
        onEnd: function (event) {
          if (event.oldIndex === event.newIndex) return;
          const ids = Array.from(list.children)
            .filter(function (el) { return el.dataset && el.dataset.id; })
            .map(function (el) { return el.dataset.id; });
          htmx.ajax("POST", list.dataset.sortableUrl, {
            source: list,
            target: list.dataset.sortableTarget,
            swap: "outerHTML",
            values: { order: ids.join(",") },
          });
        },
      });
    });
  }

  const OPTION_TYPES = ["single_option", "multiple_options"];

  function initOptionsToggle(root) {
    within(root, "select[name=field_type]").forEach(function (select) {
      const input = select.form && select.form.querySelector("[data-options-input]");
      const field = input && input.closest(".field");
      if (!field) return;
      const update = function () { field.hidden = OPTION_TYPES.indexOf(select.value) === -1; };
      select.addEventListener("change", update);
      update();
    });
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.querySelector(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = button.dataset.copied || button.textContent;
    });
  });

  htmx.onLoad(function (root) {
    initSortables(root);
    initOptionsToggle(root);
  });
})();
