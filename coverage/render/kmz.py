"""KMZ for Google Earth: coverage and gaps as ground overlays, gaps, towers and sites as placemarks.

What operators' field teams open on a phone or laptop. One zip file (KMZ, OGC KML 2.2,
https://docs.ogc.org/is/12-007r2/12-007r2.html): ``doc.kml`` first, then the PNG images
its ``GroundOverlay`` elements show. The images are the map's own
(:func:`coverage.render.layers.coverage_pngs`: the same dBm colours in 2 dB steps),
reprojected to longitude/latitude (:func:`coverage.render.raster.warp_to_wgs84`), since a
KML ``LatLonBox`` stretches its image over equal steps of degrees.

Every piece of text that comes from data is XML-escaped by :mod:`xml.etree.ElementTree`
(never pasted into markup), and the balloons' ``description`` (which Google Earth shows
as HTML) is built from HTML-escaped values: a site named ``<script>`` shows as text.
"""

from __future__ import annotations

import html
import logging
import math
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely

from coverage.crs import WGS84, require_crs
from coverage.gaps import NO_OPERATOR
from coverage.i18n import Translator, message
from coverage.io.files import atomic_output
from coverage.model import CoverageResult
from coverage.render.layers import NO_OPERATOR_COLOUR, coverage_pngs, operator_colours
from coverage.render.map import synthetic_note
from coverage.render.raster import MAX_IMAGE_PX, warp_to_wgs84
from coverage.terrain import Terrain

logger = logging.getLogger(__name__)

__all__ = ["KML_NAMESPACE", "write_kmz"]

KML_NAMESPACE = "http://www.opengis.net/kml/2.2"
_K = f"{{{KML_NAMESPACE}}}"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed: identical runs write identical bytes
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TOWER_FIELDS = (
    ("operator", "kmz.field_operator", None),
    ("technology", "kmz.field_technology", None),
    ("frequency_mhz", "kmz.field_frequency_mhz", 0),
    ("antenna_height_m", "kmz.field_antenna_height_m", 0),
    ("eirp_dbm", "kmz.field_eirp_dbm", 1),
    ("azimuth_deg", "kmz.field_azimuth_deg", 0),
    ("beamwidth_deg", "kmz.field_beamwidth_deg", 0),
)
_PROPOSAL_FIELDS = (
    ("rank", "kmz.field_rank", 0),
    ("kind", "kmz.field_kind", None),
    ("people_gained", "kmz.field_people_gained", 0),
    *_TOWER_FIELDS,
)
_GAP_FIELDS = (
    ("rank", "kmz.field_rank", 0),
    ("gap_id", "kmz.field_gap_id", None),
    ("operator", "kmz.field_lacking", None),
    ("commune_name", "kmz.field_commune_name", None),
    ("district", "kmz.field_district", None),
    ("previous_commune_name", "kmz.field_previous_commune_name", None),
    ("people", "kmz.field_people", 0),
    ("area_km2", "kmz.field_area_km2", 2),
    ("highest_ground_m", "kmz.field_highest_ground_m", 0),
    ("synthetic_inputs", "kmz.field_synthetic_inputs", None),
)


def _text(value: Any) -> str:
    """``value`` as XML 1.0 text: characters XML cannot hold (control codes) removed."""
    return _XML_ILLEGAL.sub("", str(value))


def _sub(parent: ET.Element, tag: str, text: Any = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, _K + tag, attributes)
    if text is not None:
        element.text = _text(text)
    return element


def _kml_colour(hex_rgb: str, alpha: int = 255) -> str:
    """KML's ``aabbggrr`` of ``#rrggbb``.

    Examples
    --------
    >>> _kml_colour("#e31a1c", 128)
    '801c1ae3'
    """
    red, green, blue = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{alpha:02x}{blue}{green}{red}".lower()


def _value(value: Any, digits: int | None) -> str | None:
    """A field for people: numbers rounded to ``digits``, None for missing values."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if digits is None:
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return None
    return f"{number:,.{digits}f}"


def _fields(
    placemark: ET.Element,
    row: Mapping[str, Any],
    fields: Sequence[tuple[str, str, int | None]],
    t: Translator,
) -> None:
    """The row's fields as ``ExtendedData`` (plain text) and an HTML-escaped balloon table,
    labelled in ``t``'s language."""
    shown = [
        (column, t(label), text)
        for column, label, digits in fields
        if column in row and (text := _value(row[column], digits)) is not None
    ]
    if not shown:
        return
    rows = "".join(
        f"<tr><th>{html.escape(label)}</th><td>{html.escape(text)}</td></tr>"
        for _, label, text in shown
    )
    _sub(placemark, "description", f"<table>{rows}</table>")
    extended = _sub(placemark, "ExtendedData")
    for column, _, text in shown:
        data = _sub(extended, "Data", name=column)
        _sub(data, "value", text)


