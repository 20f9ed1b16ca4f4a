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
    if (event.detail.xhr.status >= 500) toast("Something went wrong; nothing was changed.", "error");
  });
})();
