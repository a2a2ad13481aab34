// A page previewed as a partner (?preview=KOR; issue 16): its links, search forms and HTMX
// requests stay in the preview, so one can walk the pages as the partner's mission would.
// (The server decides what a preview shows; this only keeps one in it.)
(function () {
  "use strict";
  function start() {
    var code = document.body.getAttribute("data-preview");
    if (!code) return;
    document.querySelectorAll("a[href]").forEach(function (a) {
      if (a.closest(".preview-bar")) return;
      var url = new URL(a.getAttribute("href"), window.location.href);
      if (url.origin !== window.location.origin) return;
      if (/^\/(static|api|taxii2|logout)(\/|$)/.test(url.pathname)) return;
      url.searchParams.set("preview", code);
      a.setAttribute("href", url.pathname + url.search + url.hash);
    });
    document.querySelectorAll("form").forEach(function (form) {
      if ((form.getAttribute("method") || "get").toLowerCase() !== "get") return;
      if (form.querySelector("input[name='preview']")) return;
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "preview";
      hidden.value = code;
      form.appendChild(hidden);
    });
  }
  // What HTMX asks for (a filter, a sort, a next page) is asked as the partner too.
  document.addEventListener("htmx:configRequest", function (event) {
    var code = document.body.getAttribute("data-preview");
    if (code && event.detail.verb === "get") event.detail.parameters.preview = code;
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
