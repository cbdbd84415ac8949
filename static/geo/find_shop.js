/* Find a shop: "Use my location", and a map in step with the server-rendered list.
 * The list works without this script; it only adds the location button and the map. */
(function () {
  "use strict";

  var form = document.querySelector(".find-shop-form");

  function message(key) {
    var template = document.querySelector("template[data-location-messages]");
    var node = template && template.content.querySelector('[data-key="' + key + '"]');
    return node ? node.textContent : "";
  }

  function setupLocationButton() {
    var button = form && form.querySelector("[data-use-location]");
    if (!button || !("geolocation" in navigator)) return;
    var status = form.querySelector("[data-location-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = message("locating");
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.querySelector("[data-geo-lat]").value = position.coords.latitude.toFixed(6);
          form.querySelector("[data-geo-lng]").value = position.coords.longitude.toFixed(6);
          // The typed place would otherwise be shown as the origin of the user's own position.
          form.querySelector('input[name="q"]').value = "";
          form.submit();
        },
        function (error) {
          button.disabled = false;
          status.textContent = message(error.code === error.PERMISSION_DENIED ? "denied" : "unavailable");
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 }
      );
    });
  }

  // Leaflet sets a string tooltip as HTML; the origin's label is what the visitor typed.
  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function setupMap() {
    var element = document.getElementById("shop-map");
    var dataNode = document.getElementById("shop-map-data");
    if (!element || !dataNode || typeof L === "undefined") return;
    var data = JSON.parse(dataNode.textContent);
    if (!data || !data.origin) return;

    element.hidden = false;
    var map = L.map(element, { scrollWheelZoom: false });
    L.tileLayer(element.dataset.tilesUrl, { attribution: element.dataset.tilesAttribution, maxZoom: 19 }).addTo(map);

    var origin = [data.origin.lat, data.origin.lng];
    // The origin is a circle, not a marker icon: markers stand for shops only.
    L.circleMarker(origin, { radius: 8, color: "#153f28", weight: 3, fillColor: "#f4c542", fillOpacity: 1 })
      .bindTooltip(label(data.origin.label))
      .addTo(map);

    var markers = {};
    var bounds = L.latLngBounds([origin]);
    data.shops.forEach(function (shop) {
      var marker = L.marker([shop.lat, shop.lng], { title: shop.name, alt: shop.name, keyboard: true });
      var popup = document.createElement("div");
      var name = document.createElement("strong");
      name.textContent = shop.name;
      var link = document.createElement("a");
      link.href = "#shop-" + shop.id;
      link.textContent = shop.distance;
      popup.appendChild(name);
      popup.appendChild(document.createElement("br"));
      popup.appendChild(link);
      marker.bindPopup(popup);
      marker.on("click", function () {
        select(shop.id, { scroll: true });
      });
      marker.addTo(map);
      markers[shop.id] = marker;
      bounds.extend([shop.lat, shop.lng]);
    });
    if (data.shops.length) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    } else {
      map.setView(origin, 12);
    }

    function select(id, options) {
      document.querySelectorAll("[data-shop-list] .shop").forEach(function (item) {
        var selected = item.dataset.shopId === String(id);
        item.classList.toggle("is-selected", selected);
        if (selected && options.scroll) item.scrollIntoView({ block: "nearest", behavior: "smooth" });
      });
    }

    document.querySelectorAll("[data-show-on-map]").forEach(function (button) {
      var id = button.dataset.showOnMap;
      var marker = markers[id];
      if (!marker) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        select(id, { scroll: false });
        map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15));
        marker.openPopup();
        element.scrollIntoView({ block: "nearest", behavior: "smooth" });
      });
    });
  }

  setupLocationButton();
  setupMap();
})();
