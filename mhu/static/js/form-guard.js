/* Forms that only their page's script can send (data-needs-script) are never sent by the browser
   itself. Loaded in <head>, before any form exists: a tap on Save before the page's script has
   arrived (a weak signal) would otherwise submit the form natively, which for a form sent as JSON
   means losing what was typed, or, for a form without a method, putting it (names, narratives) in
   the address, the server's access log and the browser history. The tap is held and replayed
   when the page's script calls MHUFormGuard.ready(form). */
(function () {
  "use strict";
  var held = new Map();  // form -> the button that submitted it

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-needs-script")) return;
    if (form.getAttribute("data-needs-script") === "ready") return;
    event.preventDefault();
    event.stopImmediatePropagation();
    held.set(form, event.submitter || null);
  }, true);

  window.MHUFormGuard = {
    /** The page's script now sends this form: mark it so, and send a tap that was held. */
    ready: function (form) {
      form.setAttribute("data-needs-script", "ready");
      if (!held.has(form)) return;
      var submitter = held.get(form);
      held.delete(form);
      if (form.isConnected) form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    },
  };
})();
