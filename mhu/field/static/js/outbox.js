/* The device queue: calls saved without network, encrypted at rest, sent once the network returns.

   Each call is stored in IndexedDB encrypted with AES-GCM under a key generated non-extractable
   (the browser can use it but no script can read it out), kept as a CryptoKey in IndexedDB. Every
   item carries the call's own id and an Idempotency-Key fixed at save time, so retries, double taps
   and two tabs syncing at once create the call exactly once. A 422 keeps the item, marked
   "needs correction" with the server's messages; nothing is dropped without the user deciding.
*/
(function () {
  "use strict";
  var MHU = (window.MHU = window.MHU || {});
  var DB_NAME = "mhu-field";
  var KEY_ID = "queue-key";
  var CALLS_URL = "/api/v1/calls";
  var RETRY_MS = 15000;
  var keyPromise = null;
  var syncing = null;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("keys");
        request.result.createObjectStore("outbox", { keyPath: "id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  /* One IndexedDB request in its own transaction; resolves with its result once committed. */
  function idb(storeName, mode, operation) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(storeName, mode);
        var request = operation(transaction.objectStore(storeName));
        transaction.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        transaction.onerror = transaction.onabort = function (event) {
          if (event && event.preventDefault) event.preventDefault();
          db.close();
          reject(transaction.error || (request && request.error));
        };
      });
    });
  }

  function queueKey() {
    if (keyPromise) return keyPromise;
    keyPromise = idb("keys", "readonly", function (s) { return s.get(KEY_ID); }).then(function (key) {
      if (key) return key;
      return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
        .then(function (fresh) {
          // add() fails if another tab stored a key first; then everyone uses that one.
          return idb("keys", "readwrite", function (s) { return s.add(fresh, KEY_ID); })
            .then(function () { return fresh; })
            .catch(function () { return idb("keys", "readonly", function (s) { return s.get(KEY_ID); }); });
        });
    });
    keyPromise.catch(function () { keyPromise = null; });
    return keyPromise;
  }

  function encrypt(id, secret) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var plain = new TextEncoder().encode(JSON.stringify(secret));
    return queueKey().then(function (key) {
      // The record id is authenticated data: a ciphertext cannot be swapped onto another record.
      return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: new TextEncoder().encode(id) }, key, plain);
    }).then(function (data) { return { iv: iv, data: data }; });
  }

  function decrypt(record) {
    return queueKey().then(function (key) {
      return crypto.subtle.decrypt(
        { name: "AES-GCM", iv: record.iv, additionalData: new TextEncoder().encode(record.id) }, key, record.data
      );
    }).then(function (plain) {
      var secret = JSON.parse(new TextDecoder().decode(plain));
      return {
        id: record.id, status: record.status, savedAt: record.savedAt, idempotencyKey: record.idempotencyKey,
        owner: record.owner, mine: record.owner === currentUser(),
        body: secret.body, errors: secret.errors || {}, message: secret.message || "",
      };
    });
  }

  function put(item) {
    return encrypt(item.id, { body: item.body, errors: item.errors, message: item.message }).then(function (sealed) {
      var record = {
        id: item.id, status: item.status, savedAt: item.savedAt || Date.now(), owner: item.owner || currentUser(),
        idempotencyKey: item.idempotencyKey, iv: sealed.iv, data: sealed.data,
      };
      return idb("outbox", "readwrite", function (s) { return s.put(record); }).then(function () { return item; });
    });
  }

  var outbox = (MHU.outbox = {});

  /* Calls are sent only by the user who saved them, so no call is filed under another account. */
  function currentUser() {
    var meta = document.querySelector('meta[name="mhu-user"]');
    return meta ? meta.content : "";
  }

  /* Keep a call on the device until it is sent. body.id is the call's id. */
  outbox.save = function (body, idempotencyKey) {
    return put({ id: body.id, status: "pending", body: body, idempotencyKey: idempotencyKey, errors: {}, message: "" })
      .then(function (item) { render(); return item; });
  };

  outbox.list = function () {
    return idb("outbox", "readonly", function (s) { return s.getAll(); }).then(function (records) {
      records.sort(function (a, b) { return a.savedAt - b.savedAt; });
      return Promise.all(records.map(decrypt));
    });
  };

  outbox.get = function (id) {
    return idb("outbox", "readonly", function (s) { return s.get(id); }).then(function (record) {
      return record ? decrypt(record) : null;
    });
  };

  outbox.count = function () {
    return idb("outbox", "readonly", function (s) { return s.count(); });
  };

  outbox.remove = function (id) {
    return idb("outbox", "readwrite", function (s) { return s.delete(id); }).then(render);
  };

  /* What the server said about one item: sent (removed), kept pending, or needs correction. */
  function send(item) {
    return MHU.request("POST", CALLS_URL, item.body, { "Idempotency-Key": item.idempotencyKey }).then(function (res) {
      var errors = MHU.fieldErrors(res.body);
      if (res.ok) return outbox.remove(item.id).then(function () { return "sent"; });
      if (res.status === 409 && errors.id) {
        // The call id exists already: an earlier attempt got through but its answer was lost.
        return outbox.remove(item.id).then(function () { return "sent"; });
      }
      if (res.status === 422 || res.status === 403 || (res.status === 400 && !/form expired/.test((res.body || {}).message || ""))) {
        item.status = "needs_correction";
        item.errors = errors;
        item.message = (res.body && res.body.message) || "The server rejected this call.";
        return put(item).then(function () { return "rejected"; });
      }
      if (res.status === 401 || res.status === 400) return "login";
      return "later";
    }, function () { return "offline"; });
  }

  /* Send every pending item once; concurrent callers share the same run. */
  outbox.sync = function () {
    if (syncing) return syncing;
    syncing = outbox.list().then(function (items) {
      var pending = items.filter(function (item) { return item.status === "pending" && item.mine; });
      return pending.reduce(function (chain, item) {
        return chain.then(function (results) {
          return send(item).then(function (result) { results.push(result); return results; });
        });
      }, Promise.resolve([]));
    }).then(function (results) {
      syncing = null;
      report(results);
      return render().then(function () { return results; });
    }, function (error) {
      syncing = null;
      throw error;
    });
    return syncing;
  };

  function report(results) {
    var status = document.getElementById("sync-status");
    if (!results.length) return;
    var count = function (kind) { return results.filter(function (r) { return r === kind; }).length; };
    var parts = [];
    if (count("sent")) parts.push(count("sent") + " saved call(s) sent to the server.");
    if (count("rejected")) parts.push(count("rejected") + " call(s) need correction: see the list below.");
    if (count("offline") || count("later")) parts.push((count("offline") + count("later")) + " call(s) still waiting for the network.");
    if (count("login")) parts.push("Log in again to send the calls kept on this device.");
    MHU.setStatus(status, parts.join(" "), count("rejected") || count("login") ? "error" : (count("sent") ? "ok" : "warn"));
  }

  /* Clear the device: the queue, its key and the offline page cache. */
  outbox.clearDevice = function () {
    keyPromise = null;
    var deleteDb = new Promise(function (resolve) {
      var request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    });
    var deleteCaches = window.caches ? caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("mhu-field") === 0; }).map(function (n) { return caches.delete(n); }));
    }) : Promise.resolve();
    return Promise.all([deleteDb, deleteCaches]);
  };

  var FIELD_NAMES = {
    received_at: "Received time", dispatched_at: "Dispatched time", arrived_at: "Arrival time",
    cleared_at: "Cleared time", call_source: "Call source", person_id: "Subject", team_id: "Team",
    sim_intercept: "Intercept", force_level: "Force", _form: "Call",
  };
  function fieldName(name) {
    var text = FIELD_NAMES[name] || String(name).replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function fmtTime(iso) {
    if (!iso) return "time not set";
    var date = new Date(iso);
    return isNaN(date.getTime()) ? iso : date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* Every [data-outbox-list] on the page shows the queue. */
  function render() {
    var lists = document.querySelectorAll("[data-outbox-list]");
    if (!lists.length) return Promise.resolve();
    return outbox.list().then(function (items) {
      lists.forEach(function (container) {
        container.textContent = "";
        if (!items.length) {
          container.appendChild(el("p", { class: "muted" }, "Nothing waiting to be sent."));
          return;
        }
        var ul = el("ul", { class: "list", id: "pending-calls" });
        items.forEach(function (item) {
          var li = el("li", { class: "pending-item", "data-status": item.status, "data-call-id": item.id });
          var text = el("div");
          text.appendChild(el("strong", {}, fmtTime(item.body.received_at)));
          text.appendChild(document.createTextNode(" · " + String(item.body.nature || "nature not set").replace(/_/g, " ") + " "));
          var badge = item.status === "pending"
            ? el("span", { class: "badge badge-warn" }, "Pending")
            : el("span", { class: "badge badge-danger" }, "Needs correction");
          text.appendChild(badge);
          if (!item.mine) {
            text.appendChild(el("p", { class: "muted" }, "Saved by another user on this device: only they can send it, after logging in."));
          }
          if (item.status === "needs_correction") {
            var errors = Object.keys(item.errors).map(function (k) { return fieldName(k) + ": " + item.errors[k].join(" "); });
            text.appendChild(el("p", { class: "field-error", role: "alert" }, [item.message].concat(errors).join(" ")));
          }
          li.appendChild(text);
          var buttons = el("div", { class: "button-row" });
          var fix = el("a", { class: "btn btn-secondary btn-small", href: "/field/calls/new?outbox=" + encodeURIComponent(item.id) },
            item.status === "pending" ? "Open" : "Fix and resend");
          buttons.appendChild(fix);
          if (item.status === "pending" && item.mine) {
            var sendNow = el("button", { type: "button", class: "btn btn-primary btn-small" }, "Send now");
            sendNow.addEventListener("click", function () { outbox.sync(); });
            buttons.appendChild(sendNow);
          }
          var discard = el("button", { type: "button", class: "btn btn-danger btn-small" }, "Discard");
          discard.addEventListener("click", function () {
            if (confirm("Delete this unsent call from the device? It has not reached the server.")) outbox.remove(item.id);
          });
          buttons.appendChild(discard);
          li.appendChild(buttons);
          ul.appendChild(li);
        });
        container.appendChild(ul);
      });
    });
  }
  outbox.render = render;

  /* Logging out clears the queue, after a warning when calls are still unsent. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("logout-form") || form.dataset.deviceCleared) return;
    event.preventDefault();
    var finish = function () { form.dataset.deviceCleared = "1"; form.submit(); };
    outbox.sync().catch(function () { return []; }).then(outbox.count).then(function (unsent) {
      if (unsent > 0 && !confirm(unsent + " call(s) on this device have not reached the server. Logging out deletes them from this device. Log out anyway?")) {
        return null;
      }
      return outbox.clearDevice().then(finish);
    }).catch(function () { outbox.clearDevice().then(finish, finish); });
  });

  function start() {
    document.querySelectorAll("form.logout-form").forEach(MHUFormGuard.ready);
    var script = document.getElementById("outbox-script");
    if ("serviceWorker" in navigator && script) {
      navigator.serviceWorker.register(script.dataset.sw, { scope: script.dataset.scope }).catch(function () {});
    }
    window.addEventListener("online", function () { outbox.sync(); });
    outbox.sync().catch(function () {});
    setInterval(function () {
      outbox.count().then(function (n) { if (n > 0) outbox.sync(); }).catch(function () {});
    }, RETRY_MS);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
