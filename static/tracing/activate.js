/* Activation: read stamp QR codes with the phone camera (the browser's own BarcodeDetector, no
 * library download) and add each new code to the list; without it the list is typed. */
(function () {
  "use strict";

  var form = document.querySelector("[data-activate-form]");
  if (!form) return;
  var box = form.querySelector("[data-scanner]");
  var fallback = form.querySelector("[data-scan-fallback]");
  var list = form.querySelector('textarea[name="serials"]');
  var supported = "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  if (!supported) {
    fallback.hidden = false;
    return;
  }
  box.hidden = false;
  var video = box.querySelector("[data-scan-video]");
  var start = box.querySelector("[data-scan-start]");
  var stop = box.querySelector("[data-scan-stop]");
  var status = box.querySelector("[data-scan-status]");
  var template = form.querySelector("template[data-scan-messages]");
  var stream = null;
  var detector = null;
  var seen = {};

  function text(key) {
    var node = template.content.querySelector('[data-key="' + key + '"]');
    return node ? node.textContent : "";
  }

  function codesInList() {
    return list.value.split(/\s+/).filter(Boolean);
  }

  codesInList().forEach(function (code) { seen[code] = true; });

  function add(value) {
    var code = value.trim();
    if (!code || seen[code]) return;
    seen[code] = true;
    list.value = (list.value.trim() ? list.value.trim() + "\n" : "") + code;
    if (navigator.vibrate) navigator.vibrate(60);
    status.textContent = text("added") + " " + code.split("/").pop() + " — " + text("count") + " " + codesInList().length;
  }

  function tick() {
    if (!stream) return;
    detector.detect(video).then(function (found) {
      found.forEach(function (barcode) { add(barcode.rawValue); });
    }).catch(function () {}).then(function () {
      if (stream) window.setTimeout(tick, 250);
    });
  }

  function halt() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }

  start.addEventListener("click", function () {
    detector = detector || new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      start.hidden = true;
      stop.hidden = false;
      return video.play();
    }).then(tick).catch(function () {
      status.textContent = text("denied");
      halt();
    });
  });
  stop.addEventListener("click", halt);
  form.addEventListener("submit", halt);
})();
