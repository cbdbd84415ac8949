/* The province map: growing regions by product, administrative units of the chosen map date,
 * retail points of the viewport (clustered), filters that re-query the API. Built on HGMap. */
(function () {
  "use strict";

  var element = document.getElementById("province-map");
  var configNode = document.getElementById("province-map-config");
  if (!element || !configNode || typeof L === "undefined" || !window.HGMap) return;

  var config = JSON.parse(configNode.textContent);
  var text = config.text;
  var form = document.querySelector("[data-map-filters]");
  var status = document.querySelector("[data-map-status]");
  var unitSelect = form.querySelector('select[name="unit"]');
  var kindColours = {};
  config.productKinds.forEach(function (kind) {
    kindColours[kind.code] = kind.colour;
  });

  var SHOP_PAGE_LIMIT = 1000; // the API's default page; clustering keeps a few thousand markers fluid
  var SHOP_MAX = 5000;

  function readForm() {
    var values = {};
    new FormData(form).forEach(function (value, key) {
      values[key] = value;
    });
    return values;
  }

  function setStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle("msg-error", Boolean(isError));
  }

  // Counts grouped as the page's language writes them (1.250 in Vietnamese, 1,250 in English).
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      var value = values[key];
      return typeof value === "number" ? value.toLocaleString(document.documentElement.lang || "vi") : value;
    });
  }

  // Dates as the page's language writes them: 01/07/2025 in Vietnamese, Jul 1, 2025 in English.
  var lang = document.documentElement.lang || "vi";
  var dateStyle = lang.indexOf("vi") === 0 ? { day: "2-digit", month: "2-digit", year: "numeric" } : { day: "numeric", month: "short", year: "numeric" };
  function formatDate(isoDate) {
    var parts = String(isoDate).split("-").map(Number);
    if (parts.length !== 3 || parts.some(isNaN)) return isoDate;
    return new Date(Date.UTC(parts[0], parts[1] - 1, parts[2])).toLocaleDateString(lang, Object.assign({ timeZone: "UTC" }, dateStyle));
  }

  function popupContent(title, lines) {
    var root = document.createElement("div");
    var heading = document.createElement("strong");
    heading.textContent = title;
    root.appendChild(heading);
    lines.forEach(function (line) {
      if (!line) return;
      var p = document.createElement("p");
      p.style.margin = ".25rem 0";
      if (line.emphasis) {
        var em = document.createElement("em");
        em.textContent = line.text;
        p.appendChild(em);
      } else {
        p.textContent = line.text || line;
      }
      root.appendChild(p);
    });
    return root;
  }

  element.hidden = false;
  var instance = HGMap.create(element, {
    center: [22.75, 104.95],
    zoom: 8,
    tilesUrl: element.dataset.tilesUrl,
    tilesAttribution: element.dataset.tilesAttribution,
    baseLabel: element.dataset.baseLabel,
    filters: readForm(),
  });
  var map = instance.map;
  L.control.scale({ imperial: false }).addTo(map);

  /* Growing regions ------------------------------------------------------------------------ */
  var regions = instance.registerLayer(
    "regions",
    L.geoJSON(null, {
      style: function (feature) {
        var props = feature.properties;
        var colour = props.colour || kindColours[props.product_kind] || "#1f5f3b";
        return {
          color: colour,
          weight: 2,
          fillColor: colour,
          fillOpacity: 0.3,
          dashArray: props.boundary_is_approximate ? "6 4" : null,
        };
      },
      onEachFeature: function (feature, layer) {
        var props = feature.properties;
        var lines = [];
        if (props.name_en && props.name_en !== props.name) lines.push(props.name_en);
        if (props.area_ha !== undefined && props.area_ha !== null) {
          lines.push(text.area + ": " + Math.round(props.area_ha).toLocaleString(document.documentElement.lang) + " " + text.hectares);
        }
        if (props.designation_label || props.designation) lines.push(props.designation_label || props.designation);
        if (props.boundary_is_approximate) lines.push({ text: text.approximate, emphasis: true });
        if (props.boundary_source) lines.push(text.source + ": " + props.boundary_source);
        layer.bindPopup(popupContent(props.name, lines));
      },
    }),
    { label: text.regions }
  );

  /* Administrative units ------------------------------------------------------------------- */
  var unitFeatures = {};
  var units = instance.registerLayer(
    "units",
    L.geoJSON(null, {
      style: function (feature) {
        var selected = String(feature.properties.id) === String(instance.filters().unit || "");
        return {
          color: "#5c4b8a",
          weight: selected ? 4 : feature.properties.level === "province" ? 2.5 : 1.5,
          fill: selected,
          fillOpacity: selected ? 0.08 : 0,
          dashArray: feature.properties.boundary_is_approximate ? "6 4" : null,
        };
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 5, color: "#5c4b8a", weight: 2, fillColor: "#fff", fillOpacity: 1 });
      },
      onEachFeature: function (feature, layer) {
        var props = feature.properties;
        var lines = [[props.kind, props.code].filter(Boolean).join(" · ")];
        if (props.valid_from || props.valid_to) {
          lines.push([props.valid_from ? text.validFrom + " " + formatDate(props.valid_from) : "", props.valid_to ? text.validTo + " " + formatDate(props.valid_to) : ""].filter(Boolean).join(" "));
        }
        if (props.boundary_is_approximate) lines.push({ text: text.approximate, emphasis: true });
        layer.bindPopup(popupContent(props.name, lines));
      },
    }),
    { label: text.units }
  );

  /* Retail points -------------------------------------------------------------------------- */
  var shops = instance.registerLayer(
    "shops",
    L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50, disableClusteringAtZoom: 14 }),
    { label: text.shops }
  );

  function shopMarker(feature) {
    var props = feature.properties;
    var coordinates = feature.geometry.coordinates;
    var marker = L.marker([coordinates[1], coordinates[0]], { title: props.name, alt: props.name, keyboard: true });
    var lines = [config.kindLabels[props.kind] || props.kind, props.verified ? text.verified : text.notVerified];
    marker.bindPopup(popupContent(props.name, lines));
    return marker;
  }

  /* Loading -------------------------------------------------------------------------------- */
  var shopRequest = null;

  function failed(error) {
    if (error && error.name === "AbortError") return;
    setStatus(text.loadFailed, true);
  }

  function loadRegions(filters) {
    return HGMap.fetchFeatures(HGMap.withParams(config.api.regions, { product_kind: filters.product_kind }))
      .then(function (collection) {
        regions.clearLayers();
        regions.addData(collection);
      })
      .catch(failed);
  }

  function rebuildUnitOptions(collection) {
    var chosen = unitSelect.value;
    var groups = {};
    collection.features
      .slice()
      .sort(function (a, b) {
        return a.properties.name.localeCompare(b.properties.name, "vi");
      })
      .forEach(function (feature) {
        var level = feature.properties.level;
        (groups[level] = groups[level] || []).push(feature);
      });
    var first = unitSelect.options[0];
    unitSelect.textContent = "";
    unitSelect.appendChild(first);
    ["province", "district", "commune"].forEach(function (level) {
      if (!groups[level]) return;
      var group = document.createElement("optgroup");
      group.label = config.levels[level] || level;
      groups[level].forEach(function (feature) {
        var option = document.createElement("option");
        option.value = String(feature.properties.id);
        option.textContent = feature.properties.name;
        group.appendChild(option);
      });
      unitSelect.appendChild(group);
    });
    unitSelect.value = unitFeatures[chosen] ? chosen : "";
    if (unitSelect.value !== chosen) instance.setFilters({ unit: "" });
  }

  function loadUnits(filters) {
    return HGMap.fetchFeatures(HGMap.withParams(config.api.adminUnits, { valid_on: filters.valid_on }))
      .then(function (collection) {
        unitFeatures = {};
        collection.features.forEach(function (feature) {
          unitFeatures[String(feature.properties.id)] = feature;
        });
        units.clearLayers();
        units.addData(collection);
        rebuildUnitOptions(collection);
      })
      .catch(failed);
  }

  function loadShops() {
    var filters = instance.filters();
    if (shopRequest) shopRequest.abort();
    shopRequest = new AbortController();
    var bounds = map.getBounds();
    var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (value) {
        return value.toFixed(5);
      })
      .join(",");
    var params = { in_bbox: bbox, product_kind: filters.product_kind, unit: filters.unit, limit: SHOP_PAGE_LIMIT };
    if (config.canVerify) {
      // Officials see every point; "all" keeps every status, otherwise the chosen one.
      params.include = "all";
      if (filters.verification && filters.verification !== "all") params.verification = filters.verification;
    }
    return HGMap.fetchFeatures(HGMap.withParams(config.api.retailPoints, params), {
      signal: shopRequest.signal,
      maxFeatures: SHOP_MAX,
    })
      .then(function (collection) {
        var features = collection.features.filter(function (feature) {
          return feature.geometry;
        });
        shops.clearLayers();
        shops.addLayers(features.map(shopMarker));
        var message = format(text.shopCount, { count: features.length });
        if (collection.truncated) message += " " + format(text.tooMany, { count: features.length });
        setStatus(message, false);
        element.dataset.shopCount = String(features.length);
      })
      .catch(failed);
  }

  function focusUnit(id) {
    units.setStyle(units.options.style);
    var feature = unitFeatures[id];
    if (!feature || !feature.geometry) return;
    if (feature.geometry.type === "Point") {
      var c = feature.geometry.coordinates;
      map.setView([c[1], c[0]], Math.max(map.getZoom(), 11));
    } else {
      map.fitBounds(L.geoJSON(feature).getBounds(), { padding: [16, 16] });
    }
  }

  var moveTimer = null;
  map.on("moveend", function () {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(loadShops, 200);
  });

  instance.onFiltersChange(function () {
    loadShops();
  });

  form.addEventListener("change", function (event) {
    var name = event.target.name;
    var before = instance.filters();
    var values = readForm();
    instance.setFilters(values);
    if (name === "product_kind" && values.product_kind !== before.product_kind) loadRegions(values);
    if (name === "valid_on") loadUnits(values);
    if (name === "unit") focusUnit(values.unit);
    // The address bar keeps the filters, so a view of the map can be bookmarked or shared.
    var query = new URLSearchParams();
    Object.keys(values).forEach(function (key) {
      if (values[key]) query.set(key, values[key]);
    });
    window.history.replaceState(null, "", "?" + query.toString());
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });

  setStatus(text.loading, false);
  var initial = instance.filters();
  Promise.all([loadRegions(initial), loadUnits(initial)]).then(function () {
    if (initial.unit) focusUnit(initial.unit);
    return loadShops();
  });
})();
