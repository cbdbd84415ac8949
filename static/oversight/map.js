/* The officials' layers on the province map (HGMap, static/geo/map.js): producers of the viewport,
 * filtered on the server (oversight API), clustered; the choropleth of producers per administrative
 * unit counted by PostGIS, with its legend (where the units have no boundary, the 2025 communes, the
 * areas they came from are filled and the communes drawn as circles on top); a producer's card on
 * click; export links that follow the filters. Loaded before geo/province_map.js, which creates the map and its own layers. */
(function () {
  "use strict";
  var configNode = document.getElementById("province-map-config");
  if (!configNode || !window.HGMap || typeof L === "undefined") return;
  var config = JSON.parse(configNode.textContent);
  var text = config.text;
  var cardPanel = document.querySelector("[data-producer-card]");
  var producerStatus = document.querySelector("[data-producer-status]");
  var legend = document.querySelector("[data-choropleth-legend]");
  var exportLinks = document.querySelectorAll("[data-export]");
  var CLASS_COLOURS = ["#d9f0d3", "#a6dba0", "#5aae61", "#1b7837", "#00441b"];
  var FILTER_KEYS = ["product_kind", "status", "producer_kind", "scheme", "expiring_days", "unit", "valid_on"];

  // Counts grouped as the page's language writes them (1.250 in Vietnamese, 1,250 in English).
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      var value = values[key];
      return typeof value === "number" ? value.toLocaleString(document.documentElement.lang || "vi") : value;
    });
  }

  // Leaflet sets a string tooltip or icon as HTML: what people typed goes in as text nodes only.
  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function filterParams(filters) {
    var params = {};
    FILTER_KEYS.forEach(function (key) {
      if (filters[key]) params[key] = filters[key];
    });
    return params;
  }

  function classOf(count, breaks) {
    if (!count) return -1;
    for (var i = 0; i < breaks.length; i++) if (count <= breaks[i]) return i;
    return breaks.length - 1;
  }

  HGMap.onReady(function (instance) {
    var map = instance.map;

    /* Choropleth ----------------------------------------------------------------------------- */
    var breaks = [];
    function fillFor(count) {
      var index = classOf(count, breaks);
      return index < 0 ? "#ffffff" : CLASS_COLOURS[Math.min(index + (CLASS_COLOURS.length - breaks.length), CLASS_COLOURS.length - 1)];
    }
    var choropleth = instance.registerLayer(
      "choropleth",
      L.geoJSON(null, {
        style: function (feature) {
          var props = feature.properties;
          return {
            color: "#5c4b8a",
            weight: 1,
            fillColor: fillFor(props.count),
            fillOpacity: props.count ? 0.6 : 0.05,
            dashArray: props.isArea && props.approximate ? "4 3" : null,
          };
        },
        pointToLayer: function (feature, latlng) {
          var count = feature.properties.count;
          return L.circleMarker(latlng, {
            radius: count ? 6 + 2 * (classOf(count, breaks) + 1) : 3,
            color: "#5c4b8a",
            weight: 1,
            fillColor: fillFor(count),
            fillOpacity: 0.85,
          });
        },
        onEachFeature: function (feature, layer) {
          var props = feature.properties;
          var name = props.isArea ? props.name + " (" + (props.approximate ? text.formerAreaApproximate : text.formerArea) + ")" : props.name;
          layer.bindTooltip(label(name + ": " + props.count));
        },
      }),
      { label: text.choropleth, visible: true }
    );

    function drawLegend(data) {
      legend.textContent = "";
      var lower = 1;
      if (!data.breaks.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = text.noProducers;
        legend.appendChild(none);
      }
      data.breaks.forEach(function (upper) {
        var item = document.createElement("li");
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.backgroundColor = fillFor(upper);
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(" " + (lower === upper ? String(upper) : lower + "–" + upper)));
        item.setAttribute("data-legend-class", String(upper));
        legend.appendChild(item);
        lower = upper + 1;
      });
      if (data.areas.length) {
        // The 2025 communes have no boundary in the data: the filled areas are the ones they came from.
        var note = document.createElement("li");
        note.className = "small muted";
        note.setAttribute("data-choropleth-areas", String(data.areas.length));
        note.textContent = text.areasNote;
        legend.appendChild(note);
      }
      var total = document.createElement("li");
      total.className = "small muted";
      total.setAttribute("data-choropleth-total", String(data.total));
      total.textContent = format(text.total, { count: data.total });
      legend.appendChild(total);
    }

    var countsRequest = null;
    function loadCounts(filters) {
      if (countsRequest) countsRequest.abort();
      countsRequest = new AbortController();
      fetch(HGMap.withParams(config.api.unitCounts, filterParams(filters)), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: countsRequest.signal,
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          breaks = data.breaks;
          choropleth.clearLayers();
          data.areas.forEach(function (area) {
            area.properties.isArea = true;
          });
          choropleth.addData({ type: "FeatureCollection", features: data.areas });
          choropleth.addData(data);
          choropleth.bringToBack();
          drawLegend(data);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") producerStatus.textContent = text.loadFailed;
        });
    }

    /* Producers of the viewport ---------------------------------------------------------------- */
    var producers = instance.registerLayer(
      "producers",
      L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40, disableClusteringAtZoom: 12 }),
      { label: text.producers, visible: true }
    );

    function showCard(id) {
      cardPanel.hidden = false;
      cardPanel.textContent = text.loading;
      fetch(config.card.replace("/0/", "/" + id + "/"), { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) {
          // The fragment is our own template (oversight/_card.html), rendered with Django's autoescaping: every
          // value in it is escaped on the server, as in any page; and the Content-Security-Policy runs no inline script.
          cardPanel.innerHTML = html;
          var heading = cardPanel.querySelector("h2");
          if (heading) {
            heading.tabIndex = -1;
            heading.focus();
          }
        })
        .catch(function () {
          cardPanel.textContent = text.cardFailed;
        });
    }

    function marker(feature) {
      var props = feature.properties;
      var c = feature.geometry.coordinates;
      var colour = config.statusColours[props.status] || "#1f5f3b";
      var dot = document.createElement("span");
      dot.className = "ov-dot";
      dot.style.background = colour; // CSSOM, which the Content-Security-Policy allows (a style attribute it does not)
      dot.setAttribute("data-producer", String(feature.id));
      dot.setAttribute("data-status", String(props.status));
      var icon = L.divIcon({
        className: "ov-marker",
        html: dot,
        iconSize: [18, 18],
        iconAnchor: [9, 9],
      });
      var label = props.name + " · " + (config.statusLabels[props.status] || props.status);
      var item = L.marker([c[1], c[0]], { icon: icon, title: label, alt: label, keyboard: true });
      item.on("click", function () {
        showCard(feature.id);
      });
      return item;
    }

    var producerRequest = null;
    function loadProducers() {
      var filters = instance.filters();
      if (producerRequest) producerRequest.abort();
      producerRequest = new AbortController();
      var b = map.getBounds();
      var params = filterParams(filters);
      params.in_bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (value) {
          return Math.max(-180, Math.min(180, value)).toFixed(5);
        })
        .join(",");
      fetch(HGMap.withParams(config.api.producers, params), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: producerRequest.signal,
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          producers.clearLayers();
          producers.addLayers(data.features.map(marker));
          var message = format(text.producerCount, { count: data.features.length });
          if (data.more) message += " " + format(text.producersTooMany, { count: data.features.length });
          producerStatus.textContent = message;
          document.getElementById("province-map").dataset.producerCount = String(data.features.length);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") producerStatus.textContent = text.loadFailed;
        });
    }

    function updateExports(filters) {
      var query = new URLSearchParams(filterParams(filters)).toString();
      exportLinks.forEach(function (link) {
        link.setAttribute("href", link.getAttribute("href").split("?")[0] + (query ? "?" + query : ""));
      });
    }

    var moveTimer = null;
    map.on("moveend", function () {
      clearTimeout(moveTimer);
      moveTimer = setTimeout(loadProducers, 200);
    });
    instance.onFiltersChange(function (filters) {
      loadProducers();
      loadCounts(filters);
      updateExports(filters);
    });
    var initial = instance.filters();
    loadCounts(initial);
    updateExports(initial);
    // The first viewport is known once province_map.js has set up the map: wait for the first move or a tick.
    setTimeout(loadProducers, 0);
  });
})();
