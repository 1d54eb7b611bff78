"""Turn a folium map into one HTML document, with its JavaScript and CSS inlined or linked.

Folium elements declare the scripts and stylesheets they need by name (``"leaflet"``,
``"markerclusterjs"``...), each pointing at some CDN. :func:`html_document` swaps those for
the copies vendored under ``coverage/render/static/vendor/`` (fetched by
``scripts/vendor_assets.py``, pinned versions, shipped as package data):

* ``offline=True``: every script and stylesheet is inlined; images referenced by the CSS
  become ``data:`` URIs. The file opens with no network at all.
* ``offline=False``: ``<script src>``/``<link href>`` tags point at jsDelivr for the same
  pinned versions.

jQuery, Bootstrap and Font Awesome, which folium loads by default for widgets phusong does
not use, are dropped in both modes.

:func:`notebook_html` puts the same document in the ``<iframe srcdoc>`` wrapper that
folium's own ``_repr_html_`` uses (branca ``Figure._repr_html_``), so a map displayed
inline in Jupyter is the page :func:`coverage.render.map.save_map` would write: with
``offline=True`` it draws with no network at all.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import folium
from branca.element import Element, Figure

from coverage.errors import CoverageError
from coverage.i18n import message

#: folium's default assets dropped unless the map needs them: jQuery (kept when the map's
#: code calls ``$``, e.g. folium.Popup), Bootstrap and Font Awesome (kept for folium.Icon).
DROPPED = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)


@dataclass(frozen=True)
class Asset:
    """A vendored file: npm package folder under ``static/vendor`` and its path inside."""

    package: str  # "leaflet-1.9.4"
    path: str  # "dist/leaflet.js"

    @property
    def kind(self) -> str:
        return "css" if self.path.endswith(".css") else "js"

    @property
    def cdn_url(self) -> str:
        """The same file on jsDelivr (``npm/<name>@<version>/<path>``)."""
        name, _, version = self.package.rpartition("-")
        return f"https://cdn.jsdelivr.net/npm/{name}@{version}/{self.path}"

    def text(self) -> str:
        return _vendor_file(self.package, self.path).decode("utf-8")


_LEAFLET = "leaflet-1.9.4"
_CLUSTER = "leaflet.markercluster-1.5.3"
_FULLSCREEN = "leaflet.fullscreen-3.0.0"
_MEASURE = "leaflet-measure-2.1.7"

#: folium's asset names -> the vendored file that replaces them.
ASSETS: dict[str, Asset] = {
    "leaflet": Asset(_LEAFLET, "dist/leaflet.js"),
    "leaflet_css": Asset(_LEAFLET, "dist/leaflet.css"),
    "markerclusterjs": Asset(_CLUSTER, "dist/leaflet.markercluster.js"),
    "markerclustercss": Asset(_CLUSTER, "dist/MarkerCluster.css"),
    "markerclusterdefaultcss": Asset(_CLUSTER, "dist/MarkerCluster.Default.css"),
    "Control.Fullscreen.js": Asset(_FULLSCREEN, "Control.FullScreen.js"),
    "Control.FullScreen.css": Asset(_FULLSCREEN, "Control.FullScreen.css"),
    "leaflet_measure_js": Asset(_MEASURE, "dist/leaflet-measure.min.js"),
    "leaflet_measure_css": Asset(_MEASURE, "dist/leaflet-measure.css"),
    "jquery": Asset("jquery-3.7.1", "dist/jquery.min.js"),
}
_JQUERY_CALL = re.compile(r"(?<![\w$])\$(?:\(|\.\w)")

_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")
_SOURCE_MAP = re.compile(r"^\s*//[#@] sourceMappingURL=.*$", re.MULTILINE)
_REMOTE_TAG = re.compile(r"<(?:script[^>]*\ssrc|link[^>]*\shref)\s*=\s*[\"']?(?:https?:)?//", re.I)


class Verbatim(Element):
    """Text put in the page exactly as it is.

    A plain :class:`branca.element.Element` compiles its text as a Jinja template, which
    would turn a ``{{``, ``{%`` or ``{#`` inside a script into template syntax (and CRLF
    line ends into LF).

    Examples
    --------
    >>> Verbatim("<script>var a = {#b: 1};</script>\\r\\n").render()
    '<script>var a = {#b: 1};</script>\\r\\n'
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Verbatim"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def _vendor_file(package: str, path: str) -> bytes:
    return (
        resources.files("coverage.render").joinpath("static", "vendor", package, path).read_bytes()
    )


def static_text(path: str) -> str:
    """Text of one of phusong's own files under ``coverage/render/static/phusong/``."""
    return resources.files("coverage.render").joinpath("static", "phusong", path).read_text("utf-8")


def inline_css(asset: Asset) -> str:
    """The stylesheet with every relative ``url(...)`` replaced by a ``data:`` URI.

    Examples
    --------
    >>> "data:image/png;base64," in inline_css(ASSETS["leaflet_css"])
    True
    """
    folder = asset.path.rpartition("/")[0]

    def embed(match: re.Match[str]) -> str:
        target = match.group(2).strip()
        if target.startswith(("data:", "#", "http:", "https:", "//")):
            return match.group(0)
        rel = f"{folder}/{target}" if folder else target
        mime = mimetypes.guess_type(target)[0] or "application/octet-stream"
        data = base64.b64encode(_vendor_file(asset.package, rel)).decode("ascii")
        return f'url("data:{mime};base64,{data}")'

    return _CSS_URL.sub(embed, asset.text())


def _default_icon_js() -> str:
    """Point Leaflet's default marker icon at inlined images (it looks for files otherwise)."""
    urls = {
        option: "data:image/png;base64,"
        + base64.b64encode(_vendor_file(_LEAFLET, f"dist/images/{file}")).decode("ascii")
        for option, file in (
            ("iconUrl", "marker-icon.png"),
            ("iconRetinaUrl", "marker-icon-2x.png"),
            ("shadowUrl", "marker-shadow.png"),
        )
    }
    assignments = "".join(f"L.Icon.Default.prototype.options.{k} = {v!r};" for k, v in urls.items())
    return f'L.Icon.Default.imagePath = "";{assignments}'


def inline_js(text: str) -> str:
    """Script text made safe to sit inside ``<script>...</script>``: no closing tag, no map."""
    return _SOURCE_MAP.sub("", text).replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _walk(element: Any) -> Iterator[Any]:
    stack = [element]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(getattr(node, "_children", {}).values())))


def remote_references(html: str) -> list[str]:
    """The ``<script src>`` / ``<link href>`` tags in ``html`` that point to the network."""
    return [html[m.start() : html.find(">", m.start()) + 1] for m in _REMOTE_TAG.finditer(html)]


def html_document(m: folium.Map, *, offline: bool) -> str:
    """Render ``m`` (and its figure) to one HTML document.

    Parameters
    ----------
    m
        A folium map (any: built by :func:`coverage.render.map.coverage_map` or by hand).
    offline
        Inline every script and stylesheet (True) or link the pinned CDN copies (False).

    Returns
    -------
    str
        The document. The map itself is left as it was.

    Raises
    ------
    CoverageError
        ``offline=True`` and an element needs a script or stylesheet that is not vendored
        (the message names it); use ``offline=False`` or drop that element.

    Examples
    --------
    >>> html = html_document(folium.Map(tiles=None), offline=True)
    >>> remote_references(html), "L.map(" in html, "jquery" in html.lower()
    ([], True, False)
    """
    keep: set[str] = set()
    if any(isinstance(element, folium.Icon) for element in _walk(m.get_root())):
        keep |= DROPPED - {"jquery"}
    document = _render(m, offline=offline, keep=keep)
    body = document[document.find("</head>") :]
    if _JQUERY_CALL.search(body):  # folium.Popup, folium.Html... call jQuery's $()
        document = _render(m, offline=offline, keep=keep | {"jquery"})
    return document


class _Rendered(Figure):
    """A figure whose page is already written: branca's notebook wrapper around it."""

    def __init__(self, document: str, like: Figure) -> None:
        super().__init__()
        self.document = document
        self.width, self.height, self.ratio = like.width, like.height, like.ratio

    def render(self, **kwargs: Any) -> str:
        return self.document


def notebook_html(m: folium.Map, *, offline: bool) -> str:
    """``m`` for inline display in Jupyter: :func:`html_document` in folium's iframe wrapper.

    The document is HTML-escaped into the ``srcdoc`` of an ``<iframe>`` sized as the
    map's figure (``width``, ``height`` or ``ratio``), exactly as
    ``branca.element.Figure._repr_html_`` (which ``folium.Map._repr_html_`` calls) does
    with the page folium writes itself; only the page differs, its scripts and
    stylesheets inlined (``offline=True``) or linked from the pinned CDN copies.

    Parameters
    ----------
    m
        A folium map.
    offline
        Inline every script and stylesheet (True) or link the pinned CDN copies (False).

    Returns
    -------
    str
        HTML for a notebook output cell.

    Raises
    ------
    CoverageError
        As :func:`html_document`.

    Examples
    --------
    >>> import html
    >>> m = folium.Map(tiles=None)
    >>> cell = notebook_html(m, offline=True)
    >>> cell.split("srcdoc=")[0] == m._repr_html_().split("srcdoc=")[0]  # folium's wrapper
    True
    >>> page = html.unescape(cell.split('srcdoc="')[1].split('"')[0])
    >>> remote_references(page), "L.map(" in page
    ([], True)
    """
    detached = m._parent is None  # as folium.Map._repr_html_: display it in a new figure
    if detached:
        m.add_to(Figure())
    try:
        figure = m.get_root()
        if not isinstance(figure, Figure):
            raise CoverageError(message("errors.render.offline_no_figure"))
        return _Rendered(html_document(m, offline=offline), figure)._repr_html_()
    finally:
        if detached:
            m._parent = None  # type: ignore[assignment]  # folium types it Figure; it was None


def _render(m: folium.Map, *, offline: bool, keep: set[str]) -> str:
    figure = m.get_root()
    if not isinstance(figure, Figure):
        raise CoverageError(message("errors.render.offline_no_figure"))
    saved: list[tuple[Any, Any, Any]] = []
    js: dict[str, Asset] = {}
    css: dict[str, Asset] = {}
    missing: list[str] = []
    for element in _walk(figure):
        if not hasattr(element, "default_js"):
            continue
        saved.append(
            (element, element.__dict__.get("default_js"), element.__dict__.get("default_css"))
        )
        kept_js: list[tuple[str, str]] = []
        kept_css: list[tuple[str, str]] = []
        for links, kept, found in (
            (element.default_js, kept_js, js),
            (element.default_css, kept_css, css),
        ):
            for name, url in links:
                if name in DROPPED and name not in keep:
                    continue
                if name in ASSETS:
                    found.setdefault(name, ASSETS[name])
                    if not offline:
                        kept.append((name, ASSETS[name].cdn_url))
                elif offline:
                    missing.append(f"{type(element).__name__} needs {name} ({url})")
                else:
                    kept.append((name, url))
        element.default_js, element.default_css = kept_js, kept_css
    bundle_name = "phusong_inline_assets"
    for name in list(figure.header._children):  # links left by an earlier render
        if name in ASSETS or name in DROPPED:
            figure.header._children.pop(name)
    # Rendering adds to the figure (folium's Layer.render makes a new "addTo" element each
    # time, so every render would repeat them): put its parts back as they were afterwards.
    pristine = [
        (part, part._children.copy()) for part in (figure.header, figure.html, figure.script)
    ]
    try:
        if missing:
            raise CoverageError(
                message("errors.render.offline_not_vendored", missing="; ".join(missing))
            )
        if offline:
            order = sorted(js, key=lambda name: name != "leaflet")  # Leaflet first, then plugins
            parts = [f"<style>\n{inline_css(css[name])}\n</style>" for name in css]
            parts += [f"<script>\n{inline_js(js[name].text())}\n</script>" for name in order]
            if "leaflet" in js:  # right after Leaflet itself
                parts.insert(len(css) + 1, f"<script>{_default_icon_js()}</script>")
            figure.header.add_child(Verbatim("\n".join(parts)), name=bundle_name, index=0)
        html = figure.render()
    finally:
        for part, children in pristine:
            part._children = children
        for element, own_js, own_css in saved:
            for attribute, value in (("default_js", own_js), ("default_css", own_css)):
                if value is None:
                    element.__dict__.pop(attribute, None)
                else:
                    setattr(element, attribute, value)
    if offline and remote_references(html):
        raise CoverageError(
            message("errors.render.offline_still_remote", references=remote_references(html)[:3])
        )
    return html
