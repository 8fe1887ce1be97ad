/* Provider signature page: the drawing pad and the live preview of a typed signature.
 *
 * Markup (templates/signatures/page.html), no inline script:
 *   <form data-signature-form>
 *     <input type="hidden" data-signature-input>        receives pad.toDataURL("image/png") on submit
 *     <p data-signature-nojs>                            hidden once the pad works
 *     <div data-signature-controls hidden>               shown once the pad works (JavaScript on)
 *       <canvas data-signature-pad>
 *       <p data-signature-status aria-live="polite">     messages (empty pad, cleared)
 *       <button type="button" data-signature-clear>
 *   <input data-typed-source="ID">                       its value is mirrored into element #ID
 */
(function () {
  "use strict";

  // The server refuses images over 2000 x 1000 pixels: never make the canvas bigger than that.
  var MAX_WIDTH = 2000;
  var MAX_HEIGHT = 1000;
  var EMPTY_MESSAGE = "Draw your signature before saving.";

  function setupPad(form) {
    var canvas = form.querySelector("canvas[data-signature-pad]");
    var input = form.querySelector("[data-signature-input]");
    var status = form.querySelector("[data-signature-status]");
    var controls = form.querySelector("[data-signature-controls]");
    var clearButton = form.querySelector("[data-signature-clear]");
    var SignaturePad = window.SignaturePad && (window.SignaturePad.default || window.SignaturePad);
    if (!canvas || !input || typeof SignaturePad !== "function") {
      return;
    }
    if (controls) {
      controls.hidden = false;
    }
    form.querySelectorAll("[data-signature-nojs]").forEach(function (note) {
      note.hidden = true;
    });
    var pad = new SignaturePad(canvas, { penColor: "rgb(20, 20, 60)" });
    var lastWidth = 0;
    var lastHeight = 0;

    function say(message, invalid) {
      if (status) {
        status.textContent = message;
      }
      if (invalid) {
        canvas.setAttribute("aria-invalid", "true");
      } else {
        canvas.removeAttribute("aria-invalid");
      }
    }

    // As signature_pad's README recommends: size the canvas for the device pixel ratio and redraw
    // the strokes, since changing the canvas size clears it. Only when the size really changed
    // (mobile browsers fire resize on scroll when the address bar hides).
    function resizeCanvas() {
      var width = canvas.offsetWidth;
      var height = canvas.offsetHeight;
      if (!width || !height || (width === lastWidth && height === lastHeight)) {
        return; // hidden (a closed <details>) or unchanged
      }
      lastWidth = width;
      lastHeight = height;
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      ratio = Math.min(ratio, MAX_WIDTH / width, MAX_HEIGHT / height);
      var strokes = pad.toData();
      canvas.width = Math.floor(width * ratio);
      canvas.height = Math.floor(height * ratio);
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear(); // keeps isEmpty() in step with the now blank canvas
      if (strokes.length) {
        pad.fromData(strokes);
      }
    }

    window.addEventListener("resize", resizeCanvas);
    var details = form.closest("details");
    if (details) {
      details.addEventListener("toggle", function () {
        if (details.open) {
          resizeCanvas();
        }
      });
    }
    resizeCanvas();

    pad.addEventListener("beginStroke", function () {
      if (status && status.textContent) {
        say("", false);
      }
    });

    if (clearButton) {
      clearButton.addEventListener("click", function () {
        pad.clear();
        input.value = "";
        say("Drawing cleared.", false);
      });
    }

    form.addEventListener("submit", function (event) {
      if (pad.isEmpty()) {
        event.preventDefault();
        input.value = "";
        say(EMPTY_MESSAGE, true);
        return;
      }
      input.value = pad.toDataURL("image/png");
    });
  }

  function setupTypedPreview(source) {
    var preview = document.getElementById(source.getAttribute("data-typed-source"));
    if (!preview) {
      return;
    }
    source.addEventListener("input", function () {
      // textContent: what is typed is never parsed as markup.
      preview.textContent = source.value.replace(/\s+/g, " ").trim();
    });
  }

  function init() {
    document.querySelectorAll("form[data-signature-form]").forEach(setupPad);
    document.querySelectorAll("[data-typed-source]").forEach(setupTypedPreview);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
