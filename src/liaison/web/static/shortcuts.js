// Keyboard shortcuts: "/" focuses the header's search box (as on GitHub), unless one is typing.
document.addEventListener("keydown", function (event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  var target = event.target;
  var tag = target && target.tagName;
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
  var box = document.querySelector("input[data-shortcut='/']");
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});
