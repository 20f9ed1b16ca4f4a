// Glue shared by every page: the modal dialog that htmx fragments open, toasts, and
// re-running page scripts after swaps. Small on purpose: htmx does the requests.
(function () {
  "use strict";

  function dialog() { return document.getElementById("dialog"); }

  document.addEventListener("htmx:afterSwap", function (event) {
    const d = dialog();
    if (event.detail.target === d && d.innerHTML.trim() !== "" && !d.open) {
      d.showModal();
      const first = d.querySelector("input:not([type=hidden]), select, textarea, button");
      if (first) first.focus();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]")) {
      const d = dialog();
      d.close();
      d.innerHTML = "";
    }
  });

  document.addEventListener("close-dialog", function () {
    const d = dialog();
    if (d.open) d.close();
    d.innerHTML = "";
  });

  function toast(text, kind) {
    const box = document.getElementById("toast");
    if (!box) return;
    const item = document.createElement("div");
    item.className = "message " + (kind || "");
    item.textContent = text;
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 5000);
  }
  window.apogeeToast = toast;

  document.addEventListener("toast", function (event) {
    toast(event.detail.value || event.detail.message, event.detail.kind);
  });

  // A server error must never leave the user guessing: say so, keep the page as it was.
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status >= 500) toast(document.body.dataset.textServerError, "error");
  });
})();

// The custom-field filter builder shared by the board and the list: it adds a hidden
// f=<key>:<op>:<value> input per condition and submits the filter form.
(function () {
  "use strict";

  function valueInput(form) {
    const field = form.querySelector("[data-custom-filter-field]");
    const slot = form.querySelector("[data-custom-filter-value-slot]");
    const option = field.options[field.selectedIndex];
    const options = option && option.dataset.options ? JSON.parse(option.dataset.options) : [];
    let input;
    if (options.length) {
      input = document.createElement("select");
      options.forEach(function (pair) {
        const o = document.createElement("option");
        o.value = pair[0];
        o.textContent = pair[1];
        input.appendChild(o);
      });
    } else {
      input = document.createElement("input");
      input.type = option && option.dataset.type === "date" ? "date" : "text";
    }
    input.setAttribute("data-custom-filter-value", "");
    input.setAttribute("aria-label", document.body.dataset.textValue || "Value");
    slot.replaceChildren(input);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-custom-filter-field]")) valueInput(event.target.form);
  });

  document.addEventListener("click", function (event) {
    const add = event.target.closest("[data-custom-filter-add]");
    if (add) {
      const form = add.form;
      const key = form.querySelector("[data-custom-filter-field]").value;
      const op = form.querySelector("[data-custom-filter-op]").value;
      const value = form.querySelector("[data-custom-filter-value]").value;
      if (!key) return;
      const hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "f";
      hidden.value = key + ":" + op + ":" + value;
      form.appendChild(hidden);
      form.submit();
      return;
    }
    const remove = event.target.closest("[data-remove-chip]");
    if (remove) {
      const form = remove.closest("form");
      remove.closest(".chip").remove();
      form.submit();
    }
  });
})();

// Destructive forms carry data-confirm: ask before they post (htmx forms use hx-confirm instead).
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
