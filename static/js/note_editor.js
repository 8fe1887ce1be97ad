/* The note editor's safety net (templates/notes/editor.html; no inline script).
 *
 * htmx autosaves the draft as the therapist types (hx-trigger on the form). This adds:
 *  - a save when the page is left (pagehide / tab hidden): navigator.sendBeacon posts the form, CSRF
 *    token and version included, so a click on another link loses nothing typed since the last save;
 *  - a copy of the form in this tab's sessionStorage while a save is outstanding. If the session expired
 *    (the save answers 401 and htmx goes to sign in), the copy is put back into the editor after signing
 *    in again and saved. The copy is removed as soon as a save succeeds; sessionStorage belongs to the
 *    tab and is cleared when it closes.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-note-autosave]");
  if (!form) { return; }
  var key = "caseload-note-draft-" + form.getAttribute("data-note-id");
  var dirty = false;

  function fields() {
    var kept = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") { kept[name] = value; }
    });
    return kept;
  }
  function keep() {
    try { sessionStorage.setItem(key, JSON.stringify(fields())); } catch (e) { /* storage full or off */ }
  }
  function forget() {
    try { sessionStorage.removeItem(key); } catch (e) { /* ignore */ }
  }

  // Put back what an expired session kept from this note, then save it (through htmx, as typing would).
  var saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
  if (saved) {
    Object.keys(saved).forEach(function (name) {
      if (name === "version") { return; }
      var el = form.elements.namedItem(name);
      if (!el || el.type === "file") { return; }
      if (el.type === "checkbox") { el.checked = saved[name] === "on"; }
      else if (el instanceof RadioNodeList) { el.value = saved[name]; }
      else { el.value = saved[name]; }
    });
    var status = document.getElementById("save-status");
    if (status) { status.textContent = "Your text from before signing in again was put back; saving it."; }
    // Once htmx has set the form up (it loads deferred, like this file), save what was put back.
    setTimeout(function () { form.dispatchEvent(new Event("change", { bubbles: true })); }, 300);
  }

  // Number every save of this page (autosave, beacon, buttons): the server keeps the newest one.
  var seqField = document.getElementById("note-seq");
  var seq = 0;
  function nextSeq() { seq += 1; if (seqField) { seqField.value = String(seq); } return seq; }
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt === form) { event.detail.parameters.seq = String(nextSeq()); }
  });

  form.addEventListener("input", function () {
    if (!dirty) {
      var line = document.getElementById("save-status");
      if (line && !saving) { line.textContent = "Unsaved changes (saving in a moment)."; }
    }
    dirty = true;
    keep();
  });
  form.addEventListener("change", function () { dirty = true; keep(); });

  // A button pressed while an autosave is on its way (leaving a field saves it) waits for that save,
  // so that it posts the version the save answered, not the one before it.
  var saving = false;
  var heldButton = null;
  var statusLine = document.getElementById("save-status");
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt === form) {
      saving = true;
      statusLine = document.getElementById("save-status");
      if (statusLine) { statusLine.textContent = "Saving…"; }
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form) { return; }
    saving = false;
    var code = event.detail.xhr.status;
    if (code === 200) { dirty = false; forget(); }
    else if (code === 401) { keep(); }
    if (heldButton === null) { return; }
    if (code !== 200 && code !== 422) { heldButton = null; return; }
    // htmx issues a save queued behind this one (hx-sync "queue last") right after this event: let it start,
    // and wait for it too, so the button posts the version the last save answered.
    setTimeout(function () {
      if (saving || heldButton === null) { return; }
      var button = heldButton;
      heldButton = null;
      form.requestSubmit(button || undefined);
    }, 0);
  });
  // The explicit buttons (Save Draft, Forward, Finalize) post the whole form: nothing to send on leaving.
  form.addEventListener("submit", function (event) {
    if (saving) {
      event.preventDefault();
      heldButton = event.submitter || false;
      return;
    }
    nextSeq();
    dirty = false;
    forget();
  });

  function saveOnLeave() {
    if (!dirty || !navigator.sendBeacon) { return; }
    dirty = false;
    nextSeq();
    navigator.sendBeacon(form.getAttribute("hx-post"), new FormData(form));
  }
  window.addEventListener("pagehide", saveOnLeave);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { saveOnLeave(); }
  });
})();
