/* Put a place into a form from a phone: tap the map to drop a point, or draw a boundary corner by
 * corner, or use the phone's GPS. Writes the hidden inputs of its scope:
 *   [data-pick-lat], [data-pick-lng]   the point (latitude, longitude)
 *   [data-pick-boundary]               the boundary as a GeoJSON Polygon (longitude, latitude)
 * Markup: <div data-pick-scope> hidden inputs … <div data-pick> [data-pick-map] [data-pick-tool] radios,
 * [data-pick-gps], [data-pick-undo], [data-pick-clear], [data-pick-status], <template data-pick-messages>. */
(function () {
  "use strict";
  if (typeof L === "undefined") return;

  var PROVINCE = [22.75, 104.95];

  function messages(root) {
    var result = {};
    var template = root.querySelector("template[data-pick-messages]");
    if (!template) return result;
    template.content.querySelectorAll("[data-key]").forEach(function (node) {
      result[node.dataset.key] = node.textContent;
    });
    return result;
  }

  function init(root) {
    var scope = root.closest("[data-pick-scope]") || root.parentNode;
    var lat = scope.querySelector("[data-pick-lat]");
    var lng = scope.querySelector("[data-pick-lng]");
    var boundaryInput = scope.querySelector("[data-pick-boundary]");
    var mapElement = root.querySelector("[data-pick-map]");
    var status = root.querySelector("[data-pick-status]");
    var text = messages(root);
    var corners = [];
    var marker = null;
    var shape = null;
    var cornerLayer = L.layerGroup();

    root.hidden = false;
    var map = L.map(mapElement, { tap: true }).setView(PROVINCE, 9);
    L.tileLayer(mapElement.dataset.tilesUrl, { attribution: mapElement.dataset.tilesAttribution, maxZoom: 19 }).addTo(map);
    cornerLayer.addTo(map);

    function say(key, count) {
      if (!status) return;
      var message = text[key] || "";
      status.textContent = message.replace("{count}", String(count || 0));
    }

    function tool() {
      var checked = root.querySelector("input[data-pick-tool]:checked");
      return checked ? checked.value : boundaryInput && !lat ? "boundary" : "point";
    }

    function setPoint(latlng, quiet) {
      if (!lat || !lng) return;
      if (marker) marker.setLatLng(latlng);
      else marker = L.marker(latlng, { keyboard: false }).addTo(map);
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
      if (!quiet) say("point");
    }

    function redraw() {
      cornerLayer.clearLayers();
      if (shape) {
        map.removeLayer(shape);
        shape = null;
      }
      corners.forEach(function (corner) {
        L.circleMarker(corner, { radius: 5, color: "#153f28", weight: 2, fillColor: "#f4c542", fillOpacity: 1 }).addTo(cornerLayer);
      });
      if (corners.length >= 3) {
        shape = L.polygon(corners, { color: "#1f5f3b", weight: 2, fillOpacity: 0.3 }).addTo(map);
        var ring = corners.map(function (corner) {
          return [Number(corner.lng.toFixed(6)), Number(corner.lat.toFixed(6))];
        });
        ring.push(ring[0]);
        boundaryInput.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      } else {
        if (corners.length === 2) shape = L.polyline(corners, { color: "#1f5f3b", weight: 2, dashArray: "4 4" }).addTo(map);
        if (boundaryInput) boundaryInput.value = "";
      }
    }

    function addCorner(latlng) {
      corners.push(latlng);
      redraw();
      say(corners.length >= 3 ? "closed" : "corner", corners.length);
    }

    // What the form already holds (an edit, or a page shown again with errors).
    var bounds = L.latLngBounds([]);
    if (lat && lng && lat.value && lng.value) {
      var start = L.latLng(parseFloat(lat.value), parseFloat(lng.value));
      setPoint(start, true);
      bounds.extend(start);
    }
    if (boundaryInput && boundaryInput.value) {
      try {
        var geometry = JSON.parse(boundaryInput.value);
        var ring = geometry.type === "MultiPolygon" ? geometry.coordinates[0][0] : geometry.coordinates[0];
        corners = ring.slice(0, -1).map(function (pair) {
          return L.latLng(pair[1], pair[0]);
        });
        redraw();
        corners.forEach(function (corner) {
          bounds.extend(corner);
        });
      } catch (error) {
        boundaryInput.value = "";
      }
    }
    if (bounds.isValid()) map.fitBounds(bounds, { maxZoom: 16, padding: [24, 24] });

    map.on("click", function (event) {
      if (tool() === "boundary") addCorner(event.latlng);
      else setPoint(event.latlng);
    });

    var gps = root.querySelector("[data-pick-gps]");
    if (gps && navigator.geolocation && lat) {
      gps.hidden = false;
      gps.addEventListener("click", function () {
        say("locating");
        navigator.geolocation.getCurrentPosition(
          function (position) {
            var here = L.latLng(position.coords.latitude, position.coords.longitude);
            setPoint(here, true);
            map.setView(here, 16);
            say("located");
          },
          function () {
            say("denied");
          },
          { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
        );
      });
    }
    var undo = root.querySelector("[data-pick-undo]");
    if (undo) {
      undo.addEventListener("click", function () {
        corners.pop();
        redraw();
        say("corner", corners.length);
      });
    }
    var clear = root.querySelector("[data-pick-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        corners = [];
        redraw();
        if (marker) {
          map.removeLayer(marker);
          marker = null;
        }
        if (lat) lat.value = "";
        if (lng) lng.value = "";
        say("cleared");
      });
    }
    // A map laid out while hidden (e.g. in a closed <details>) needs its size measured again.
    var details = root.closest("details");
    if (details) details.addEventListener("toggle", function () { map.invalidateSize(); });
  }

  document.querySelectorAll("[data-pick]").forEach(init);
})();
