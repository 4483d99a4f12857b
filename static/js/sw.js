// Mingcha service worker, release __VERSION__. Keeps the page shell (styles, scripts, icons, the offline page)
// and the pages a phone needs without signal (the surveys it opened, a field auditor's assigned screens);
// a field form sent without signal goes into the outbox (IndexedDB, see outbox.js) and is sent in order later.
"use strict";
var VERSION = "__VERSION__";
var PRECACHE = __PRECACHE__;
var SHELL = "mingcha-shell-" + VERSION;
var PAGES = "mingcha-pages";
importScripts(PRECACHE.filter(function (u) { return u.indexOf("/static/js/outbox.js") === 0; })[0]);

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(PRECACHE); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("mingcha-shell-") === 0 && n !== SHELL; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(url) {  // pages worth keeping for use without signal: surveys and a field auditor's own screens
  return /^\/s\/[^/]+$/.test(url.pathname) || url.pathname === "/f" || /^\/f\/(outbox|v\/\d+(\/interview)?)$/.test(url.pathname);
}

function fromCache(request) {
  var loose = { ignoreVary: true };
  return caches.match(request, loose).then(function (hit) {
    return hit || caches.match(request, { ignoreVary: true, ignoreSearch: true });
  });
}

function page(event) {
  var request = event.request, url = new URL(request.url);
  return fetch(request).then(function (response) {
    if (response.ok && keepable(url)) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request.url, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request.url, { ignoreVary: true }).then(function (hit) {
      if (hit) return hit;
      if (/^\/f\/v\/\d+\/interview$/.test(url.pathname)) return fromCache(request);
      return caches.match("/offline", { ignoreVary: true });
    });
  });
}

function safeNext(value) {
  return typeof value === "string" && value.charAt(0) === "/" && value.charAt(1) !== "/" ? value : "/f/outbox";
}

function fieldPost(event) {  // a field form: sent as usual; without signal, kept in the outbox
  var request = event.request, copy = request.clone();
  return fetch(request).catch(function (error) {
    return copy.formData().then(function (data) {
      var fields = [];
      data.forEach(function (value, name) { if (name.indexOf("_offline_") !== 0) fields.push([name, value]); });
      var next = data.get("go") === "back" ? data.get("_offline_back") : data.get("_offline_next");
      return MingchaOutbox.add({ url: request.url, fields: fields, kind: MingchaOutbox.kindOf(request.url) })
        .then(function () {
          if (self.registration.sync) self.registration.sync.register("mingcha-outbox").catch(function () {});
          return Response.redirect(new URL(safeNext(next), self.location.origin).href, 303);
        });
    }, function () { throw error; });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST") {
    if (request.mode === "navigate" && /^\/f\/v\/\d+\//.test(url.pathname)) event.respondWith(fieldPost(event));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") { event.respondWith(page(event)); return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok && url.search) { var copy = response.clone(); caches.open(SHELL).then(function (c) { c.put(request, copy); }); }
        return response;
      }).catch(function () { return caches.match(request, { ignoreSearch: true }); });
    }));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "mingcha-outbox") event.waitUntil(MingchaOutbox.drain());
});

self.addEventListener("message", function (event) {
  if (event.data === "drain") event.waitUntil(MingchaOutbox.drain());
});
