// The survey hand-out's Print button (a file, not inline: the pages' CSP refuses inline scripts).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
