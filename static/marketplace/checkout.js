/* Checkout: show the pickup or the home-delivery part of the form, and a map to pin the delivery place. */
(function () {
  "use strict";
  var form = document.querySelector("[data-checkout-form]");
  if (!form) return;
  var parts = form.querySelectorAll("[data-when]");
  var mapElement = document.getElementById("pin-map");
  var map = null;
  var marker = null;
  var lat = form.querySelector("input[name=lat]");
  var lng = form.querySelector("input[name=lng]");

  function method() {
    var checked = form.querySelector("input[name=delivery_method]:checked");
    return checked ? checked.value : "";
  }

  function setPin(latlng) {
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng).addTo(map);
    lat.value = latlng.lat.toFixed(6);
    lng.value = latlng.lng.toFixed(6);
  }

  function showMap() {
    if (map || !mapElement || typeof L === "undefined") return;
    map = L.map(mapElement).setView([22.8, 104.98], 9);
    L.tileLayer(mapElement.dataset.tilesUrl, { attribution: mapElement.dataset.tilesAttribution, maxZoom: 19 }).addTo(map);
    if (lat.value && lng.value) {
      var start = L.latLng(parseFloat(lat.value), parseFloat(lng.value));
      setPin(start);
      map.setView(start, 15);
    }
    map.on("click", function (event) { setPin(event.latlng); });
  }

  function update() {
    var current = method();
    parts.forEach(function (part) { part.hidden = current !== "" && part.dataset.when !== current; });
    if (current === "home") window.setTimeout(showMap, 0);
  }

  // Province first: the commune list shows that province's communes (those we hold); where we hold
  // none, only the typed commune is asked for.
  var province = form.querySelector("select[name=province]");
  var commune = form.querySelector("select[name=commune]");
  var listed = form.querySelector("[data-commune-list]");

  function showCommunes() {
    if (!province || !commune) return;
    var chosen = province.value;
    var any = false;
    commune.querySelectorAll("option[data-province]").forEach(function (option) {
      var here = option.dataset.province === chosen;
      option.hidden = !here;
      option.disabled = !here;
      if (here) any = true;
    });
    commune.querySelectorAll("optgroup").forEach(function (group) {
      group.hidden = !group.querySelector("option:not([disabled])");
    });
    var current = commune.options[commune.selectedIndex];
    if (current && current.disabled) commune.value = "";
    if (listed) listed.hidden = !any;
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "delivery_method") update();
    if (event.target.name === "province") showCommunes();
  });
  showCommunes();
  window.addEventListener("load", update);
  update();

  // One press places the order: the button is disabled until the page answers (the token covers retries).
  form.addEventListener("submit", function () {
    var button = form.querySelector("[data-place-order]");
    window.setTimeout(function () { button.disabled = true; }, 0);
  });
})();
