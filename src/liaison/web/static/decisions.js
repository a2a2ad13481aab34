// Countdown to a procedure's deadline: updates every [data-deadline] element each second.
// (The server renders the same text; this only keeps it moving. CSP: no inline scripts.)
(function () {
  function left(ms) {
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), r = s % 60;
    if (d) return d + " d " + h + " h";
    if (h) return h + " h " + m + " min";
    return m ? m + " min " + r + " s" : r + " s";
  }
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var ms = Date.parse(el.getAttribute("data-deadline")) - Date.now();
      el.textContent = ms > 0 ? "in " + left(ms) : "now";
    });
  }
  setInterval(tick, 1000);
})();