def _coordinates(coords: Iterable[Sequence[float]]) -> str:
    """``lon,lat`` pairs to 1e-5 degree (about 1 m, as the map draws them)."""
    return " ".join(f"{x:.5f},{y:.5f}" for x, y, *_ in coords)


def _geometry(parent: ET.Element, geometry: shapely.Geometry) -> None:
    """A (multi)polygon or point as KML geometry under ``parent``."""
    if isinstance(geometry, shapely.Point):
        _sub(_sub(parent, "Point"), "coordinates", _coordinates([(geometry.x, geometry.y)]))
        return
    polygons = list(getattr(geometry, "geoms", [geometry]))
    holder = _sub(parent, "MultiGeometry") if len(polygons) > 1 else parent
    for polygon in polygons:
        if not isinstance(polygon, shapely.Polygon) or polygon.is_empty:
            continue
        element = _sub(holder, "Polygon")
        outer = _sub(_sub(element, "outerBoundaryIs"), "LinearRing")
        _sub(outer, "coordinates", _coordinates(polygon.exterior.coords))
        for ring in polygon.interiors:
            inner = _sub(_sub(element, "innerBoundaryIs"), "LinearRing")
            _sub(inner, "coordinates", _coordinates(ring.coords))


def _style(document: ET.Element, style_id: str, colour: str, *, icon: bool) -> None:
    style = _sub(document, "Style", id=style_id)
    if icon:
        icon_style = _sub(style, "IconStyle")
        _sub(icon_style, "color", _kml_colour(colour))
        _sub(icon_style, "scale", "0.8")  # the viewer's own icon: nothing fetched offline
    else:
        _sub(_sub(style, "LineStyle"), "color", _kml_colour(colour))
        _sub(_sub(style, "PolyStyle"), "color", _kml_colour(colour, 96))


def _ground_overlay(
    folder: ET.Element, name: str, href: str, bounds: tuple[float, float, float, float], show: bool
) -> None:
    west, south, east, north = bounds
    overlay = _sub(folder, "GroundOverlay")
    _sub(overlay, "name", name)
    _sub(overlay, "visibility", "1" if show else "0")
    _sub(_sub(overlay, "Icon"), "href", href)
    box = _sub(overlay, "LatLonBox")
    for tag, value in (("north", north), ("south", south), ("east", east), ("west", west)):
        _sub(box, tag, f"{value:.8f}")


def _gap_masks(
    gaps: gpd.GeoDataFrame, result: CoverageResult, colours: Mapping[str, str], t: Translator
) -> list[tuple[str, np.ndarray, str]]:
    """Per operator lacking signal ("no operator" first), its gaps burnt onto the grid."""
    shapes = gaps.geometry.to_crs(result.crs)
    operator_of = (
        gaps["operator"].astype(str).to_numpy()
        if "operator" in gaps.columns
        else np.full(len(gaps), NO_OPERATOR, dtype=object)
    )
    order = [NO_OPERATOR, *sorted(set(operator_of) - {NO_OPERATOR})]
    masks = []
    for operator in (op for op in order if (operator_of == op).any()):
        mine = [g for g in shapes[operator_of == operator] if g is not None and not g.is_empty]
        if not mine:
            continue
        mask = rasterio.features.rasterize(
            mine, out_shape=result.shape, transform=result.transform, fill=0, default_value=1
        ).astype(bool)
        label = (
            t("kmz.gap_overlay_any")
            if operator == NO_OPERATOR
            else t("kmz.gap_overlay", operator=operator)
        )
        masks.append((label, mask, colours.get(operator, NO_OPERATOR_COLOUR)))
    return masks


def _placemarks(
    folder: ET.Element,
    frame: gpd.GeoDataFrame,
    *,
    name: Any,
    fields: Sequence[tuple[str, str, int | None]],
    style: Any,
    t: Translator,
) -> None:
    """One placemark per row of ``frame`` (EPSG:4326), named and styled by callables of the row."""
    for row, geometry in zip(
        frame.drop(columns=frame.geometry.name).to_dict("records"), frame.geometry, strict=True
    ):
        if geometry is None or geometry.is_empty:
            continue
        placemark = _sub(folder, "Placemark")
        _sub(placemark, "name", name(row))
        _sub(placemark, "styleUrl", f"#{style(row)}")
        _fields(placemark, row, fields, t)
        _geometry(placemark, geometry)


