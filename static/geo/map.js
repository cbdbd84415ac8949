/* HGMap: the province map's small core, shared by every layer that joins it.
 *
 *   HGMap.create(element, {center, zoom, tilesUrl, tilesAttribution, baseLabel}) → instance
 *   instance.map                              the Leaflet map
 *   instance.registerLayer(id, layer, {label, visible})   adds an overlay to the layer switcher
 *   instance.layer(id)                        a registered layer
 *   instance.filters()                        the current filter values ({product_kind, unit, valid_on, …})
 *   instance.setFilters(values)               merges values and tells every listener
 *   instance.onFiltersChange(callback)        callback(filters) after each change
 *   HGMap.onReady(callback)                   callback(instance) once the page's map exists
 *
 * Pages of later features (producers, officials) load their script after this one and call
 * HGMap.onReady to add their own layers, without touching the province map's script. */
(function () {
  "use strict";

  var readyCallbacks = [];
  var current = null;

  function create(element, options) {
    var map = L.map(element, { center: options.center, zoom: options.zoom, minZoom: 3, maxZoom: 18 });
    var base = L.tileLayer(options.tilesUrl, { attribution: options.tilesAttribution, maxZoom: 19 }).addTo(map);
    var baseLayers = {};
    baseLayers[options.baseLabel || "OpenStreetMap"] = base;
    // Open on wide screens; a single button on phones, where the map has little room.
    var narrow = window.matchMedia && window.matchMedia("(max-width: 40rem)").matches;
    var switcher = L.control.layers(baseLayers, {}, { collapsed: Boolean(narrow), position: "topright" }).addTo(map);
    var layers = {};
    var filters = Object.assign({}, options.filters || {});
    var listeners = [];

    var instance = {
      map: map,
      registerLayer: function (id, layer, layerOptions) {
        var opts = layerOptions || {};
        if (layers[id]) throw new Error("HGMap: a layer named " + id + " is already registered");
        layers[id] = layer;
        switcher.addOverlay(layer, opts.label || id);
        if (opts.visible !== false) layer.addTo(map);
        return layer;
      },
      layer: function (id) {
        return layers[id];
      },
      filters: function () {
        return Object.assign({}, filters);
      },
      setFilters: function (values) {
        Object.assign(filters, values);
        var snapshot = instance.filters();
        listeners.forEach(function (listener) {
          listener(snapshot);
        });
      },
      onFiltersChange: function (callback) {
        listeners.push(callback);
      },
    };
    current = instance;
    readyCallbacks.splice(0).forEach(function (callback) {
      callback(instance);
    });
    return instance;
  }

  function onReady(callback) {
    if (current) callback(current);
    else readyCallbacks.push(callback);
  }

  /* GeoJSON pages from the API, following `next` links up to maxFeatures. */
  function fetchFeatures(url, options) {
    var opts = options || {};
    var maxFeatures = opts.maxFeatures || 5000;
    var features = [];
    var truncated = false;

    function page(pageUrl) {
      return fetch(pageUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: opts.signal,
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status + " for " + pageUrl);
          return response.json();
        })
        .then(function (body) {
          var collection = body.type === "FeatureCollection" ? body : body.results || body;
          var pageFeatures = (collection && collection.features) || [];
          Array.prototype.push.apply(features, pageFeatures);
          var next = body.next || (collection && collection.next);
          if (next && features.length < maxFeatures) return page(next);
          if (next) truncated = true;
          return { type: "FeatureCollection", features: features, truncated: truncated };
        });
    }
    return page(url);
  }

  function withParams(url, params) {
    var target = new URL(url, window.location.href);
    Object.keys(params).forEach(function (key) {
      if (params[key] !== undefined && params[key] !== null && params[key] !== "") {
        target.searchParams.set(key, params[key]);
      }
    });
    return target.pathname + target.search;
  }

  window.HGMap = { create: create, onReady: onReady, fetchFeatures: fetchFeatures, withParams: withParams };
})();
