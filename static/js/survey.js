// Mingcha survey page: paging, per-item answer times, a random client id kept on this device, and answers
// kept on the phone as they are given (a reload or a lost connection loses nothing). Without signal the page
// pages on the phone and a submit waits in the outbox (outbox.js, loaded when needed) until it can be sent.
// No request ever leaves this site.
(function () {
  "use strict";
  var KEY = "mc_cid", store = window.localStorage, cid = null, snapshot = "";
  try { snapshot = "<!doctype html>\n" + document.documentElement.outerHTML; } catch (e) { /* no copy kept */ }
  function hex(n) {
    var bytes = new Uint8Array(n); crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function load(name) { try { return JSON.parse(store.getItem(name) || "null"); } catch (e) { return null; } }
  function keep(name, value) { try { if (value === null) store.removeItem(name); else store.setItem(name, JSON.stringify(value)); } catch (e) { /* full */ } }
  try { cid = store.getItem(KEY); if (!cid) { cid = "c-" + hex(12); store.setItem(KEY, cid); } } catch (e) { cid = null; }

  var times = {}, last = Date.now(), step = "submit", draft = null;
  function form() { return document.getElementById("survey-form"); }
  function draftName() { var f = form(); return f ? "mc_draft:" + f.getAttribute("action") : ""; }
  function waitName() { return "mc_wait:" + (form() ? form().getAttribute("action") : location.pathname); }

  function sync() {
    var f = form();
    if (!f) return;
    if (cid && f.elements._client_id) f.elements._client_id.value = cid;
    if (f.elements._item_ms) f.elements._item_ms.value = JSON.stringify(times);
    if (draft && f.elements._draft) { f.elements._draft.value = draft.id; f.elements._elapsed_ms.value = Date.now() - draft.started; }
  }

  function save() {  // every answer, as it is given, into this phone's storage
    var f = form();
    if (!f) return;
    if (!draft) draft = { id: "d-" + hex(10), started: Date.now() };
    var answers = {};
    Array.prototype.forEach.call(f.elements, function (el) {
      if (!el.name || el.name.indexOf("a.") !== 0) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      (answers[el.name] = answers[el.name] || []).push(el.value);
    });
    draft.answers = answers; draft.times = times; draft.page = current();
    keep(draftName(), draft);
    sync();
  }

  function restoreDraft() {  // on opening the page: the answers this phone kept, and the part it was on
    var f = form(), saved = load(draftName());
    if (!f || !saved) return;
    draft = saved;
    for (var k in saved.times || {}) if (!(k in times)) times[k] = saved.times[k];
    Array.prototype.forEach.call(f.elements, function (el) {
      var values = saved.answers && saved.answers[el.name];
      if (!values) return;
      if (el.type === "radio" || el.type === "checkbox") el.checked = values.indexOf(el.value) >= 0;
      else el.value = values[0];
    });
    if (saved.page) show(saved.page);
    sync();
  }

  function restore() {
    var f = form();
    if (!f || !f.elements._item_ms) return;
    try {
      var echoed = JSON.parse(f.elements._item_ms.value || "{}");
      for (var k in echoed) if (!(k in times)) times[k] = echoed[k];
    } catch (e) { /* ignore a malformed echo */ }
    sync();
  }

  function sections() { return form().querySelectorAll("section.page"); }
  function current() { var s = sections(); for (var i = 0; i < s.length; i++) if (s[i].classList.contains("current")) return i; return 0; }

  function show(n) {  // page on the phone (without signal the server cannot page)
    var f = form(), s = sections();
    n = Math.max(0, Math.min(n, s.length - 1));
    for (var i = 0; i < s.length; i++) s[i].classList.toggle("current", i === n);
    f.elements._page.value = n;
    var text = f.querySelector(".progress span"), bar = f.querySelector(".progress progress");
    if (text) text.textContent = f.getAttribute("data-progress").replace("{n}", n + 1).replace("{total}", s.length);
    if (bar) bar.value = n + 1;
    var heading = s[n].querySelector("h2");
    if (heading) { heading.focus({ preventScroll: true }); window.scrollTo(0, f.offsetTop - 8); }
  }

  function missing(section) {  // required items on this part with no answer (hidden conditional ones aside)
    return Array.prototype.filter.call(section.querySelectorAll("[data-required]"), function (box) {
      if (box.classList.contains("cond-off")) return false;
      return !Array.prototype.some.call(box.querySelectorAll("input, textarea"), function (el) {
        return (el.type === "radio" || el.type === "checkbox") ? el.checked : el.value.trim() !== "";
      });
    });
  }

  function alertBox(text) {
    var f = form(), box = document.getElementById("form-alert");
    if (!box) { box = document.createElement("div"); box.id = "form-alert"; box.className = "alert"; box.setAttribute("role", "alert"); box.tabIndex = -1; f.insertBefore(box, f.querySelector(".progress")); }
    box.textContent = text;
    return box;
  }

  function flag(boxes) {
    Array.prototype.forEach.call(form().querySelectorAll(".has-error"), function (b) { b.classList.remove("has-error"); });
    boxes.forEach(function (b) { b.classList.add("has-error"); });
    if (boxes.length) { boxes[0].scrollIntoView({ block: "start" }); alertBox(form().getAttribute("data-msg-missing")).focus({ preventScroll: true }); }
  }

  function withOutbox(then) {  // outbox.js only when it is needed: the first load stays light
    if (window.MingchaOutbox) { then(window.MingchaOutbox); return; }
    var tag = document.createElement("script");
    tag.src = document.querySelector("script[data-outbox]").getAttribute("data-outbox");
    tag.onload = function () { then(window.MingchaOutbox); };
    document.head.appendChild(tag);
  }

  function offline(which) {  // what a button does without signal
    var s = sections(), n = current();
    if (which === "back") { show(n - 1); return; }
    if (which === "repeat") { alertBox(form().getAttribute("data-msg-repeat")).focus(); return; }
    if (which === "next") { var gap = missing(s[n]); flag(gap); if (!gap.length) show(n + 1); return; }
    for (var i = 0; i < s.length; i++) { var g = missing(s[i]); if (g.length) { show(i); flag(g); return; } }
    sync();
    var f = form(), fields = [];
    Array.prototype.forEach.call(f.elements, function (el) {
      if (!el.name || ((el.type === "radio" || el.type === "checkbox") && !el.checked)) return;
      if (el.name !== "_step") fields.push([el.name, el.value]);
    });
    fields.push(["_step", "submit"]);
    withOutbox(function (box) {
      box.add({ url: f.action, fields: fields, kind: "survey" }).then(function (item) {
        keep(waitName(), { key: item.key, page: true });
        keep(draftName(), null); draft = null;
        var note = document.createElement("p");
        note.className = "notice"; note.setAttribute("role", "status"); note.id = "queued";
        note.textContent = f.getAttribute("data-msg-saved");
        f.hidden = true; f.parentNode.insertBefore(note, f);
        waiting();
        if (navigator.serviceWorker && navigator.serviceWorker.ready) navigator.serviceWorker.ready.then(function (r) { if (r.sync) r.sync.register("mingcha-outbox"); });
        if (navigator.onLine) box.drain();
      });
    });
  }

  function waiting() {  // a submit queued on this phone: send it, then show its receipt
    var wait = load(waitName());
    if (!wait) return;
    withOutbox(function (box) {
      function look() {
        box.all().then(function (items) {
          var item = items.filter(function (i) { return i.key === wait.key; })[0];
          if (!item) { keep(waitName(), null); return; }
          if (item.state === "sent") {  // arrived: its thank-you page and receipt, never a blank survey
            keep(waitName(), null);
            location.href = item.location;
            return;
          } else if (item.state === "refused" && form()) {
            var q = document.getElementById("queued");
            if (q) q.remove();
            form().hidden = false;
            alertBox(item.message);
          } else if (form() && !document.getElementById("queued")) {
            // still waiting: say so, and keep the blank survey out of the way
            var g = form(), holder = document.createElement("div"), text = document.createElement("p"), send = document.createElement("button");
            holder.id = "queued"; text.className = "notice"; text.setAttribute("role", "status");
            text.textContent = g.getAttribute("data-msg-waiting");
            send.type = "button"; send.className = "primary"; send.textContent = g.getAttribute("data-msg-send");
            send.addEventListener("click", function () { box.drain().then(look); });
            holder.appendChild(text); holder.appendChild(send);
            g.hidden = true; g.parentNode.insertBefore(holder, g);
          }
        });
      }
      if (box.channel) box.channel.onmessage = look;
      window.addEventListener("online", function () { box.drain().then(look); });
      (navigator.onLine ? box.drain() : Promise.resolve()).then(look);
    });
  }

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("button[name=_step],button[name=_repeat]");
    if (b) step = b.name === "_repeat" ? "repeat" : b.value;
  }, true);
  document.addEventListener("change", function (ev) {
    var box = ev.target.closest && ev.target.closest("[data-item]");
    if (!box) return;
    var now = Date.now(), id = box.getAttribute("data-item");
    times[id] = (times[id] || 0) + Math.min(now - last, 600000);
    last = now;
    save();
  });
  document.addEventListener("input", function (ev) { if (ev.target.tagName === "TEXTAREA" || ev.target.type === "tel") save(); });

  // Enter in a one-line field must not send the whole form from the middle of a page.
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && ev.target.tagName === "INPUT" && form() && form().contains(ev.target)) ev.preventDefault();
  });

  var focusName = null, focusValue = null;
  document.addEventListener("htmx:beforeRequest", function (ev) {
    if (navigator.onLine !== false) return;
    ev.preventDefault();  // without signal: page on the phone, or keep the submit in the outbox
    if (ev.detail.elt === form()) offline(step);
  });
  document.addEventListener("htmx:sendError", function (ev) {
    if (ev.detail.elt === form()) offline(step);
    else if (ev.detail.elt && ev.detail.elt.name === "_photo") alertBox(form().getAttribute("data-msg-repeat")).focus();
  });
  document.addEventListener("htmx:configRequest", function () {
    sync();
    var el = document.activeElement;
    focusName = el && el.name; focusValue = el && el.value;
  });
  document.addEventListener("htmx:afterRequest", function (ev) {
    var xhr = ev.detail.xhr, to = xhr && xhr.getResponseHeader("HX-Redirect");
    if (to && to.indexOf("/thanks/") > 0) { keep(draftName(), null); draft = null; }
  });
  document.addEventListener("htmx:afterSwap", function () {
    restore();
    last = Date.now();
    var f = form();
    if (!f) return;
    if (draft) { draft.page = current(); keep(draftName(), draft); }
    var alert = document.getElementById("form-alert");
    var err = f.querySelector(".page.current .has-error");
    if (alert || err) {
      (err || alert).scrollIntoView({ block: "start" });
      var input = err && err.querySelector("input, textarea");
      (input || alert).focus({ preventScroll: true });
      return;
    }
    var kept = focusName && f.querySelector('[name="' + focusName + '"][value="' + focusValue + '"]');
    if (kept && focusName.indexOf("a.") === 0) { kept.focus({ preventScroll: true }); return; }
    var heading = f.querySelector(".page.current h2");
    if (heading) { heading.focus({ preventScroll: true }); window.scrollTo(0, f.offsetTop - 8); }
  });

  function start() {
    restore();
    restoreDraft();
    waiting();
    if (!navigator.serviceWorker || !window.caches) return;
    navigator.serviceWorker.register("/sw.js").then(function () {
      if (!navigator.serviceWorker.controller && snapshot) {  // this first view was not seen by the worker: keep it
        caches.open("mingcha-pages").then(function (c) { c.put(location.href, new Response(snapshot, { headers: { "Content-Type": "text/html; charset=utf-8" } })); });
      }
    }).catch(function () { /* private mode or blocked: the page still works online */ });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
