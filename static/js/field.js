// Field screens: send the phone's own clock with check-in and check-out (the server keeps both and shows the
// skew), and the position when the auditor ticks "record my position". Everything works without this file.
(function () {
  "use strict";
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
})();