def write_kmz(
    result: CoverageResult,
    path: str | os.PathLike[str],
    *,
    gaps: gpd.GeoDataFrame | None = None,
    towers: gpd.GeoDataFrame | None = None,
    proposals: gpd.GeoDataFrame | None = None,
    terrain: Terrain | None = None,
    synthetic_inputs: str | Sequence[str] | None = None,
    max_image_px: int = MAX_IMAGE_PX,
    overwrite: bool = False,
    lang: str = "en",
) -> Path:
    """Write coverage, gaps, towers and proposed sites as a KMZ for Google Earth.

    Contents of ``doc.kml`` (KML 2.2), each a folder:

    * **Signal**: best received power where covered, per operator and for any operator
      (``GroundOverlay`` of a PNG, the map's colours; only "any operator" shown at first);
    * **Gaps**: ground overlays of the gaps where no operator, or one operator, has
      signal, and each gap polygon as a placemark with its figures (people, area,
      commune, operator lacking, highest ground) in its balloon and ``ExtendedData``;
    * **Towers**: one placemark per site, in a subfolder per operator, coloured as on the
      map, with technology, frequency, height, EIRP and azimuth;
    * **Proposed sites**: the plan's sites, named by rank;
    * a note naming the synthetic inputs (the document's snippet and description, and
      the first placemark), when there are any.

    Parameters
    ----------
    result
        Coverage on the working grid (:class:`coverage.model.CoverageResult`).
    path
        Output ``.kmz``; written to a temporary file and renamed when complete.
    gaps
        From :func:`coverage.gaps.gap_polygons` (any CRS), or None.
    towers
        Towers (any CRS) with ``site_id`` and ``operator``; default ``result.towers``.
    proposals
        Ranked proposed sites (a proposal list of :func:`coverage.plan_sites`), or None.
    terrain
        When it says it is synthetic, the note names it.
    synthetic_inputs
        Names of synthetic inputs or a sentence, as :func:`coverage.render.map.coverage_map`.
    max_image_px
        Longest side of every overlay image.
    overwrite
        Replace an existing file.
    lang
        Language of folder names, placemark names and balloon labels (:mod:`coverage.i18n`);
        names from the data are written as they are.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputExistsError
        ``path`` exists and ``overwrite`` is false.
    CRSError
        An input has no CRS.

    Examples
    --------
    >>> import tempfile
    >>> from affine import Affine
    >>> from coverage.grid import Grid
    >>> power = np.full((1, 20, 20), -80, np.float32)
    >>> towers = gpd.GeoDataFrame({"site_id": ["<b>A&B</b>"], "operator": ["Viettel"]},
    ...     geometry=gpd.points_from_xy([401000], [2489000]), crs="EPSG:32648")
    >>> result = CoverageResult(power, np.zeros(power.shape, np.int32),
    ...     pd.DataFrame({"operator": ["Viettel"], "technology": ["4G"], "threshold_dbm": [-110]}),
    ...     np.zeros((20, 20), np.uint8),
    ...     Grid("EPSG:32648", Affine(100, 0, 400000, 0, -100, 2490000), (20, 20)), towers)
    >>> out = write_kmz(result, Path(tempfile.mkdtemp()) / "coverage.kmz")
    >>> names = zipfile.ZipFile(out).namelist()
    >>> names[0], len(names)
    ('doc.kml', 3)
    >>> b"&lt;b&gt;A&amp;B&lt;/b&gt;" in zipfile.ZipFile(out).read("doc.kml")
    True
    """
    towers = result.towers if towers is None else towers
    operators = list(dict.fromkeys(result.layers["operator"].astype(str)))
    for frame in (towers, proposals):
        if frame is not None and "operator" in frame.columns:
            operators += [
                op for op in dict.fromkeys(frame["operator"].astype(str)) if op not in operators
            ]
    colours = operator_colours(operators)
    t = Translator(lang)
    note = synthetic_note(synthetic_inputs, terrain, lang=lang)

    ET.register_namespace("", KML_NAMESPACE)
    kml = ET.Element(_K + "kml")
    document = _sub(kml, "Document")
    _sub(document, "name", t("kmz.document", model=result.model))
    if note:
        _sub(document, "Snippet", note, maxLines="2")
        _sub(document, "description", html.escape(note))
    for k, operator in enumerate(colours):
        _style(document, f"tower-{k}", colours[operator], icon=True)
        _style(document, f"gap-{k}", colours[operator], icon=False)
    _style(document, "gap-none", NO_OPERATOR_COLOUR, icon=False)
    _style(document, "proposed", "#000000", icon=True)
    style_of = {op: k for k, op in enumerate(colours)}
    if note:  # a placemark at the top, so the note is seen in every viewer's list
        warning = _sub(document, "Placemark")
        _sub(warning, "name", note)
        _sub(warning, "description", html.escape(note))

    images: dict[str, bytes] = {}
    if gaps is not None:
        require_crs(gaps.crs, source="gaps")
    if len(result.layers):  # without layers there is no signal, and no gap but everywhere
        masks = _gap_masks(gaps, result, colours, t) if gaps is not None and len(gaps) else []
        pngs, _ = coverage_pngs(result, max_px=max_image_px, warp=warp_to_wgs84, extra=masks)
        signal = _sub(document, "Folder")
        _sub(signal, "name", t("kmz.signal_folder"))
        groups = len(pngs) - len(masks)
        for k, (label, png, bounds) in enumerate(pngs[:groups]):
            href = f"files/signal_{k:02d}.png"
            images[href] = png
            shown = t("kmz.any_operator") if label == "any operator" else label
            _ground_overlay(
                signal, t("kmz.signal", label=shown), href, bounds, show=label == "any operator"
            )
        gap_folder = _sub(document, "Folder")
        _sub(gap_folder, "name", t("kmz.gaps_folder"))
        for k, (label, png, bounds) in enumerate(pngs[groups:]):
            href = f"files/gaps_{k:02d}.png"
            images[href] = png
            _ground_overlay(gap_folder, label, href, bounds, show=k == 0)
    if gaps is not None and len(gaps):
        polygons = _sub(document, "Folder")
        _sub(polygons, "name", t("kmz.gap_polygons_folder"))
        shapes = gaps.to_crs(result.crs)
        if result.crs.is_projected:  # unions of cells: nothing finer than half a cell
            shapes = shapes.set_geometry(
                shapes.geometry.simplify(abs(result.transform.a) / 2, preserve_topology=True)
            )
        shapes = shapes.to_crs(WGS84)

        def gap_name(row: Mapping[str, Any]) -> str:
            people = _value(row.get("people"), 0) or "?"
            lacking = row.get("operator", NO_OPERATOR)
            commune = row.get("commune_name", "")
            if lacking == NO_OPERATOR:
                return t("kmz.gap_name_any", commune=commune, people=people)
            return t("kmz.gap_name", commune=commune, people=people, operator=lacking)

        def gap_style(row: Mapping[str, Any]) -> str:
            operator = row.get("operator", NO_OPERATOR)
            return f"gap-{style_of[operator]}" if operator in style_of else "gap-none"

        _placemarks(polygons, shapes, name=gap_name, fields=_GAP_FIELDS, style=gap_style, t=t)
    if towers is not None and len(towers):
        require_crs(towers.crs, source="towers")
        folder = _sub(document, "Folder")
        _sub(folder, "name", t("kmz.towers_folder"))
        located = towers.to_crs(WGS84)
        if "operator" not in located.columns:
            located = located.assign(operator="unknown")
        operator_of = located["operator"].astype(str)
        for operator in dict.fromkeys([*colours, *operator_of]):
            mine = located[operator_of == operator]
            if not len(mine):
                continue
            sub = _sub(folder, "Folder")
            _sub(sub, "name", operator)
            _placemarks(
                sub,
                mine,
                name=lambda row: row.get("site_id", ""),
                fields=_TOWER_FIELDS,
                style=lambda row: f"tower-{style_of.get(str(row.get('operator')), 0)}",
                t=t,
            )
    if proposals is not None and len(proposals):
        require_crs(proposals.crs, source="proposals")
        folder = _sub(document, "Folder")
        _sub(folder, "name", t("kmz.proposals_folder"))
        _placemarks(
            folder,
            proposals.to_crs(WGS84),
            name=lambda row: (
                f"#{_value(row.get('rank'), 0) or ''} {row.get('site_id', '')}".strip()
            ),
            fields=_PROPOSAL_FIELDS,
            style=lambda row: "proposed",
            t=t,
        )

    text = ET.tostring(kml, encoding="utf-8", xml_declaration=True)
    path = Path(path)
    with atomic_output(path, overwrite=overwrite) as tmp, zipfile.ZipFile(tmp, "w") as archive:
        entry = zipfile.ZipInfo("doc.kml", date_time=_ZIP_DATE)
        archive.writestr(entry, text, compress_type=zipfile.ZIP_DEFLATED)
        for name, png in images.items():  # PNGs are compressed already
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_DATE), png)
    logger.info(
        message("errors.render.log_wrote_kmz", path=path, mb=f"{path.stat().st_size / 1e6:.1f}")
    )
    return path
