/* Inspection on site: read the stamp's QR code with the phone camera (BarcodeDetector API, where the
 * browser has it; typing the code always works), and fill in the GPS position when asked. */
(function () {
  "use strict";

  function locate(button) {
    var form = button.closest("form");
    var status = form.querySelector("[data-position]");
    var lat = form.querySelector('[name="lat"]');
    var lng = form.querySelector('[name="lng"]');
    var accuracy = form.querySelector('[name="accuracy"], [name="accuracy_m"]');
    if (!navigator.geolocation) {
      status.textContent = status.dataset.textFailed;
      return;
    }
    navigator.geolocation.getCurrentPosition(
      function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lng.value = position.coords.longitude.toFixed(6);
        if (accuracy) accuracy.value = String(Math.round(position.coords.accuracy));
        status.textContent = status.dataset.textLocated.replace("%(m)s", String(Math.round(position.coords.accuracy)));
      },
      function () {
        status.textContent = status.dataset.textFailed;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  document.querySelectorAll("[data-locate]").forEach(function (button) {
    button.addEventListener("click", function () {
      locate(button);
    });
  });

  var form = document.querySelector("[data-inspect-form]");
  if (!form) return;
  var startButton = form.querySelector("[data-start-camera]");
  var noCamera = form.querySelector("[data-no-camera]");
  var box = form.querySelector("[data-scanner]");
  var video = form.querySelector("[data-video]");
  var scanStatus = form.querySelector("[data-scanner-status]");
  var codeInput = form.querySelector("[data-code]");
  var supported = "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  if (!supported) {
    noCamera.hidden = false;
    return;
  }
  startButton.hidden = false;
  var stream = null;

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    box.hidden = true;
  }

  startButton.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        box.hidden = false;
        scanStatus.textContent = scanStatus.dataset.textScanning;
        return video.play();
      })
      .then(function () {
        function tick() {
          if (!stream) return;
          detector
            .detect(video)
            .then(function (codes) {
              if (codes.length) {
                codeInput.value = codes[0].rawValue;
                stop();
                form.submit();
              } else {
                window.requestAnimationFrame(tick);
              }
            })
            .catch(function () {
              window.setTimeout(tick, 300);
            });
        }
        tick();
      })
      .catch(function () {
        stop();
        noCamera.hidden = false;
      });
  });
})();
