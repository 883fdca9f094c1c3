/* The call form: new calls (POST, kept on the device when there is no network) and a call's details
   (PATCH with If-Match). Validates on the device; server messages land next to their field. */
(function () {
  "use strict";
  var MHU = window.MHU;
  var form = document.getElementById("call-form");
  if (!form) return;
  var editing = form.dataset.mode === "edit";
  var status = document.getElementById("form-status");
  var TIME_FIELDS = ["received_at", "dispatched_at", "arrived_at", "cleared_at"];
  var TIME_NAMES = { received_at: "received", dispatched_at: "dispatched", arrived_at: "arrived", cleared_at: "cleared" };
  var RADIO_FIELDS = ["call_source", "nature", "disposition", "force_level"];
  var LIST_FIELDS = ["presenting_problems", "risk_flags"];
  var TEXT_FIELDS = ["narrative", "incident_number", "initial_call_type", "final_call_type", "legal_hold_type", "district", "beat", "address", "handoff_facility"];
  var SELECT_FIELDS = ["arrestable_offense", "transfer_in", "transfer_out", "responder_type"];
  // Hand-off at an ED or crisis facility: optional, not part of the call's received..cleared order.
  var HANDOFF_TIMES = ["arrived_at_facility", "released_at"];
  var BOOL_FIELDS = ["followup_required", "cit_officer_on_scene"];
  var PARTIES = ["subject", "officer", "clinician", "bystander"];
  var REQUIRED = { received_at: "Received time", call_source: "Call source", nature: "Nature" };
  var referralBox = document.getElementById("fs-referrals");
  var REFERRAL_DISPOSITIONS = (referralBox.dataset.referralDispositions || "").split(" ");

  // The call's id and its Idempotency-Key stay fixed for this form: every retry names the same call.
  var callId = editing ? form.dataset.callId : MHU.uuid();
  var idempotencyKey = null;
  var saving = false;

  function field(name) { return form.elements[name]; }
  function checkedValue(name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : null;
  }

  function fillTimesFromIso() {
    TIME_FIELDS.concat(HANDOFF_TIMES).forEach(function (name) {
      var input = field(name);
      if (input.dataset.iso) input.value = MHU.localInputValue(new Date(input.dataset.iso));
    });
  }

  function typedSubject() {
    return { name: document.getElementById("subject-name").value.trim(), dob: document.getElementById("subject-dob").value };
  }

  /* The JSON body from the form. New calls leave out what is empty; edits send null to clear. */
  function collect() {
    var body = {};
    var empty = function (name) { if (editing) body[name] = null; };
    TIME_FIELDS.forEach(function (name) {
      var iso = MHU.isoFromInput(field(name).value);
      if (iso) body[name] = iso; else if (name !== "received_at") empty(name);
    });
    RADIO_FIELDS.forEach(function (name) {
      var value = checkedValue(name);
      if (value) body[name] = value; else if (name === "disposition") empty(name);
    });
    LIST_FIELDS.forEach(function (name) {
      body[name] = Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'), function (i) { return i.value; });
    });
    body.injuries = PARTIES.filter(function (p) { return field("injury_" + p).value; }).map(function (p) {
      return { party: p, severity: field("injury_" + p).value };
    });
    TEXT_FIELDS.forEach(function (name) {
      var value = field(name).value.trim();
      if (value) body[name] = value; else empty(name);
    });
    HANDOFF_TIMES.forEach(function (name) {
      var iso = MHU.isoFromInput(field(name).value);
      if (iso) body[name] = iso; else empty(name);
    });
    SELECT_FIELDS.forEach(function (name) { body[name] = field(name).value; });
    BOOL_FIELDS.forEach(function (name) { body[name] = field(name).checked; });
    if (field("team_id").value) body.team_id = parseInt(field("team_id").value, 10);
    body.sim_intercept = parseInt(field("sim_intercept").value, 10);
    var person = field("person_id").value;
    if (person) body.person_id = person; else empty("person_id");
    var referralType = field("referral_type").value;
    if (referralType) {
      var referral = { referral_type: referralType, warm_handoff: field("warm_handoff").checked };
      if (field("partner").value.trim()) referral.partner = field("partner").value.trim();
      body.referrals = [referral];
    }
    // A name typed but never picked (offline, or no match chosen) travels with the call: the
    // server links the one exact name + date-of-birth match, or lists the call as needing a subject.
    var typed = typedSubject();
    if (!editing && !person && typed.name) {
      body.subject_name = typed.name;
      if (typed.dob) body.subject_date_of_birth = typed.dob;
    }
    return body;
  }

  /* Device-side checks: the essentials, the order of the times (both times of a broken pair are
     marked, as the server does) and a referral for a referral disposition. */
  function validate(body) {
    var errors = {};
    var add = function (name, message) { (errors[name] = errors[name] || []).push(message); };
    Object.keys(REQUIRED).forEach(function (name) {
      if (!body[name]) add(name, REQUIRED[name] + " is required.");
    });
    var previousName = null;
    TIME_FIELDS.forEach(function (name) {
      if (body[name] === "invalid") { add(name, "Not a valid date and time."); return; }
      if (!body[name]) return;
      if (previousName && new Date(body[name]) < new Date(body[previousName])) {
        add(previousName, "Must not be later than " + TIME_NAMES[name] + " time.");
        add(name, "Must not be earlier than " + TIME_NAMES[previousName] + " time.");
      }
      previousName = name;
    });
    var referralDisposition = REFERRAL_DISPOSITIONS.indexOf(body.disposition) >= 0;
    if (referralDisposition && !body.referrals && !(editing && referralBox.dataset.existing === "yes")) {
      add("referrals", "This disposition needs a referral: add its type (and partner, if known).");
    }
    return errors;
  }

  function showInvalid(errors) {
    MHU.showErrors(form, errors);
    var names = Object.keys(errors).map(function (k) { return (REQUIRED[k] || k.replace(/_at$/, " time").replace(/_/g, " ")); });
    MHU.setStatus(status, "Not saved yet: correct " + names.join(", ") + ".", "error");
  }

  function fill(body) {
    TIME_FIELDS.concat(HANDOFF_TIMES).forEach(function (name) {
      field(name).value = body[name] ? MHU.localInputValue(new Date(body[name])) : "";
    });
    form.querySelectorAll('input[type="radio"], input[type="checkbox"]').forEach(function (input) {
      if (input.name in body) {
        var value = body[input.name];
        input.checked = input.dataset.type === "bool" ? !!value : (Array.isArray(value) ? value.indexOf(input.value) >= 0 : value === input.value);
      }
    });
    PARTIES.forEach(function (p) {
      var injury = (body.injuries || []).find(function (i) { return i.party === p; });
      field("injury_" + p).value = injury ? injury.severity : "";
    });
    TEXT_FIELDS.concat(SELECT_FIELDS, ["team_id", "sim_intercept", "person_id"]).forEach(function (name) {
      if (body[name] !== undefined && body[name] !== null) field(name).value = String(body[name]);
    });
    var referral = (body.referrals || [])[0];
    if (referral) {
      field("referral_type").value = referral.referral_type;
      field("partner").value = referral.partner || "";
      field("warm_handoff").checked = !!referral.warm_handoff;
    }
    if (body.subject_name) document.getElementById("subject-name").value = body.subject_name;
    if (body.subject_date_of_birth) document.getElementById("subject-dob").value = body.subject_date_of_birth;
    if (body.person_id) showChosen(document.createTextNode("Linked to the subject chosen before saving."));
    referralRequired();
  }

  function goToCall(id, already) {
    window.location.assign(form.dataset.callPage + id + (already ? "?already=sent" : "?saved=1"));
  }

  function keepOnDevice(body, message) {
    return MHU.outbox.save(body, idempotencyKey).then(function () {
      var subject = body.subject_name ? " The subject you typed (" + body.subject_name + ") is kept with it and matched when it is sent." : "";
      MHU.setStatus(status, message + subject, "warn");
    }, function (error) {
      MHU.setStatus(status, "Could not keep the call on this device (" + error + "). Do not close this page.", "error");
    });
  }

  function createCall(body) {
    body.id = callId;
    idempotencyKey = idempotencyKey || MHU.uuid();
    return MHU.request("POST", "/api/v1/calls", body, { "Idempotency-Key": idempotencyKey }).then(function (res) {
      var errors = MHU.fieldErrors(res.body);
      if (res.ok || (res.status === 409 && errors.id)) {
        // 409 on the id: an earlier send of this call got through, so edits go on the call's page.
        var already = !res.ok;
        return MHU.outbox.remove(callId).catch(function () {}).then(function () { goToCall(callId, already); });
      }
      if (res.status === 422 && /Idempotency-Key/.test((res.body || {}).message || "")) idempotencyKey = MHU.uuid();
      if (res.status === 401) {
        return keepOnDevice(body, "Your session ended: the call is kept on this device (encrypted). Log in again to send it.");
      }
      if (res.status >= 500) {
        return keepOnDevice(body, "The server could not take the call now: it is kept on this device and will be sent automatically.");
      }
      MHU.showErrors(form, errors, (res.body && res.body.message) || "The call was not saved.");
      MHU.setStatus(status, "Not saved yet: correct the marked fields.", "error");
    }, function () {
      return keepOnDevice(body, "No network: the call is saved on this device (encrypted) as pending and will be sent automatically when the network returns.");
    });
  }

  function updateCall(body) {
    return MHU.request("PATCH", "/api/v1/calls/" + callId, body, { "If-Match": '"' + form.dataset.version + '"' }).then(function (res) {
      if (res.ok) {
        // The summary above reads from the server: show the saved call.
        window.location.assign(window.location.pathname + "?saved=changes");
        return;
      }
      if (res.status === 412) {
        MHU.setStatus(status, "Someone else changed this call since you opened it. Reload the page to see their changes, then edit again.", "error");
        return;
      }
      MHU.showErrors(form, MHU.fieldErrors(res.body), (res.body && res.body.message) || "Not saved.");
      MHU.setStatus(status, "Not saved: correct the marked fields.", "error");
    }, function () {
      MHU.setStatus(status, "No network: changes to an existing call are not kept offline. Try again when you have signal.", "error");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (saving) return;  // a double tap while the first save runs does nothing
    var body = collect();
    var errors = validate(body);
    if (Object.keys(errors).length) { showInvalid(errors); return; }
    MHU.clearErrors(form);
    saving = true;
    var button = document.getElementById("save-call");
    if (button) button.disabled = true;
    (editing ? updateCall(body) : createCall(body)).then(function () {
      saving = false;
      if (button) button.disabled = false;
    });
  });

  /* Times: chips step a time back from its value (from now when empty); an empty later time
     opens at the time before it, so a picker starts close to the answer. */
  form.addEventListener("click", function (event) {
    var chip = event.target.closest("[data-step-for]");
    if (!chip) return;
    var input = document.getElementById(chip.dataset.stepFor);
    var base = input.value ? new Date(input.value) : new Date();
    if (isNaN(base.getTime())) base = new Date();
    input.value = MHU.localInputValue(new Date(base.getTime() + parseInt(chip.dataset.step, 10) * 60000));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  TIME_FIELDS.slice(1).forEach(function (name, index) {
    var input = field(name);
    input.addEventListener("pointerdown", function () {
      if (input.value) return;
      for (var i = index; i >= 0; i -= 1) {
        var previous = field(TIME_FIELDS[i]).value;
        if (previous) { input.value = previous; return; }
      }
    });
  });

  // Team and call source drive the default intercept until the user picks one.
  var intercept = field("sim_intercept");
  intercept.addEventListener("change", function () { intercept.dataset.userSet = "yes"; });
  function defaultIntercept() {
    var option = field("team_id").selectedOptions[0];
    if (intercept.dataset.userSet || !option) return;
    var bySource = JSON.parse(option.dataset.bySource || "{}");
    var source = checkedValue("call_source");
    intercept.value = source && source in bySource ? bySource[source] : option.dataset.intercept;
  }
  field("team_id").addEventListener("change", defaultIntercept);
  form.querySelectorAll('input[name="call_source"]').forEach(function (input) { input.addEventListener("change", defaultIntercept); });

  // A referral disposition says so next to the referral.
  function referralRequired() {
    var needed = REFERRAL_DISPOSITIONS.indexOf(checkedValue("disposition")) >= 0;
    document.getElementById("referral-required").hidden = !needed;
  }
  form.querySelectorAll('input[name="disposition"]').forEach(function (input) { input.addEventListener("change", referralRequired); });

  var reset = document.getElementById("reset-form");
  if (reset) reset.addEventListener("click", function () {
    if (confirm("Clear everything on this form? What you typed is lost; saved calls are not affected.")) {
      window.location.assign(window.location.pathname);
    }
  });

  /* Subject search: likely matches with prior contacts and safety flags; the picked person
     replaces the search until "Change subject". */
  var results = document.getElementById("subject-results");
  var chosen = document.getElementById("subject-chosen");
  var chosenText = document.getElementById("subject-chosen-text");
  var searchArea = document.getElementById("subject-search-area");
  var personKeys = {};

  function node(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function label(value) { return String(value || "").replace(/_/g, " "); }

  function showChosen(content, personId) {
    chosenText.textContent = "";
    chosenText.appendChild(content);
    var link = document.getElementById("subject-person-link");
    if (link) link.remove();
    if (personId) {
      link = node("a", "btn btn-secondary", "Person page");
      link.id = "subject-person-link";
      link.href = "/field/persons/" + personId;
      link.target = "_blank";
      link.rel = "noopener";
      document.getElementById("subject-change").after(link);
    }
    chosen.hidden = false;
    searchArea.hidden = true;
  }

  function pick(candidate) {
    field("person_id").value = candidate.id;
    var content = document.createDocumentFragment();
    content.appendChild(document.createTextNode("Linked: "));
    content.appendChild(node("strong", null, candidate.first_name + " " + candidate.last_name));
    if (candidate.date_of_birth) content.appendChild(document.createTextNode(" · born " + candidate.date_of_birth));
    (candidate.safety_flags || []).forEach(function (f) { content.appendChild(node("span", "badge badge-danger", label(f))); });
    showChosen(content, candidate.id);
    document.getElementById("subject-change").focus();
  }

  function renderCandidates(candidates) {
    results.textContent = "";
    if (!candidates.length) {
      results.appendChild(node("p", "muted", "No likely matches. Check the spelling, or use New person."));
      return;
    }
    candidates.forEach(function (c) {
      var card = node("article", "candidate");
      card.dataset.personId = c.id;
      card.appendChild(node("h3", null, c.first_name + " " + c.last_name));
      var meta = node("p");
      meta.appendChild(document.createTextNode((c.date_of_birth ? "Born " + c.date_of_birth : "Date of birth unknown") + " · "));
      meta.appendChild(node("span", "badge" + (c.exact_match ? " badge-ok" : ""), (c.exact_match ? "Exact match " : "Match score ") + Math.round(c.score)));
      meta.appendChild(document.createTextNode(" · " + c.contact_count + " prior contact(s)"));
      card.appendChild(meta);
      if ((c.aliases || []).length) card.appendChild(node("p", "muted", "Also known as " + c.aliases.join(", ")));
      if ((c.safety_flags || []).length) {
        var flags = node("p");
        flags.appendChild(node("strong", null, "Safety: "));
        c.safety_flags.forEach(function (f) { flags.appendChild(node("span", "badge badge-danger", label(f))); });
        card.appendChild(flags);
      }
      if (c.response_plan) card.appendChild(node("p", null, "Response plan: " + c.response_plan));
      if ((c.contacts || []).length) {
        var list = node("ul", "contacts");
        c.contacts.forEach(function (contact) {
          var when = new Date(contact.received_at).toLocaleDateString([], { dateStyle: "medium" });
          list.appendChild(node("li", null, when + " · " + label(contact.nature) + " · " + (contact.disposition ? label(contact.disposition) : "no disposition")));
        });
        card.appendChild(list);
      }
      var row = node("div", "button-row");
      var button = node("button", "btn btn-primary btn-small", "Pick " + c.first_name + " " + c.last_name);
      button.type = "button";
      button.addEventListener("click", function () { pick(c); });
      row.appendChild(button);
      var page = node("a", "btn btn-secondary btn-small", "Person page");
      page.href = "/field/persons/" + c.id;
      page.target = "_blank";
      page.rel = "noopener";
      page.setAttribute("aria-label", "Person page of " + c.first_name + " " + c.last_name + " (new tab)");
      row.appendChild(page);
      card.appendChild(row);
      results.appendChild(card);
    });
  }

  function subjectError(text) {
    form.querySelector('[data-error-for="subject"]').textContent = text || "";
  }

  function search() {
    var typed = typedSubject();
    subjectError("");
    if (!typed.name && !typed.dob) { subjectError("Type a name, a date of birth or both."); return; }
    var params = new URLSearchParams();
    if (typed.name) params.set("name", typed.name);
    if (typed.dob) params.set("date_of_birth", typed.dob);
    results.textContent = "Searching…";
    MHU.request("GET", "/api/v1/persons?" + params.toString()).then(function (res) {
      if (!res.ok) { results.textContent = ""; subjectError((res.body && res.body.message) || "Search failed."); return; }
      renderCandidates(res.body);
    }, function () {
      results.textContent = "";
      subjectError("Search needs the network. Save the call: the name you typed is kept with it and matched when it is sent.");
    });
  }

  function newPerson() {
    var typed = typedSubject();
    var parts = typed.name.split(/\s+/).filter(Boolean);
    subjectError("");
    if (parts.length < 2) { subjectError("Type the new person's first and last name in Subject name."); return; }
    var body = { first_name: parts[0], last_name: parts.slice(1).join(" ") };
    if (typed.dob) body.date_of_birth = typed.dob;
    // Optional demographics (the "Demographics for a new person" section); "not recorded" is the default.
    body.race_ethnicity = Array.prototype.map.call(form.querySelectorAll('input[name="new_person_race"]:checked'), function (i) { return i.value; })
      .filter(function (v) { return v !== "not_recorded"; });
    body.sex = checkedValue("new_person_sex") || "not_recorded";
    var fingerprint = JSON.stringify(body);
    personKeys[fingerprint] = personKeys[fingerprint] || MHU.uuid();  // a double tap creates one person
    MHU.request("POST", "/api/v1/persons", body, { "Idempotency-Key": personKeys[fingerprint] }).then(function (res) {
      if (!res.ok) {
        var errors = MHU.fieldErrors(res.body);
        subjectError(Object.keys(errors).map(function (k) { return k + ": " + errors[k].join(" "); }).join(" ") || (res.body && res.body.message) || "Could not add the person.");
        return;
      }
      results.textContent = "";
      pick(res.body);
      chosenText.appendChild(document.createTextNode(" (new person)"));
    }, function () {
      subjectError("Adding a person needs the network. Save the call: the name you typed is kept with it and matched when it is sent.");
    });
  }

  document.getElementById("subject-search").addEventListener("click", search);
  document.getElementById("subject-new").addEventListener("click", newPerson);
  document.getElementById("subject-change").addEventListener("click", function () {
    chosen.hidden = true;
    searchArea.hidden = false;
    document.getElementById("subject-name").focus();
  });
  document.getElementById("subject-clear").addEventListener("click", function () {
    field("person_id").value = "";
    document.getElementById("subject-name").value = "";
    document.getElementById("subject-dob").value = "";
    results.textContent = "";
    document.getElementById("subject-none").textContent = "No subject linked (unidentified).";
  });
  ["subject-name", "subject-dob"].forEach(function (id) {
    document.getElementById(id).addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); search(); }
    });
  });

  /* Start: existing values, or a device-kept call to correct. Times start empty: a call is
     usually logged after the fact, and "now" would only have to be undone. */
  fillTimesFromIso();
  referralRequired();
  if (!editing && window.location.pathname !== form.dataset.callPage + "new") {
    // The service worker answered an offline request for another field page with this form.
    MHU.setStatus(status, "No network: that page needs a connection. You can record a new call here; it is kept on this device.", "warn");
  }
  if (editing && new URLSearchParams(window.location.search).get("already") === "sent") {
    MHU.setStatus(status, "This call had already reached the server, so the changes you just saved were not applied: make them here.", "warn");
    form.closest("details").open = true;
  }
  var fromOutbox = new URLSearchParams(window.location.search).get("outbox");
  if (!editing && fromOutbox) {
    MHU.outbox.get(fromOutbox).then(function (item) {
      if (!item) { MHU.setStatus(status, "That call is no longer on this device (it was sent or discarded).", "warn"); return; }
      if (!item.mine) { MHU.setStatus(status, "That call was saved by another user: only they can correct and send it.", "warn"); return; }
      callId = item.id;
      idempotencyKey = item.idempotencyKey;
      fill(item.body);
      if (item.status === "needs_correction") {
        MHU.showErrors(form, item.errors, item.message);
        MHU.setStatus(status, "The server did not accept this call: " + item.message + " Correct the marked fields and save again.", "error");
      } else {
        MHU.setStatus(status, "This call is kept on the device and waiting to be sent.", "warn");
      }
    });
  }
  MHUFormGuard.ready(form);  // last: a Save tapped while this script loaded is sent now
})();
