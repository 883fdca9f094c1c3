/* Small forms that POST one record to the API (attempts, referrals, clinical notes) and reload. */
(function () {
  "use strict";
  var MHU = window.MHU;

  function body(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.disabled) return;
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

  document.querySelectorAll("form.api-form").forEach(function (form) {
    form.querySelectorAll("[data-default-now]").forEach(function (input) {
      if (!input.value) input.value = MHU.localInputValue(new Date());
    });
    var key = null;  // one Idempotency-Key per form until it succeeds: double taps record once
    var busy = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      var errors = missingRequired(form);
      if (Object.keys(errors).length) { MHU.showErrors(form, errors); return; }
      var payload = body(form);
      var fingerprint = JSON.stringify(payload);
      if (!key || form.dataset.fingerprint !== fingerprint) key = MHU.uuid();
      form.dataset.fingerprint = fingerprint;
      busy = true;
      MHU.clearErrors(form);
      MHU.request("POST", form.dataset.api, payload, { "Idempotency-Key": key }).then(function (res) {
        busy = false;
        if (res.ok) { window.location.reload(); return; }
        MHU.showErrors(form, MHU.fieldErrors(res.body), (res.body && res.body.message) || "Not saved.");
      }, function () {
        busy = false;
        MHU.showErrors(form, {}, "No network: not saved. Try again when you have signal.");
      });
    });
  });
})();
