/* Service worker for /field/: keeps the field shell (new-call form, scripts, styles) so the form
   opens without network. Pages are network-first, so online users always get fresh pages; only
   the form shell is cached (no identified data), and logout deletes the cache. */
"use strict";
var CACHE = "mhu-field-v3";
var SHELL = [
  "/field/calls/new",
  "/field/static/css/field.css",
  "/field/static/js/api.js",
  "/field/static/js/outbox.js",
  "/field/static/js/call-form.js",
  "/field/static/js/api-forms.js",
  "/static/css/mhu.css",
  "/static/js/form-guard.js",
  "/static/favicon.svg",
];
// Pages that may be kept for offline use: the form holds enumerations and team names only.
var CACHEABLE_PAGES = ["/field/calls/new"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("mhu-field") === 0 && n !== CACHE; }).map(function (n) {
      return caches.delete(n);
    }));
  }).then(function () { return self.clients.claim(); }));
});

function cacheable(url) {
  return url.pathname.indexOf("/field/static/") === 0 || url.pathname.indexOf("/static/") === 0 ||
    CACHEABLE_PAGES.indexOf(url.pathname) >= 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  // API calls, writes and other origins go straight to the network: the page handles failures.
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (!(url.pathname.indexOf("/field/") === 0 || url.pathname.indexOf("/static/") === 0)) return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && response.type === "basic" && cacheable(url)) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(url.pathname).then(function (hit) {
        if (hit) return hit;
        // Any field page asked for offline opens the new-call form, which also lists pending calls.
        if (request.mode === "navigate") return cache.match("/field/calls/new");
        return Response.error();
      });
    });
  }));
});
