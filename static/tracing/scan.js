/* The scan page after its text: the origin map (Leaflet loaded only when the map comes into view) and the
   opt-in location. */
(function () {
  "use strict";

  function csrf() {
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  // Leaflet sets a string tooltip as HTML; names are what producers typed, so they go in as text.
  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function loadMap(box) {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = box.dataset.leafletCss;
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = box.dataset.leafletJs;
    script.onload = function () {
      var here = [parseFloat(box.dataset.lat), parseFloat(box.dataset.lng)];
      var map = L.map(box, { scrollWheelZoom: false }).setView(here, 10);
      L.tileLayer(box.dataset.tilesUrl, { attribution: box.dataset.tilesAttribution, maxZoom: 18 }).addTo(map);
      fetch(box.dataset.geojson, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          var layer = L.geoJSON(data, {
            style: function (f) { return { color: (f.properties && f.properties.colour) || "#1f5f3b", weight: 2, fillOpacity: 0.2 }; },
            pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 8, color: "#b3261e", fillOpacity: 0.9 }); },
            onEachFeature: function (f, l) { if (f.properties && f.properties.name) l.bindTooltip(label(f.properties.name)); }
          }).addTo(map);
          var bounds = layer.getBounds();
          if (bounds.isValid()) map.fitBounds(bounds.pad(0.15), { maxZoom: 12 });
        });
    };
    // Leaflet's stylesheet first: tiles placed before it applies stick out of the map and widen the page.
    css.onload = css.onerror = function () { document.body.appendChild(script); };
  }

  function message(section, key) {
    var template = section.querySelector("template[data-share-messages]");
    var node = template && template.content.querySelector('[data-key="' + key + '"]');
    return node ? node.textContent : "";
  }

  function shareLocation(section) {
    var button = section.querySelector("[data-share-button]");
    var status = section.querySelector("[data-share-status]");
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var body = new URLSearchParams({ scan: button.dataset.scan, lat: pos.coords.latitude, lng: pos.coords.longitude });
        fetch(button.dataset.url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf() } })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            status.textContent = data.place !== undefined ? message(section, "thanks") + " " + (data.place || "—") : (data.error && data.error.message) || "";
          });
      }, function () {
        status.textContent = message(section, "denied");
        button.disabled = false;
      }, { timeout: 15000, maximumAge: 600000 });
    });
  }

  function reportLocation(form) {
    var box = form.querySelector("[data-share]");
    var button = form.querySelector("[data-report-locate]");
    if (!box || !button || !navigator.geolocation) return;
    box.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector('input[name="lat"]').value = pos.coords.latitude.toFixed(5);
        form.querySelector('input[name="lng"]').value = pos.coords.longitude.toFixed(5);
        form.querySelector("[data-share-status]").textContent = "✔";
      });
    });
  }

  // Most visitors read the verdict and leave: Leaflet (~47 KB compressed) and the map's data are fetched
  // only when the map is about to scroll into view; without IntersectionObserver, once the page has loaded.
  function whenNear(element, callback) {
    if (!("IntersectionObserver" in window)) {
      if (document.readyState === "complete") callback();
      else window.addEventListener("load", callback);
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      if (!entries.some(function (entry) { return entry.isIntersecting; })) return;
      observer.disconnect();
      callback();
    }, { rootMargin: "300px 0px" });
    observer.observe(element);
  }

  var box = document.getElementById("origin-map");
  if (box) {
    box.hidden = false; // its place is kept (a fixed height) while Leaflet loads: nothing below moves
    whenNear(box, function () { loadMap(box); });
  }
  var share = document.querySelector("section[data-share]");
  if (share && navigator.geolocation) {
    share.hidden = false;
    shareLocation(share);
  }
  var report = document.querySelector("[data-report-form]");
  if (report) reportLocation(report);
})();
