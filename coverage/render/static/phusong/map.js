/* phusong map helpers: commune search, gap layers, panels, banner. Plain ES5+, no
   dependencies besides Leaflet; every function touches `L` only when called, so load order
   does not matter. Text from data is always set with textContent or comes pre-escaped from
   Python. */
(function (root) {
  "use strict";

  var PREFIXES = /^(xa|phuong|thi tran|thi xa|thanh pho|tt|tx|tp)\s+(?=\S+\s+\S)/;

  /* Fold a name the way coverage.names.normalize_name does: no case, no accents,
     d for đ, no spaces or punctuation, no leading "xã"/"phường" prefix. */
  function fold(text) {
    var s = String(text === null || text === undefined ? "" : text)
      .replace(/đ/g, "d").replace(/Đ/g, "D")
      .normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
    s = s.replace(/\([^()]*\)/g, " ").replace(PREFIXES, "");
    return s.replace(/\s+/g, "");
  }

  function addSearch(map, layer, options) {
    var entries = [];
    layer.eachLayer(function (item) {
      var p = item.feature.properties;
      entries.push({
        layer: item,
        label: String(p[options.labelProperty]),
        detail: p[options.detailProperty] ? String(p[options.detailProperty]) : "",
        keys: [String(p[options.keyProperty] || ""), fold(p[options.labelProperty])]
      });
    });
    var Search = L.Control.extend({
      options: { position: options.position || "topleft" },
      onAdd: function () {
        var box = L.DomUtil.create("div", "phusong-search leaflet-bar");
        var input = L.DomUtil.create("input", "phusong-search-input", box);
        input.type = "search";
        input.placeholder = options.placeholder || "Find a commune";
        input.setAttribute("aria-label", input.placeholder);
        var list = L.DomUtil.create("ul", "phusong-search-results", box);
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        var found = [];
        function choose(entry) {
          if (!map.hasLayer(layer)) { map.addLayer(layer); }
          map.fitBounds(entry.layer.getBounds(), { maxZoom: 13 });
          entry.layer.openPopup(entry.layer.getBounds().getCenter());
          list.textContent = "";
          input.value = entry.label;
        }
        function show() {
          list.textContent = "";
          var q = fold(input.value);
          if (!q) { found = []; return; }
          found = entries.filter(function (e) {
            return e.keys.some(function (k) { return k.indexOf(q) >= 0; });
          });
          found.sort(function (a, b) {
            var pa = a.keys[0].indexOf(q) === 0 ? 0 : 1, pb = b.keys[0].indexOf(q) === 0 ? 0 : 1;
            return pa - pb || a.label.localeCompare(b.label);
          });
          found = found.slice(0, 12);
          if (!found.length) {
            var none = L.DomUtil.create("li", "phusong-search-none", list);
            none.textContent = options.noMatch || "\u2014";
          }
          found.forEach(function (entry) {
            var li = L.DomUtil.create("li", "phusong-search-hit", list);
            li.textContent = entry.detail ? entry.label + " \u2014 " + entry.detail : entry.label;
            li.addEventListener("click", function () { choose(entry); });
          });
        }
        input.addEventListener("input", show);
        input.addEventListener("keydown", function (ev) {
          if (ev.key === "Enter" && found.length) { choose(found[0]); }
        });
        return box;
      }
    });
    return new Search().addTo(map);
  }

  /* A number as Python's f"{value:,.{digits}f}" writes it; an en dash when missing. */
  function formatNumber(value, digits) {
    if (value === null || value === undefined || !isFinite(value)) { return "\u2013"; }
    return Number(value).toLocaleString("en-US",
      { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  /* Polygons of delta-encoded rings (coverage.render._delta_rings) back to GeoJSON
     coordinates: each ring is [x0, y0, dx1, dy1, ...] in units of 1 / factor degree. */
  function decodePolygons(polygons, factor) {
    return polygons.map(function (rings) {
      return rings.map(function (flat) {
        var ring = [], x = 0, y = 0;
        for (var i = 0; i + 1 < flat.length; i += 2) {
          x += flat[i];
          y += flat[i + 1];
          ring.push([x / factor, y / factor]);
        }
        return ring;
      });
    });
  }

  /* The popup of one gap: a table built node by node, every text set with textContent. */
  function gapPopup(data, properties) {
    var box = document.createElement("div");
    box.className = "phusong-popup";
    var title = document.createElement("b");
    title.textContent = data.title;
    box.appendChild(title);
    var table = document.createElement("table");
    data.fields.forEach(function (field) {
      var value = properties[field.key], text;
      if (value === null || value === undefined) { return; }
      if (field.site) {
        text = data.sites[value[0]] + " (" + formatNumber(value[1], 1) + " km)";
      } else if (field.digits === null || field.digits === undefined) {
        text = String(value);
      } else {
        text = formatNumber(value, field.digits);
      }
      var row = table.insertRow();
      var label = document.createElement("th");
      label.textContent = field.label;
      row.appendChild(label);
      var cell = row.insertCell();
      cell.className = "num";
      cell.textContent = text;
    });
    box.appendChild(table);
    return box;
  }

  /* One operator's gaps (coverage.render._gap_layers): a layer group whose polygons are
     decoded and drawn the first time it is shown, so hidden layers cost nothing at load. */
  function gapLayer(data) {
    var style = { color: data.colour, weight: 1.5, fillColor: data.colour, fillOpacity: 0.3 };
    var group = L.layerGroup();
    group.once("add", function () {
      var features = data.features.map(function (f) {
        var polygons = decodePolygons(f.g, data.factor);
        var geometry = polygons.length === 1
          ? { type: "Polygon", coordinates: polygons[0] }
          : { type: "MultiPolygon", coordinates: polygons };
        return { type: "Feature", geometry: geometry, properties: f };
      });
      group.addLayer(L.geoJSON(features, {
        style: function () { return style; },
        onEachFeature: function (feature, layer) {
          layer.bindPopup(function () { return gapPopup(data, feature.properties); },
                          { maxWidth: 360 });
        }
      }));
    });
    return group;
  }

  /* A control holding HTML built (and escaped) in Python. */
  function addPanel(map, html, options) {
    var Panel = L.Control.extend({
      options: { position: options.position || "bottomright" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "phusong-panel " + (options.className || ""));
        div.innerHTML = html;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new Panel().addTo(map);
  }

  /* A banner across the top of the map, plain text. */
  function addBanner(map, text) {
    var div = L.DomUtil.create("div", "phusong-banner", map.getContainer());
    div.setAttribute("role", "alert");
    div.textContent = text;
    L.DomEvent.disableClickPropagation(div);
    return div;
  }

  root.phusong = {
    fold: fold, addSearch: addSearch, addPanel: addPanel, addBanner: addBanner,
    formatNumber: formatNumber, decodePolygons: decodePolygons, gapLayer: gapLayer
  };
})(window);
