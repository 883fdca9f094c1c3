/* Small forms that POST one record to the API (attempts, referrals, clinical notes) and confirm in
   place: the card holding the form is refreshed from the server and says what was saved, so the
   page keeps its scroll position. Forms with an action still work without this script. */
(function () {
  "use strict";
  var MHU = window.MHU;

  function body(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.disabled || input.hasAttribute("data-skip")) return;
      if (input.dataset.type === "bool") { out[input.name] = input.checked; return; }
      if (input.type === "radio" && !input.checked) return;
      if (input.dataset.type === "datetime") {
        var iso = MHU.isoFromInput(input.value);
        if (iso) out[input.name] = iso;
        return;
      }
      var value = input.value.trim();
      if (value) out[input.name] = value;
    });
    return out;
  }

  function missingRequired(form) {
    var errors = {};
    form.querySelectorAll("[required]").forEach(function (input) {
      if (!input.value.trim()) errors[input.name] = ["Required."];
    });
    return errors;
  }

  function prefillNow(root) {
    root.querySelectorAll("form.api-form [data-default-now]").forEach(function (input) {
      if (!input.value) input.value = MHU.localInputValue(new Date());
    });
  }

  /* Swap the card for its fresh copy from the server and put the confirmation in it. A card that
     left the list (its follow-up closed) keeps its place, without its forms, and says so. */
  function confirmInPlace(form, message) {
    var card = form.closest("[data-refresh]");
    if (!card || !card.id) { window.location.reload(); return Promise.resolve(); }
    return fetch(window.location.href, { credentials: "same-origin" }).then(function (res) { return res.text(); }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(card.id);
      if (fresh) {
        fresh = document.importNode(fresh, true);
        card.replaceWith(fresh);
        card = fresh;
        prefillNow(card);
      } else {
        card.querySelectorAll("details.disclosure, form").forEach(function (el) { el.remove(); });
        card.classList.remove("overdue");
        message += " It has left this list.";
      }
      var slot = card.querySelector("[data-confirm]");
      if (slot) {
        MHU.setStatus(slot, message, "ok");
        slot.setAttribute("tabindex", "-1");
        slot.focus({ preventScroll: false });
      }
    }, function () {
      var slot = card.querySelector("[data-confirm]");
      if (slot) MHU.setStatus(slot, message + " (Reload to see it in the list.)", "ok");
    });
  }

  /* What was saved, in words: "Attempt recorded: phone, reached. Follow-up closed: reached engaged." */
  function describe(form, saved) {
    var text = form.dataset.done || "Saved.";
    var words = function (code) { return String(code).replace(/_/g, " "); };
    if (saved && saved.method) {
      text = text.replace(/\.$/, "") + ": " + words(saved.method) + ", " + (saved.reached ? "reached" : "not reached") + ".";
      if (saved.outcome) text += " Follow-up closed: " + words(saved.outcome) + ".";
    }
    return text;
  }

  prefillNow(document);
  var keys = {};  // one Idempotency-Key per form content until it succeeds: double taps record once
  var busy = {};
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("api-form")) return;
    event.preventDefault();
    var api = form.dataset.api;
    if (busy[api]) return;
    var errors = missingRequired(form);
    if (Object.keys(errors).length) { MHU.showErrors(form, errors); return; }
    var payload = body(form);
    var fingerprint = api + JSON.stringify(payload);
    keys[fingerprint] = keys[fingerprint] || MHU.uuid();
    busy[api] = true;
    MHU.clearErrors(form);
    MHU.request("POST", api, payload, { "Idempotency-Key": keys[fingerprint] }).then(function (res) {
      busy[api] = false;
      if (res.ok) { delete keys[fingerprint]; return confirmInPlace(form, describe(form, res.body)); }
      MHU.showErrors(form, MHU.fieldErrors(res.body), (res.body && res.body.message) || "Not saved.");
    }, function () {
      busy[api] = false;
      MHU.showErrors(form, {}, "No network: not saved. Try again when you have signal.");
    });
  });
})();
