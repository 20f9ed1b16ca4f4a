// The board: SortableJS reports a drop; htmx posts the move. The server answers 204 with a
// "board-refresh" event (the board reloads itself), or with the gate dialog when the stage
// needs fields first — the card then goes back to its column until the dialog completes.
(function () {
  "use strict";

  function bind() {
    document.querySelectorAll(".column-body").forEach(function (body) {
      if (body.dataset.sortable) return;
      body.dataset.sortable = "1";
      new Sortable(body, {
        group: "deals",
        animation: 120,
        forceFallback: true, // mouse and touch events rather than native drag: the same everywhere, testable
        draggable: ".deal-card",
        onEnd: function (event) {
          if (event.from === event.to) return;
          const card = event.item;
          card.classList.add("moving");
          htmx.ajax("POST", card.dataset.moveUrl, {
            target: "#dialog",
            swap: "innerHTML",
            values: { stage: event.to.dataset.stageId },
          });
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", bind);
  document.addEventListener("htmx:afterSettle", bind);
})();
