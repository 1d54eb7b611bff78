"""Small folium elements with templates of our own: data always passes through ``|tojson``.

The layers of :mod:`coverage.render.layers` (and :mod:`coverage.render.proposals`) carry
their data in these elements as compact JSON (:func:`js_literal`) that the page's own script
(``static/phusong/map.js``) or a small Leaflet call draws.
"""

from __future__ import annotations

import json
from typing import Any

import folium
import folium.plugins
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

__all__ = [
    "GapLayer",
    "GeoJsonLayer",
    "ImageLayer",
    "Script",
    "TowerLayer",
    "TowerPointLayer",
    "js_literal",
]


class GeoJsonLayer(Layer):
    """GeoJSON whose features carry their own style, tooltip and popup (pre-escaped HTML)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data_json() }}, {
            pane: {{ this.pane|tojson }},
            style: function (f) { return f.properties._style; },
            onEachFeature: function (f, layer) {
                if (f.properties._tooltip) {
                    layer.bindTooltip(f.properties._tooltip, {sticky: true});
                }
                if (f.properties._popup) {
                    layer.bindPopup(f.properties._popup, {maxWidth: 360});
                }
            }
        });
        {% endmacro %}
        """
    )

    def __init__(self, data: dict, *, name: str, show: bool = True, pane: str = "overlayPane"):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GeoJsonLayer"
        self.data = data
        self.pane = pane

    def data_json(self) -> str:
        return js_literal(self.data)


class GapLayer(Layer):
    """Gaps of one operator: compact features drawn, styled and explained by map.js."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = phusong.gapLayer({{ this.data_json() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict, *, name: str, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GapLayer"
        self.data = data

    def data_json(self) -> str:
        return js_literal(self.data)


class ImageLayer(Layer):
    """An image (data URI) stretched over (south, west), (north, east) on a given pane."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.imageOverlay({{ this.url|tojson }},
            {{ this.bounds|tojson }},
            {opacity: {{ this.opacity|tojson }}, pane: {{ this.pane|tojson }},
             interactive: false, className: "phusong-raster"});
        {% endmacro %}
        """
    )

    def __init__(self, url: str, bounds: Any, *, name: str, opacity: float, pane: str, show: bool):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "ImageLayer"
        self.url, self.bounds, self.opacity, self.pane = (
            url,
            [list(b) for b in bounds],
            opacity,
            pane,
        )


class TowerLayer(JSCSSMixin, Layer):
    """Clustered tower markers (DivIcons); popups are pre-escaped HTML."""

    default_js = folium.plugins.MarkerCluster.default_js
    default_css = folium.plugins.MarkerCluster.default_css
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.markerClusterGroup({maxClusterRadius: 40});
        {{ this.data_json() }}.forEach(function (t) {
            var icon = L.divIcon({className: "phusong-tower-wrap", html: t.icon,
                                  iconSize: [16, 16], iconAnchor: [8, 8], popupAnchor: [0, -8]});
            var marker = L.marker([t.lat, t.lon], {icon: icon, title: t.title});
            marker.bindPopup(t.popup, {maxWidth: 320});
            {{ this.get_name() }}.addLayer(marker);
        });
        {% endmacro %}
        """
    )

    def __init__(self, data: list[dict], *, name: str, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "TowerLayer"
        self.data = data

    def data_json(self) -> str:
        return js_literal(self.data)


class TowerPointLayer(Layer):
    """Towers as plain dots on one canvas: compact columns, no per-marker HTML.

    For tower lists too long for :class:`TowerLayer`
    (:data:`coverage.render.layers.TOWER_MARKER_LIMIT`): a popup (site, operator,
    technology) is built from the columns when a dot is clicked, out of text escaped here. ``note`` says on the map what was left out.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (d) {
            var group = L.featureGroup(), canvas = L.canvas({padding: 0.2});
            for (var i = 0; i < d.lat.length; i++) {
                var dot = L.circleMarker([d.lat[i], d.lon[i]], {renderer: canvas, radius: 3,
                    weight: 1, color: "#222", fillColor: d.colours[d.op[i]], fillOpacity: 0.9});
                dot.phusongIndex = i;
                group.addLayer(dot);
            }
            group.on("click", function (e) {
                var i = e.layer.phusongIndex;
                e.layer.bindPopup("<div class='phusong-popup'><b>" + d.id[i] + "</b><br>" +
                    d.ops[d.op[i]] + " · " + d.techs[d.tech[i]] + "</div>").openPopup();
            });
            return group;
        })({{ this.data_json() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict, *, name: str, note: str, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "TowerPointLayer"
        self.data = data
        self.note = note

    def data_json(self) -> str:
        return js_literal(self.data)


class Script(MacroElement):
    """Literal JavaScript, run after the elements added before it."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str):
        super().__init__()
        self._name = "Script"
        self.code = code


def js_literal(value: Any) -> str:
    """A compact JSON literal safe inside a <script> element (no ``<``, ``>``, ``&``, ``'``).

    Examples
    --------
    >>> print(js_literal({"name": "</script><b>Y Tý</b>"}))
    {"name":"\\u003c/script\\u003e\\u003cb\\u003eY Tý\\u003c/b\\u003e"}
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char in "<>&'\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text
