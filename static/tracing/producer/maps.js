/* Small read-only maps of the tracing pages (producer, product, batch, official's file).
 *
 * <div data-feature-map="config-id" data-tiles-url=… data-tiles-attribution=… hidden></div>
 * plus {{ config|json_script:"config-id" }} where config = {"layers": [{"style", "geojson"}], "route": bool}.
 * Styles: "region" (growing region, its product colour), "area" (production area; dashed red when it
 * has a region warning), "producer" (the organisation), "journey" (numbered steps, joined when route). */
(function () {
  "use strict";
  if (typeof L === "undefined") return;

  var COLOURS = { area: "#1f5f3b", warning: "#b3261e", producer: "#153f28", journey: "#8a5a00" };

  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function style(kind) {
    return function (feature) {
      var props = feature.properties || {};
      if (kind === "region") {
        var colour = /^#[0-9a-fA-F]{6}$/.test(props.colour || "") ? props.colour : "#1f5f3b";
        return { color: colour, weight: 2, fillOpacity: 0.12, dashArray: props.boundary_is_approximate ? "6 4" : null };
      }
      if (kind === "area") {
        var warn = Boolean(props.warning);
        return { color: warn ? COLOURS.warning : COLOURS.area, weight: 2, fillOpacity: 0.3, dashArray: warn ? "6 4" : null };
      }
      return { color: COLOURS[kind] || COLOURS.area, weight: 3 };
    };
  }

  function marker(kind) {
    return function (feature, latlng) {
      var props = feature.properties || {};
      if (kind === "journey") {
        return L.marker(latlng, {
          icon: L.divIcon({ className: "journey-step", html: "", iconSize: [26, 26] }),
          keyboard: false,
        }).on("add", function (event) {
          event.target.getElement().textContent = String(props.order || "");
        });
      }
      var fill = kind === "producer" ? "#f4c542" : props.warning ? COLOURS.warning : COLOURS.area;
      return L.circleMarker(latlng, { radius: kind === "producer" ? 8 : 7, color: COLOURS.producer, weight: 2, fillColor: fill, fillOpacity: 0.95 });
    };
  }

  function draw(element) {
    var node = document.getElementById(element.dataset.featureMap);
    if (!node) return;
    var config = JSON.parse(node.textContent);
    if (!config.layers || !config.layers.length) return;
    element.hidden = false;
    // A view first: vector layers (the route) measure themselves against it when added.
    var map = L.map(element, { scrollWheelZoom: false, tap: true }).setView([22.75, 104.95], 8);
    L.tileLayer(element.dataset.tilesUrl, { attribution: element.dataset.tilesAttribution, maxZoom: 19 }).addTo(map);
    var bounds = L.latLngBounds([]);
    config.layers.forEach(function (layer) {
      var geojson = L.geoJSON(layer.geojson, {
        style: style(layer.style),
        pointToLayer: marker(layer.style),
        onEachFeature: function (feature, item) {
          if (feature.properties && feature.properties.name) item.bindTooltip(label(feature.properties.name));
        },
      }).addTo(map);
      bounds.extend(geojson.getBounds());
      if (layer.style === "journey" && config.route && layer.geojson.features.length > 1) {
        var path = layer.geojson.features.map(function (feature) {
          return [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
        });
        L.polyline(path, { color: COLOURS.journey, weight: 3, dashArray: "8 6" }).addTo(map);
      }
    });
    if (bounds.isValid()) map.fitBounds(bounds, { maxZoom: 14, padding: [24, 24] });
  }

  document.querySelectorAll("[data-feature-map]").forEach(draw);
})();
