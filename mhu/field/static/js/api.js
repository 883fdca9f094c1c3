/* The field pages' link to the JSON API: session cookie + CSRF header, per-field error display. */
(function () {
  "use strict";
  var MHU = (window.MHU = window.MHU || {});

  function cookie(name) {
    var match = document.cookie.split("; ").find(function (part) { return part.indexOf(name + "=") === 0; });
    return match ? decodeURIComponent(match.slice(name.length + 1)) : null;
  }

  /* The cookie is current even when the page came from the offline cache; the meta is the fallback. */
  MHU.csrfToken = function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return cookie("_csrf_token") || (meta ? meta.content : "");
  };

  MHU.uuid = function () {
    return crypto.randomUUID();
  };

  /* Resolves {status, ok, body, headers}; rejects only when the network failed (offline). */
  MHU.request = function (method, url, body, headers) {
    var init = {
      method: method, credentials: "same-origin",
      headers: Object.assign({ "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" }, headers || {}),
    };
    if (method !== "GET") init.headers["X-CSRF-Token"] = MHU.csrfToken();
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      return response.text().then(function (text) {
        var parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = { message: text }; }
        return { status: response.status, ok: response.ok, body: parsed, headers: response.headers };
      });
    });
  };

  /* {field: [messages]} from an API error body (errors.json.<field>, nested lists flattened). */
  MHU.fieldErrors = function (body) {
    var out = {};
    var errors = (body && body.errors) || {};
    Object.keys(errors).forEach(function (location) {
      var fields = errors[location];
      if (typeof fields !== "object" || Array.isArray(fields)) {
        out._form = (out._form || []).concat(fields);
        return;
      }
      Object.keys(fields).forEach(function (name) {
        out[name] = flatten(fields[name]);
      });
    });
    return out;
  };

  function flatten(value) {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.reduce(function (acc, v) { return acc.concat(flatten(v)); }, []);
    if (value && typeof value === "object") {
      return Object.keys(value).reduce(function (acc, k) {
        return acc.concat(flatten(value[k]).map(function (m) { return isNaN(k) ? k + ": " + m : m; }));
      }, []);
    }
    return [String(value)];
  }

  MHU.clearErrors = function (form) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; });
    form.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
  };

  /* Puts each message next to its field; messages for unknown fields go to the form's _form slot. */
  MHU.showErrors = function (form, errors, fallbackMessage) {
    MHU.clearErrors(form);
    var first = null;
    Object.keys(errors).forEach(function (name) {
      var slot = form.querySelector('[data-error-for="' + name + '"]') || form.querySelector('[data-error-for="_form"]');
      var text = (name !== "_form" && !form.querySelector('[data-error-for="' + name + '"]') ? name + ": " : "") + errors[name].join(" ");
      if (slot) {
        slot.textContent = (slot.textContent ? slot.textContent + " " : "") + text;
        var holder = slot.closest("[data-field], fieldset");
        if (holder) holder.classList.add("has-error");
        first = first || slot;
      }
    });
    if (!Object.keys(errors).length && fallbackMessage) {
      var formSlot = form.querySelector('[data-error-for="_form"]');
      if (formSlot) { formSlot.textContent = fallbackMessage; first = formSlot; }
    }
    if (first) first.scrollIntoView({ block: "center" });
    return first;
  };

  /* datetime-local value (device time) <-> ISO 8601 with offset. */
  MHU.localInputValue = function (date) {
    var pad = function (n) { return String(n).padStart(2, "0"); };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" +
      pad(date.getHours()) + ":" + pad(date.getMinutes());
  };
  MHU.isoFromInput = function (value) {
    if (!value) return null;
    var date = new Date(value);
    return isNaN(date.getTime()) ? "invalid" : date.toISOString();
  };

  MHU.setStatus = function (el, text, kind) {
    if (!el) return;
    el.textContent = text || "";
    el.className = "status" + (text ? " status-" + (kind || "ok") : "");
  };

  /* A toolbar of chips is one Tab stop: arrow keys move between its buttons (roving tabindex),
     so the quick-time chips do not lengthen the keyboard path through the form. */
  document.addEventListener("keydown", function (event) {
    var bar = event.target.closest && event.target.closest("[data-roving]");
    if (!bar || ["ArrowRight", "ArrowLeft", "Home", "End"].indexOf(event.key) < 0) return;
    var buttons = Array.prototype.slice.call(bar.querySelectorAll("button"));
    var index = buttons.indexOf(event.target);
    var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
    next = (next + buttons.length) % buttons.length;
    buttons.forEach(function (b, i) { b.tabIndex = i === next ? 0 : -1; });
    buttons[next].focus();
    event.preventDefault();
  });

  /* A group of toggle checkboxes is one Tab stop too (arrow keys move, Space selects): the
     presenting problems and risk flags alone would otherwise cost 25 Tab presses. */
  function rovingGroups() {
    document.querySelectorAll("[data-roving-checkboxes]").forEach(function (group) {
      var boxes = group.querySelectorAll('input[type="checkbox"]');
      boxes.forEach(function (box, i) { box.tabIndex = i === 0 ? 0 : -1; });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", rovingGroups);
  else rovingGroups();
  document.addEventListener("keydown", function (event) {
    var group = event.target.closest && event.target.closest("[data-roving-checkboxes]");
    var moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (!group || !(event.key in moves) || event.target.type !== "checkbox") return;
    var boxes = Array.prototype.slice.call(group.querySelectorAll('input[type="checkbox"]'));
    var next = (boxes.indexOf(event.target) + moves[event.key] + boxes.length) % boxes.length;
    boxes.forEach(function (b, i) { b.tabIndex = i === next ? 0 : -1; });
    boxes[next].focus();
    event.preventDefault();
  });

  /* "Now" buttons fill the time input they name. */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-now-for]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-now-for"));
    if (input) {
      input.value = MHU.localInputValue(new Date());
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  /* A checkbox group with a "Not recorded" choice (demographics): it stands alone. Choosing it
     clears the others; choosing any other clears it; clearing everything chooses it again. */
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox" || !box.closest) return;
    var group = box.closest("fieldset");
    var none = group && group.querySelector('input[type="checkbox"][value="not_recorded"]');
    if (!none) return;
    var others = Array.prototype.filter.call(group.querySelectorAll('input[type="checkbox"]'), function (b) { return b !== none; });
    if (box === none && none.checked) others.forEach(function (b) { b.checked = false; });
    else if (box !== none && box.checked) none.checked = false;
    if (!others.some(function (b) { return b.checked; })) none.checked = true;
  });
})();
