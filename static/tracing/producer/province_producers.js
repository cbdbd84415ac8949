/* The approved producers as a layer of the province map (built on HGMap from static/geo/map.js).
 * Loaded after the map's own script; the GeoJSON's URL is this script tag's data-url. Follows the
 * map's product filter. */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.dataset.url;
  if (!url || !window.HGMap || typeof L === "undefined") return;

  function popup(feature, text) {
    var props = feature.properties;
    var root = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = props.name;
    root.appendChild(title);
    var meta = document.createElement("p");
    meta.style.margin = ".25rem 0";
    meta.textContent = props.kind + " · " + props.commune + " · ✔ " + text.verified;
    root.appendChild(meta);
    var link = document.createElement("a");
    link.href = props.url;
    link.textContent = text.open;
    root.appendChild(link);
    return root;
  }

  HGMap.onReady(function (instance) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(null, {
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, { radius: 8, color: "#153f28", weight: 2, fillColor: "#f4c542", fillOpacity: 0.95 });
          },
          onEachFeature: function (feature, item) {
            item.bindPopup(popup(feature, data.text));
          },
        });
        function show(filters) {
          var kind = filters.product_kind || "";
          layer.clearLayers();
          layer.addData({
            type: "FeatureCollection",
            features: data.features.filter(function (feature) {
              return !kind || feature.properties.product_kinds.indexOf(kind) !== -1;
            }),
          });
        }
        show(instance.filters());
        instance.registerLayer("producers", layer, { label: data.label, visible: true });
        instance.onFiltersChange(show);
      })
      .catch(function (error) {
        if (window.console) console.warn("producers layer:", error);
      });
  });
})();
