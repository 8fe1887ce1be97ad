// Keep the keyboard user's place: after a page load or an htmx swap, focus the element the server
// marked with data-focus (the error summary after a failed submit, the first field of a new address).
// Rows swapped by htmx use the standard autofocus attribute, which htmx itself honours.
(function () {
  function focusMarked(root) {
    var el = (root || document).querySelector("[data-focus]");
    if (!el) { return; }
    el.removeAttribute("data-focus");
    el.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusMarked(document); });
  document.addEventListener("htmx:afterSettle", function (event) { focusMarked(event.detail.elt); });
})();

// A form answered with errors is rendered at the URL it was posted to (/notes/5/finalize): put the
// page's own address back (<meta name="caseload-page-url">) so that Reload asks for the page, not
// for the form to be sent again.
(function () {
  var meta = document.querySelector('meta[name="caseload-page-url"]');
  if (meta && window.history && window.location.pathname !== meta.content) {
    window.history.replaceState(null, "", meta.content);
  }
})();
