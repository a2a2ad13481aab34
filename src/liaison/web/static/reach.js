// Who can read a marking (issue 16): under every marking field, the answer of
// GET /api/v1/markings/reach for what is typed, with a warning for each named release that
// cannot reach its partner. Text only (textContent), from the app's own origin (CSP).
(function () {
  "use strict";
  var DELAY = 300;

  function boxFor(input) {
    var anchor = input.closest("label") || input;
    var next = anchor.nextElementSibling;
    if (next && next.hasAttribute("data-reach")) return next;
    var box = document.createElement("div");
    box.className = "reach";
    box.setAttribute("data-reach", "");
    box.setAttribute("aria-live", "polite");
    anchor.insertAdjacentElement("afterend", box);
    return box;
  }

  function line(box, className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    box.appendChild(p);
  }

  function show(box, answer) {
    box.replaceChildren();
    line(box, "reach-summary", answer.summary);
    answer.warnings.forEach(function (w) { line(box, "reach-warning", "⚠ " + w); });
  }

  function ask(input, box) {
    var text = input.value.trim();
    if (!text) { box.replaceChildren(); return; }
    var url = "/api/v1/markings/reach?marking=" + encodeURIComponent(text);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (input.value.trim() !== text) return; // a newer answer is on its way
        if (result.ok) { show(box, result.body); return; }
        box.replaceChildren();
        line(box, "reach-error", result.body.detail || "cannot read this marking");
      })
      .catch(function () { box.replaceChildren(); });
  }

  function watch(input) {
    if (input.hasAttribute("data-reach-watched")) return;
    input.setAttribute("data-reach-watched", "");
    var box = boxFor(input);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { ask(input, box); }, DELAY);
    });
    if (input.value.trim() && !box.children.length) ask(input, box);
  }

  function start(root) {
    (root || document).querySelectorAll("input[name='marking']").forEach(watch);
  }
  // A form HTMX swaps in (a comment box, an edited row) gets its box too.
  document.addEventListener("htmx:load", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.querySelectorAll) start(event.detail.elt);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { start(); });
  } else {
    start();
  }
})();
