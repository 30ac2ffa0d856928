// Where the focus goes after an htmx swap, and on a page that comes back with a
// form's errors (docs/decisions.md, "Errors and focus after a swap"). Without
// it a swap that replaces the focused element leaves the focus on <body>, and a
// screen reader user hears nothing of what happened.
//
// In order: an element the response marks with `data-focus` (a form's error
// summary, a conflict's message); else the element the server named in the
// `focus-after-swap` event (HX-Trigger-After-Settle: the new log entry, the
// step just ticked); else, if the swap took the focused element away, the
// swapped section itself (a swap elsewhere, like the draft status, leaves it be).
(function () {
  "use strict";
  var named = null;     // the id the last response named
  var replaced = null;  // the id of the swap's target, if the focus was inside it

  function focus(element) {
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  function lost() {
    var active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  function settle() {
    var element = document.querySelector("[data-focus]");
    if (element) {
      element.removeAttribute("data-focus");  // once: a later swap elsewhere keeps its own focus
    } else if (named) {
      element = document.getElementById(named);
    }
    if (!element && lost() && replaced) {
      element = document.getElementById(replaced);
    }
    named = replaced = null;
    if (element) focus(element);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    replaced = target && target.id && target.contains(document.activeElement) ? target.id : null;
  });
  document.addEventListener("focus-after-swap", function (event) {
    named = event.detail.value;
  });
  // After every settle (an out-of-band part settles too), once the response's
  // after-settle events have run.
  document.addEventListener("htmx:afterSettle", function () {
    window.setTimeout(settle, 0);
  });
  // A page that came back with errors (a plain post, without htmx).
  settle();
}());
