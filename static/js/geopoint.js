// A geopoint question (XLSForm geopoint): "use my position" fills "latitude longitude altitude accuracy" from the
// phone (ODK's order, metres). Loaded only by forms that have such a question; without it (or without
// permission) the respondent can type the two numbers, and the server checks them either way.
(function () {
  "use strict";
  function fill(button) {
    var input = document.getElementById(button.getAttribute("data-for"));
    var status = document.getElementById(button.getAttribute("data-status"));
    if (!input || !navigator.geolocation) {
      if (status) status.textContent = button.getAttribute("data-msg-none");
      return;
    }
    if (status) status.textContent = button.getAttribute("data-msg-wait");
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        var c = pos.coords;
        input.value = [c.latitude.toFixed(6), c.longitude.toFixed(6),
          c.altitude == null ? 0 : c.altitude.toFixed(1), c.accuracy.toFixed(1)].join(" ");
        input.dispatchEvent(new Event("change", { bubbles: true }));
        if (status) {
          status.textContent = button.getAttribute("data-msg-done").replace("{m}", Math.round(c.accuracy));
        }
      },
      function () {
        if (status) status.textContent = button.getAttribute("data-msg-none");
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
    );
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-geopoint]") : null;
    if (button) {
      event.preventDefault();
      fill(button);
    }
  });
})();
