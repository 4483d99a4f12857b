// Staff and field screens: the phone's own clock with check-in and check-out (the server keeps both and shows
// the skew), the position when asked; the service worker, the assigned screens kept for use without signal,
// answers kept as they are typed, and the outbox (what waits to be sent, what was sent or refused).
// Everything here is optional: every page works without JavaScript while there is signal.
(function () {
  "use strict";
  var body = document.body, box = window.MingchaOutbox;

  document.querySelectorAll("form[data-device-time]").forEach(function (form) {
    var geo = form.querySelector("[data-geolocate]");
    form.addEventListener("submit", function (event) {
      var stamp = form.querySelector("input[name=device_time]");
      if (stamp) stamp.value = new Date().toISOString();
      if (!geo || !geo.checked || !navigator.geolocation || form.dataset.located) return;
      event.preventDefault();
      var done = function () { form.dataset.located = "1"; form.submit(); };
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("input[name=latitude]").value = pos.coords.latitude;
        form.querySelector("input[name=longitude]").value = pos.coords.longitude;
        form.querySelector("input[name=accuracy]").value = pos.coords.accuracy;
        done();
      }, done, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
    });
  });

  // Scheduling a visit: only the forms that serve the chosen kind of visit can be picked.
  document.querySelectorAll("select[data-mode-filter]").forEach(function (select) {
    var form = select.form;
    var apply = function () {
      var mode = form.querySelector("input[name=mode]:checked");
      if (!mode) return;
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var fits = (option.dataset.modes || "").split(" ").indexOf(mode.value) >= 0;
        option.disabled = option.hidden = !fits;
        if (fits && !first) first = option;
      });
      if (select.selectedOptions[0] && select.selectedOptions[0].disabled && first) first.selected = true;
    };
    form.querySelectorAll("input[name=mode]").forEach(function (radio) { radio.addEventListener("change", apply); });
    apply();
  });

  // Recording a call: the decision follows the outcome (confirmed counts, a denial is excluded with a reason
  // filled in, anything else waits for another call); the lead auditor can still pick another one.
  var callForm = document.getElementById("call-form");
  if (callForm && callForm.querySelector("input[name=decision][value=follow]")) {
    var follow = callForm.querySelector("input[name=decision][value=follow]");
    var reason = callForm.querySelector("textarea[name=reason]");
    var filled = "";
    follow.closest("label").hidden = true;
    var suggest = function (radio) {
      var wanted = callForm.querySelector("input[name=decision][value='" + radio.dataset.suggests + "']");
      if (wanted) wanted.checked = true;
      if (reason && (reason.value === "" || reason.value === filled)) {
        filled = radio.dataset.suggests === "exclude" ? callForm.dataset.deniedReason : "";
        reason.value = filled;
      }
    };
    callForm.querySelectorAll("input[name=outcome]").forEach(function (radio) {
      radio.addEventListener("change", function () { suggest(radio); });
      if (radio.checked && follow.checked) suggest(radio);
    });
  }

  // Each interview typed on this page is its own: a fresh draft id (resends of it stay one interview).
  if (box) document.querySelectorAll("input[data-draft]").forEach(function (input) { input.value = "d-" + box.newKey().slice(0, 20); });

  // A step's answers kept on the phone as they are given; a kept screen shows them again.
  document.querySelectorAll("form[data-draft-form]").forEach(function (form) {
    var name = "mc_step:" + form.getAttribute("action");
    function save() {
      var answers = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || (el.name.indexOf("a.") !== 0 && el.name !== "note")) return;
        if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
        (answers[el.name] = answers[el.name] || []).push(el.value);
      });
      try { localStorage.setItem(name, JSON.stringify({ at: Date.now(), answers: answers })); } catch (e) { /* full */ }
    }
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(name) || "null"); } catch (e) { saved = null; }
    if (saved && saved.at > Number(form.getAttribute("data-rendered") || 0)) {
      Array.prototype.forEach.call(form.elements, function (el) {
        var values = saved.answers[el.name];
        if (!values && el.name && el.name.indexOf("a.") === 0 && (el.type === "radio" || el.type === "checkbox")) { el.checked = false; return; }
        if (!values) return;
        if (el.type === "radio" || el.type === "checkbox") el.checked = values.indexOf(el.value) >= 0;
        else el.value = values[0];
      });
    }
    form.addEventListener("change", save);
    form.addEventListener("submit", save);
  });

  if (!("serviceWorker" in navigator) || !window.caches || !box) return;
  navigator.serviceWorker.register("/sw.js").catch(function () { /* blocked: online use is unaffected */ });

  function keepAssigned() {  // the screens of every open assignment, for use without signal
    var urls = [];
    document.querySelectorAll("[data-keep]").forEach(function (a) { urls = urls.concat(a.getAttribute("data-keep").split(" ")); });
    if (!urls.length || !navigator.onLine) return;
    urls.push("/f", "/f/outbox", "/offline");
    caches.open("mingcha-pages").then(function (cache) {
      return Promise.all(urls.map(function (u) { return cache.add(u).catch(function () { /* one missed screen */ }); }));
    }).then(function () { body.setAttribute("data-kept", String(urls.length)); });
  }

  function say(template, n) { return (body.getAttribute(template) || "{n}").replace("{n}", n); }

  function bar(items) {  // how many items wait on this phone, on every field screen
    var waiting = items.filter(function (i) { return i.state === "waiting"; }).length;
    var refused = items.filter(function (i) { return i.state === "refused"; }).length;
    var el = document.getElementById("outbox-bar");
    if (!waiting && !refused) { if (el) el.hidden = true; return; }
    if (!el) {
      el = document.createElement("p"); el.id = "outbox-bar"; el.className = "notice"; el.setAttribute("role", "status");
      var main = document.getElementById("main"); main.insertBefore(el, main.firstChild);
    }
    el.hidden = false;
    el.textContent = "";
    var link = document.createElement("a");
    link.href = "/f/outbox";
    link.textContent = [waiting ? say("data-outbox-waiting", waiting) : "", refused ? say("data-outbox-refused", refused) : ""].filter(Boolean).join(" · ");
    el.appendChild(link);
  }

  function when(ms) { var d = new Date(ms); return d.toLocaleString(document.documentElement.lang || undefined, { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }); }

  function list(items) {  // the outbox page: every item, its state, and the server's message when refused
    var ul = document.getElementById("outbox");
    if (!ul) return;
    ul.textContent = "";
    document.getElementById("outbox-empty").hidden = items.length > 0;
    items.slice().reverse().forEach(function (item) {
      var li = document.createElement("li"), visit = /\/f\/v\/(\d+)/.exec(item.url);
      li.className = "outbox-item " + item.state;
      li.setAttribute("data-state", item.state);
      var title = document.createElement("strong");
      title.textContent = (ul.getAttribute("data-kind-" + item.kind) || item.kind) + (visit ? " · #" + visit[1] : "");
      var state = document.createElement("span");
      state.className = "tag" + (item.state === "refused" ? " warn" : "");
      state.textContent = ul.getAttribute("data-state-" + item.state);
      li.appendChild(title); li.appendChild(document.createTextNode(" ")); li.appendChild(state);
      var meta = document.createElement("span"); meta.className = "muted"; meta.textContent = " " + when(item.created);
      li.appendChild(meta);
      if (item.message) { var msg = document.createElement("p"); msg.className = item.state === "refused" ? "error" : "muted"; msg.textContent = item.message; li.appendChild(msg); }
      if (item.state !== "waiting") {
        var drop = document.createElement("button"); drop.type = "button"; drop.className = "secondary";
        drop.textContent = ul.getAttribute("data-remove");
        drop.addEventListener("click", function () { box.remove(item.key).then(refresh); });
        li.appendChild(drop);
      }
      ul.appendChild(li);
    });
  }

  function refresh() { return box.all().then(function (items) { bar(items); list(items); }); }
  function drain() { if (navigator.onLine) box.drain().then(refresh, refresh); }

  if (box.channel) box.channel.onmessage = refresh;
  window.addEventListener("online", drain);
  var now = document.getElementById("outbox-send");
  if (now) { now.hidden = false; now.addEventListener("click", function () { box.drain().then(refresh, refresh); }); }
  refresh().then(drain);
  keepAssigned();
})();
