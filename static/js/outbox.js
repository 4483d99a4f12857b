// The phone's outbox: what was captured without signal, kept in IndexedDB and sent in order once online.
// Shared by the pages (survey.js, field.js) and the service worker (sw.js). Each item carries a key made here;
// the server stores it with the change it made, so a resend, a second tab or the worker never makes it twice.
(function (root) {
  "use strict";
  var NAME = "mingcha", STORE = "outbox", KEEP_SENT_MS = 7 * 86400000;
  var channel = root.BroadcastChannel ? new root.BroadcastChannel("mingcha-outbox") : null;

  function open() {
    return new Promise(function (resolve, reject) {
      var req = root.indexedDB.open(NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "key" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), req = work(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); resolve(req ? req.result : undefined); };
        t.onerror = t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function changed() { if (channel) channel.postMessage("changed"); }

  function kindOf(url) {
    var m = /\/(checkin|checkout|step|submit|photo|interview)(\/|$)/.exec(new URL(url, root.location.href).pathname);
    return m ? m[1] : (/^\/s\//.test(new URL(url, root.location.href).pathname) ? "survey" : "other");
  }

  function add(item) {
    item.key = item.key || newKey();
    item.created = item.created || Date.now();
    item.state = "waiting";
    item.message = "";
    return run("readwrite", function (s) { return s.put(item); }).then(function () { changed(); return item; });
  }

  function all() {
    return run("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).sort(function (a, b) { return a.created - b.created || (a.key < b.key ? -1 : 1); });
    });
  }

  function save(item) { return run("readwrite", function (s) { return s.put(item); }); }
  function remove(key) { return run("readwrite", function (s) { return s["delete"](key); }).then(changed); }

  function body(fields) {
    var files = fields.some(function (f) { return typeof f[1] !== "string"; });
    var out = files ? new FormData() : new URLSearchParams();
    fields.forEach(function (f) {
      if (typeof f[1] === "string") out.append(f[0], f[1]);
      else out.append(f[0], f[1], f[1].name || "photo.jpg");
    });
    return out;
  }

  // Send one item: "sent", "refused" (the server's message kept), or "retry" (no signal, server busy, login).
  function send(item) {
    return root.fetch(item.url, {
      method: "POST", body: body(item.fields), credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Idempotency-Key": item.key, "X-Queued-Ms": String(Math.max(0, Date.now() - item.created)) }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        var error = data && data.error;
        if (response.ok && data && data.ok) {
          item.state = "sent"; item.location = data.location || ""; item.sent = Date.now(); item.message = "";
          return "sent";
        }
        if (response.status === 401 || response.status === 429 || response.status >= 500 || !error) {
          item.message = error ? error.message : "";
          return "retry";
        }
        item.state = "refused"; item.status = response.status; item.message = error.message; item.sent = Date.now();
        return "refused";
      });
    }, function () { return "retry"; });
  }

  function drainNow() {
    return all().then(function (items) {
      var now = Date.now(), old = items.filter(function (i) { return i.state === "sent" && now - i.sent > KEEP_SENT_MS; });
      var waiting = items.filter(function (i) { return i.state === "waiting"; });
      var sent = 0;
      function next(n) {  // in order; stop at the first that cannot go now (the rest keep their order)
        if (n >= waiting.length) return Promise.resolve();
        var item = waiting[n];
        return send(item).then(function (result) {
          return save(item).then(function () {
            changed();
            if (result === "retry") return;
            sent += 1;
            return next(n + 1);
          });
        });
      }
      return Promise.all(old.map(function (i) { return remove(i.key); })).then(function () { return next(0); })
        .then(function () { return sent; });
    });
  }

  // One sender at a time across tabs and the worker (Web Locks where the browser has them).
  function drain() {
    if (root.navigator.locks && root.navigator.locks.request) {
      return root.navigator.locks.request("mingcha-outbox", drainNow);
    }
    return drainNow();
  }

  root.MingchaOutbox = { add: add, all: all, remove: remove, drain: drain, kindOf: kindOf, channel: channel, newKey: newKey };
})(self);
