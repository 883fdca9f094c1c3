// The import page: dry run -> preview -> import with a progress bar, all through /api/v1/imports.
// Self-hosted and loaded with `defer`; no inline script, so the page keeps the strict CSP.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  var message = document.getElementById("import-message");
  var previewSection = document.getElementById("preview-section");
  var runSection = document.getElementById("run-section");
  var progress = document.getElementById("run-progress");
  var runStatus = document.getElementById("run-status");
  var COUNTS = ["created", "updated", "unchanged", "rejected", "skipped", "warnings"];
  var SHOWN = ["incident_number", "received_at", "dispatched_at", "arrived_at", "cleared_at", "call_source",
               "district", "disposition", "presenting_problems"];

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)_csrf_token=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function say(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  function element(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function describeError(body) {
    var lines = [body.message || "The import could not start."];
    var fields = (body.errors && (body.errors.json || body.errors.form)) || {};
    Object.keys(fields).forEach(function (name) {
      [].concat(fields[name]).forEach(function (reason) { lines.push(name + ": " + reason); });
    });
    return lines.join("\n");
  }

  function start(dryRun) {
    var data = new FormData(form);
    data.set("dry_run", dryRun ? "true" : "false");
    var profileFile = document.getElementById("import-profile-file").files[0];
    if (!profileFile) data.delete("profile_file");
    return fetch("/api/v1/imports", {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-CSRF-Token": csrfToken(), "Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.status !== 202) throw new Error(describeError(body));
        return body;
      });
    });
  }

  function poll(id, onProgress) {
    return new Promise(function (resolve, reject) {
      function tick() {
        fetch("/api/v1/imports/" + id, {credentials: "same-origin", headers: {"Accept": "application/json"}})
          .then(function (response) { return response.json(); })
          .then(function (batch) {
            onProgress(batch);
            if (batch.status === "done" || batch.status === "failed") resolve(batch);
            else window.setTimeout(tick, 500);
          }).catch(reject);
      }
      tick();
    });
  }

  function countsText(batch, prefix) {
    return COUNTS.map(function (name) { return (prefix || "") + name + " " + batch.counts[name]; }).join(" · ");
  }

  function table(headers, rows) {
    var t = element("table"), head = element("thead"), tr = element("tr"), body = element("tbody");
    headers.forEach(function (h) { var th = element("th", h); th.scope = "col"; tr.appendChild(th); });
    head.appendChild(tr);
    rows.forEach(function (cells) {
      var row = element("tr");
      cells.forEach(function (c) { row.appendChild(element("td", c === null || c === undefined ? "" : String(c))); });
      body.appendChild(row);
    });
    t.appendChild(head);
    t.appendChild(body);
    return t;
  }

  function showPreview(batch) {
    document.getElementById("preview-counts").textContent =
      batch.status === "failed" ? "The file cannot be imported: " + batch.failure : "Would give: " + countsText(batch);
    var errors = document.getElementById("preview-errors");
    errors.replaceChildren();
    var summary = Object.keys(batch.error_summary || {}).map(function (reason) {
      return [reason, batch.error_summary[reason]];
    });
    errors.appendChild(summary.length ? table(["Reason", "Rows"], summary) : element("p", "No errors."));
    var rows = document.getElementById("preview-rows");
    rows.replaceChildren();
    rows.appendChild(table(["Row", "Action"].concat(SHOWN), (batch.preview || []).map(function (item) {
      return [item.row, item.action].concat(SHOWN.map(function (name) {
        var value = item.fields[name];
        return Array.isArray(value) ? value.join("; ") : value;
      }));
    })));
    previewSection.hidden = false;
    document.getElementById("run-button").disabled = batch.status === "failed";
  }

  function showProgress(batch) {
    progress.max = Math.max(batch.rows_total || 1, 1);
    progress.value = batch.rows_done || 0;
    runStatus.textContent = batch.status + ": " + (batch.rows_done || 0) + " of " +
      (batch.rows_total === null ? "?" : batch.rows_total) + " rows";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    say("");
    if (!document.getElementById("import-file").files.length) { say("Choose a file to import."); return; }
    var button = document.getElementById("preview-button");
    button.disabled = true;
    start(true).then(function (batch) { return poll(batch.id, function () {}); })
      .then(showPreview)
      .catch(function (error) { say(error.message); })
      .finally(function () { button.disabled = false; });
  });

  document.getElementById("run-button").addEventListener("click", function () {
    say("");
    var button = this;
    button.disabled = true;
    runSection.hidden = false;
    start(false).then(function (batch) { return poll(batch.id, showProgress); })
      .then(function (batch) {
        showProgress(batch);
        var report = document.getElementById("run-report");
        report.replaceChildren(element("p", batch.status === "done" ? "Imported: " + countsText(batch)
          : "The import failed: " + batch.failure));
        var link = document.getElementById("rejects-link");
        link.href = "/api/v1/imports/" + batch.id + "/rejects.csv";
        link.hidden = !batch.counts.rejected;
      })
      .catch(function (error) { say(error.message); button.disabled = false; });
  });
  MHUFormGuard.ready(form);  // last: a Preview tapped while this script loaded is sent now
}());
