// Mingcha survey page: paging mode, per-item answer times, a random client id kept on this device.
// No request ever leaves this site; everything here is stored locally or posted with the form.
(function () {
  "use strict";
  var KEY = "mc_cid";
  var cid = null;
  try {
    cid = localStorage.getItem(KEY);
    if (!cid) {
      var bytes = new Uint8Array(12);
      crypto.getRandomValues(bytes);
      cid = "c-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      localStorage.setItem(KEY, cid);
    }
  } catch (e) { cid = null; }

  var times = {};
  var last = Date.now();

  function form() { return document.getElementById("survey-form"); }

  function sync() {
    var f = form();
    if (!f) return;
    if (cid && f.elements._client_id) f.elements._client_id.value = cid;
    if (f.elements._item_ms) f.elements._item_ms.value = JSON.stringify(times);
  }

  function restore() {
    var f = form();
    if (!f || !f.elements._item_ms) return;
    try {
      var saved = JSON.parse(f.elements._item_ms.value || "{}");
      for (var k in saved) if (!(k in times)) times[k] = saved[k];
    } catch (e) { /* ignore a malformed echo */ }
    sync();
  }

  document.addEventListener("change", function (ev) {
    var box = ev.target.closest && ev.target.closest("[data-item]");
    if (!box) return;
    var now = Date.now();
    var id = box.getAttribute("data-item");
    times[id] = (times[id] || 0) + Math.min(now - last, 600000);
    last = now;
    sync();
  });

  // Enter in a one-line field must not send the whole form from the middle of a page.
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && ev.target.tagName === "INPUT" && form() && form().contains(ev.target)) ev.preventDefault();
  });

  var focusName = null, focusValue = null;
  document.addEventListener("htmx:configRequest", function () {
    sync();
    var el = document.activeElement;
    focusName = el && el.name; focusValue = el && el.value;
  });
  document.addEventListener("htmx:afterSwap", function () {
    restore();
    last = Date.now();
    var f = form();
    if (!f) return;
    var alert = document.getElementById("form-alert");
    var err = f.querySelector(".page.current .has-error");
    if (alert || err) {
      (err || alert).scrollIntoView({ block: "start" });
      var input = err && err.querySelector("input, textarea");
      (input || alert).focus({ preventScroll: true });
      return;
    }
    var keep = focusName && f.querySelector('[name="' + focusName + '"][value="' + focusValue + '"]');
    if (keep && focusName.indexOf("a.") === 0) { keep.focus({ preventScroll: true }); return; }
    var heading = f.querySelector(".page.current h2");
    if (heading) { heading.focus({ preventScroll: true }); window.scrollTo(0, f.offsetTop - 8); }
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restore);
  else restore();
})();
