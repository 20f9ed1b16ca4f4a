/* The header search box: a combobox over the suggestions htmx loads into its listbox.
   "/" on any page (outside a field) focuses it; ArrowDown/ArrowUp move through the options,
   Enter opens the active one (or, with none, submits the full search), Escape closes. */
(function () {
  "use strict";

  function input() { return document.getElementById("global-search-input"); }
  function listbox() { return document.getElementById("global-search-listbox"); }
  function options() { return Array.prototype.slice.call(listbox().querySelectorAll('[role="option"]')); }
  function isOpen() { return !listbox().hidden; }

  function setActive(index) {
    var all = options();
    all.forEach(function (option, i) {
      var on = i === index;
      option.classList.toggle("active", on);
      option.setAttribute("aria-selected", on ? "true" : "false");
      if (on) { option.scrollIntoView({ block: "nearest" }); }
    });
    if (index >= 0 && all[index]) {
      input().setAttribute("aria-activedescendant", all[index].id);
    } else {
      input().removeAttribute("aria-activedescendant");
    }
  }

  function activeIndex() {
    return options().findIndex(function (option) { return option.classList.contains("active"); });
  }

  function open() {
    listbox().hidden = false;
    input().setAttribute("aria-expanded", "true");
  }

  function close() {
    if (!listbox()) { return; }
    setActive(-1);
    listbox().hidden = true;
    input().setAttribute("aria-expanded", "false");
  }

  function typingInAField(target) {
    if (!target || !target.closest) { return false; }
    return target.isContentEditable || !!target.closest("input, textarea, select, [contenteditable]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (!input() || typingInAField(event.target)) { return; }
    var dialog = document.querySelector("dialog[open]");
    if (dialog) { return; }
    event.preventDefault();
    input().focus();
    input().select();
  });

  document.addEventListener("keydown", function (event) {
    if (event.target !== input()) { return; }
    var all = options();
    var index = activeIndex();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) { return; }
      event.preventDefault();
      open();
      var step = event.key === "ArrowDown" ? 1 : -1;
      // From nothing, down goes to the first option and up to the last; the ends wrap.
      var next = index < 0 ? (step > 0 ? 0 : all.length - 1) : (index + step + all.length) % all.length;
      setActive(next);
    } else if (event.key === "Enter") {
      if (isOpen() && index >= 0) {
        event.preventDefault();
        window.location.assign(all[index].href);
      }
      // Otherwise the form submits: the full results page.
    } else if (event.key === "Escape") {
      if (isOpen()) {
        // The browser would also clear the box; the words typed are kept.
        event.preventDefault();
        close();
      } else {
        input().blur();
      }
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (!listbox() || event.detail.target !== listbox()) { return; }
    if (options().length && document.activeElement === input() && input().value.trim()) {
      open();
      setActive(-1);
    } else {
      close();
    }
  });

  document.addEventListener("input", function (event) {
    // An emptied box closes at once, without waiting for the (empty) answer.
    if (event.target === input() && !input().value.trim()) { close(); }
  });

  document.addEventListener("mousemove", function (event) {
    var option = event.target.closest && event.target.closest("#global-search-listbox [role=option]");
    if (option) { setActive(options().indexOf(option)); }
  });

  document.addEventListener("focusin", function (event) {
    if (event.target === input() && options().length && input().value.trim()) { open(); }
  });

  document.addEventListener("focusout", function (event) {
    var form = input() && input().form;
    if (!form || !form.contains(event.target)) { return; }
    // Focus moving to an option (a click) keeps the list open long enough to follow the link.
    if (event.relatedTarget && form.contains(event.relatedTarget)) { return; }
    close();
  });
})();
