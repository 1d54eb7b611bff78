"""The layers of a coverage map as folium elements: communes, signal, gaps, towers, terrain.

Each builder turns one analysis result (any CRS) into a folium layer in EPSG:4326 / Web
Mercator, for display only; :func:`coverage.render.map.coverage_map` assembles them with the
map's controls. The elements carry their data as compact JSON that the page's own script
(``static/phusong/map.js``) or a small Leaflet call draws.

Every piece of text that comes from data (commune names, tower ids, operator names...) is
HTML-escaped here before it reaches the page, or set with ``textContent`` by the page's
script, so a name like ``<img src=x onerror=alert(1)>`` shows as text.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from branca.colormap import LinearColormap

from coverage.crs import WGS84, working_crs_for_bounds
from coverage.gaps import NO_OPERATOR, slug
from coverage.i18n import Translator
from coverage.model import CoverageResult
from coverage.names import normalize_name
from coverage.render.elements import (
    GapLayer,
    GeoJsonLayer,
    ImageLayer,
    Script,
    TowerLayer,
    TowerPointLayer,
    js_literal,
)
from coverage.render.formatting import (
    OPERATOR_COLOURS,
    _technology_class,
    format_number,
    html_table,
    operator_colours,
)
from coverage.render.raster import (
    classify,
    encode_png,
    hillshade,
    palette_with_transparent,
    png_data_uri,
    png_uri,
    warp_to_web_mercator,
)
from coverage.terrain import Terrain

__all__ = [
    "NO_OPERATOR_COLOUR",
    "OPERATOR_COLOURS",
    "SHARE_COLOURS",
    "GapLayer",
    "GeoJsonLayer",
    "ImageLayer",
    "Script",
    "TOWER_MARKER_LIMIT",
    "TowerLayer",
    "TowerPointLayer",
    "commune_layer",
    "coverage_images",
    "coverage_pngs",
    "delta_rings",
    "first_column",
    "format_number",
    "gap_layers",
    "hillshade_image",
    "html_table",
    "js_literal",
    "operator_colours",
    "tower_layers",
    "validity_image",
]

NO_OPERATOR_COLOUR = "#7f0000"
SHARE_COLOURS = ("#1a9850", "#fee08b", "#d73027")  # uncovered share 0 -> 1
_DBM_COLOURS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")  # weak -> strong
_DBM_STEP = 2.0
_SECTOR_RADIUS_M = 1500.0
_ESC = html.escape
_COORD_FACTOR = 100_000  # gap vertices in units of 1e-5 degree (about 1 m)
#: Gap columns shown in the popup: (short key on the page, column, decimals or None for text).
_GAP_FIELDS = (
    ("r", "rank", 0),
    ("i", "gap_id", None),
    ("c", "commune_name", None),
    ("k", "kind", None),
    ("q", "pieces", 0),
    ("d", "district", None),
    ("pc", "previous_commune_name", None),
    ("p", "people", 0),
    ("a", "area_km2", 2),
    ("h", "highest_ground_m", 0),
)
#: Message id (:mod:`coverage.i18n`) of each popup field's label.
_GAP_LABELS = {
    "rank": "map.gap_rank",
    "gap_id": "map.gap_id",
    "kind": "map.gap_kind",
    "pieces": "map.gap_pieces",
    "commune_name": "map.gap_commune",
    "district": "map.district",
    "previous_commune_name": "map.gap_previous_commune",
    "people": "map.gap_people",
    "area_km2": "map.gap_area",
    "highest_ground_m": "map.gap_highest",
}


# ---------------------------------------------------------------------------------------
# Layers


def _round_geometry(frame: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Geometry in EPSG:4326 with coordinates rounded to 1e-5 degree (about 1 m)."""
    geometry = frame.geometry.to_crs(WGS84)
    rounded = shapely.transform(geometry.to_numpy(), lambda xy: np.round(xy, 5))
    return gpd.GeoSeries(rounded, index=frame.index, crs=WGS84)


def _feature_collection(geometry: gpd.GeoSeries, properties: list[dict]) -> dict:
    features = [
        {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": props}
        for geom, props in zip(geometry, properties, strict=True)
        if geom is not None and not geom.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}


def first_column(frame: pd.DataFrame, *names: str) -> str | None:
    """The first of ``names`` that is a column of ``frame``, or None.

    Examples
    --------
    >>> first_column(pd.DataFrame(columns=["b", "c"]), "a", "c", "b")
    'c'
    """
    return next((name for name in names if name in frame.columns), None)


def commune_layer(
    communes: gpd.GeoDataFrame,
    operators: Sequence[str],
    interest: set[Any],
    share_colours: LinearColormap,
    *,
    lang: str = "en",
) -> GeoJsonLayer:
    """Communes filled by the share of their people without signal, with tooltip and popup.

    Parameters
    ----------
    communes
        Polygons with ``name`` (any CRS) and, when present, the coverage columns of
        :func:`coverage.gaps.commune_coverage`.
    operators
        Operators whose ``uncovered_population_<operator>`` columns the popup lists.
    interest
        Index labels of the communes outlined in bold.
    share_colours
        Colour of an uncovered share from 0 to 1 (no statistics: grey).
    lang
        Language of the labels (:mod:`coverage.i18n`).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> communes = gpd.GeoDataFrame({"name": ["Y Tý"], "population": [1200]},
    ...     geometry=[box(103.6, 22.6, 103.7, 22.7)], crs="EPSG:4326")
    >>> layer = commune_layer(communes, [], {0}, LinearColormap(SHARE_COLOURS, vmin=0, vmax=1))
    >>> layer.layer_name, layer.data["features"][0]["properties"]["_style"]["weight"]
    ('Communes: share without signal', 4)
    """
    t = Translator(lang)
    share_col = first_column(communes, "uncovered_population_share_any", "uncovered_share")
    any_col = first_column(communes, "uncovered_population_any", "uncovered_population")
    properties = []
    for index, row in communes.iterrows():
        name = str(row["name"])
        share = float(row[share_col]) if share_col and pd.notna(row[share_col]) else math.nan
        rows = [(_ESC(t("map.code")), _ESC(str(row.get("commune_id", "–"))))]
        if "district" in communes.columns and pd.notna(row.get("district")):
            rows.append((_ESC(t("map.district")), _ESC(str(row["district"]))))
        rows.append((_ESC(t("map.population")), format_number(row.get("population", math.nan))))
        if any_col:
            rows.append((_ESC(t("map.no_signal_any")), format_number(row[any_col])))
        if share_col:
            shown = f"{share:.0%}" if math.isfinite(share) else "–"
            rows.append((_ESC(t("map.share_without")), shown))
        for operator in operators:
            column = f"uncovered_population_{slug(operator)}"
            if column in communes.columns:
                label = _ESC(t("map.no_operator_signal", operator=operator))
                rows.append((label, format_number(row[column])))
        if "status" in communes.columns and str(row["status"]) != "complete":
            rows.append((_ESC(t("map.note")), _ESC(str(row["status"]))))
        html_text = f"<div class='phusong-popup'><b>{_ESC(name)}</b>{html_table(rows)}</div>"
        bold = index in interest
        properties.append(
            {
                "name": name,
                "_key": normalize_name(name),
                "_detail": str(row["district"]) if "district" in communes.columns else "",
                "_tooltip": html_text,
                "_popup": html_text,
                "_style": {
                    "color": "#000000" if bold else "#555555",
                    "weight": 4 if bold else 1,
                    "fillColor": share_colours(share) if math.isfinite(share) else "#bdbdbd",
                    "fillOpacity": 0.3,
                    "dashArray": None if bold else "3",
                },
            }
        )
    data = _feature_collection(_round_geometry(communes), properties)
    return GeoJsonLayer(data, name=t("map.communes_layer"))


def delta_rings(geometries: np.ndarray) -> list[list[list[list[int]]]]:
    """(Multi)polygons in EPSG:4326 as polygons of rings, each ring one flat list of ints.

    Each ring is ``[x0, y0, dx1, dy1, ...]``: its first vertex in units of 1e-5 degree
    (about 1 m), then each vertex as the step from the one before, as TopoJSON encodes
    its quantised arcs (delta encoding, TopoJSON specification 2.1.1). A gap's vertices lie
    a grid cell or so apart, so each step takes 3 or 4 digits instead of 9 or 10.

    Examples
    --------
    >>> delta_rings(np.array([shapely.box(104.0, 22.0, 104.001, 22.002)]))
    [[[[10400100, 2200000, 0, 200, -100, 0, 0, -200, 100, 0]]]]
    """
    parts, part_of = shapely.get_parts(geometries, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)  # exterior, then holes
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    units = np.round(coords * _COORD_FACTOR).astype(np.int64)
    steps = units.copy()
    steps[1:] -= units[:-1]
    starts = np.searchsorted(coord_of, np.arange(len(rings)))
    steps[starts] = units[starts]
    flat = np.split(steps.reshape(-1), 2 * starts[1:])
    out: list[list[list[list[int]]]] = [[] for _ in geometries]
    polygons: list[list[list[int]]] = [[] for _ in parts]
    for polygon, owner in zip(polygons, part_of, strict=True):
        out[owner].append(polygon)
    for ring, owner in zip(flat, ring_of, strict=True):
        polygons[owner].append(ring.tolist())
    return out


def gap_layers(
    gaps: gpd.GeoDataFrame,
    colours: Mapping[str, str],
    *,
    result: CoverageResult,
    lang: str = "en",
) -> list[GapLayer]:
    """One layer per operator lacking signal ("no operator" first, the only one shown).

    The geometry is simplified for display within half a grid cell (the gaps are unions of
    cells, so their staircase outlines carry no information finer than that), then
    delta-encoded (:func:`delta_rings`). Each feature carries only its numbers and names
    under short keys; the page's script (``phusong.gapLayer``) builds the style and the
    popup, setting every text with ``textContent``. Labels are in ``lang``
    (:mod:`coverage.i18n`).
    """
    t = Translator(lang)
    shapes = gaps.geometry
    if result.crs.is_projected:  # simplified in the grid's own metric CRS
        shapes = shapes.to_crs(result.crs)
        shapes = shapes.simplify(abs(result.transform.a) / 2, preserve_topology=True)
    shapes_4326 = shapes.to_crs(WGS84).to_numpy()
    table = pd.DataFrame(gaps.drop(columns=gaps.geometry.name)).reset_index(drop=True)
    nearest = [
        column.removeprefix("nearest_site_")
        for column in gaps.columns
        if column.startswith("nearest_site_") and not column.startswith("nearest_site_km_")
    ]
    names = dict(zip(map(slug, colours), colours, strict=True))
    operator_of = (
        table["operator"].astype(str).to_numpy()
        if "operator" in table.columns
        else np.full(len(table), NO_OPERATOR, dtype=object)
    )
    drawn = ~(shapely.is_missing(shapes_4326) | shapely.is_empty(shapes_4326))
    order = [NO_OPERATOR, *colours]
    order += sorted({str(op) for op in operator_of} - set(order))
    layers = []
    for operator in (op for op in order if (operator_of == op).any()):
        rows = np.flatnonzero((operator_of == operator) & drawn)
        if "rank" in table.columns:  # rank 1 drawn last, on top
            rows = rows[np.argsort(-table["rank"].to_numpy()[rows], kind="stable")]
        mine = table.iloc[rows]
        geometries = shapes_4326[rows]
        records = mine.to_dict("records")
        sites: dict[str, int] = {}
        features = []
        for row, rings in zip(records, delta_rings(geometries), strict=True):
            feature: dict[str, Any] = {"g": rings}
            for key, column, digits in _GAP_FIELDS:
                value = _compact(row[column], digits) if column in row else None
                if column == "kind" and value is not None:
                    value = t(f"map.gap_kind_{value}")
                if value is not None:
                    feature[key] = value
            for k, key in enumerate(nearest):
                site = row[f"nearest_site_{key}"]
                if pd.notna(site):
                    km = row.get(f"nearest_site_km_{key}", math.nan)
                    feature[f"n{k}"] = [sites.setdefault(str(site), len(sites)), _compact(km, 1)]
            features.append(feature)
        fields: list[dict[str, Any]] = [
            {"key": key, "label": t(_GAP_LABELS[column]), "digits": digits}
            for key, column, digits in _GAP_FIELDS
            if column in mine.columns
        ]
        fields += [
            {
                "key": f"n{k}",
                "label": t("map.nearest_site", operator=names.get(key, key)),
                "site": True,
            }
            for k, key in enumerate(nearest)
        ]
        if operator == NO_OPERATOR:
            title, name = t("map.gap_title_any"), t("map.gap_layer_any")
        else:
            title = t("map.gap_title", operator=operator)
            name = t("map.gap_layer", operator=operator)
        data = {
            "title": title,
            "colour": colours.get(operator, NO_OPERATOR_COLOUR),
            "factor": _COORD_FACTOR,
            "fields": fields,
            "sites": list(sites),
            "features": features,
        }
        layers.append(GapLayer(data, name=_ESC(name), show=operator == NO_OPERATOR))
    if layers and not any(layer.show for layer in layers):
        layers[0].show = True
    return layers


def _compact(value: Any, digits: int | None) -> Any:
    """A value for the page: numbers rounded to ``digits`` (int for 0), None for NaN."""
    if digits is None:
        return None if pd.isna(value) else str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return int(round(number)) if digits == 0 else round(number, digits)


TOWER_MARKER_LIMIT = 2_000
"""More towers than this are drawn as plain dots (:class:`TowerPointLayer`), without sector
wedges: per-marker HTML for 100,000 towers made a 171 MB map."""


def tower_points(
    towers: gpd.GeoDataFrame, colours: Mapping[str, str], *, lang: str = "en"
) -> TowerPointLayer:
    """Every tower as a dot of its operator's colour, in compact columns (no wedges).

    Examples
    --------
    >>> towers = gpd.GeoDataFrame({"site_id": ["<b>1</b>"], "operator": ["Viettel"],
    ...     "technology": ["4G"]}, geometry=gpd.points_from_xy([103.9], [22.4]), crs="EPSG:4326")
    >>> layer = tower_points(towers, {"Viettel": "#e31a1c"})
    >>> layer.data["id"], layer.data["ops"], layer.data["colours"]
    (['&lt;b&gt;1&lt;/b&gt;'], ['Viettel'], ['#e31a1c'])
    """
    points = towers.geometry.to_crs(WGS84)
    operators = towers.get("operator", pd.Series("unknown", index=towers.index)).astype(str)
    technologies = towers.get("technology", pd.Series("–", index=towers.index)).astype(str)
    op_codes, op_names = pd.factorize(operators)
    tech_codes, tech_names = pd.factorize(technologies)
    ids = towers.get("site_id", pd.Series("–", index=towers.index)).astype(str)
    data = {
        "lat": np.round(points.y.to_numpy(), 5).tolist(),
        "lon": np.round(points.x.to_numpy(), 5).tolist(),
        "op": op_codes.tolist(),
        "tech": tech_codes.tolist(),
        "id": [_ESC(name) for name in ids],
        "ops": [_ESC(name) for name in op_names],
        "colours": [colours.get(name, "#444444") for name in op_names],
        "techs": [_ESC(name) for name in tech_names],
    }
    t = Translator(lang)
    note = t("map.towers_thinned", count=f"{len(towers):,}", limit=f"{TOWER_MARKER_LIMIT:,}")
    return TowerPointLayer(data, name=t("map.towers_layer"), note=note)


def tower_layers(
    towers: gpd.GeoDataFrame, colours: Mapping[str, str], *, lang: str = "en"
) -> tuple[TowerLayer | TowerPointLayer, GeoJsonLayer | None]:
    """Clustered tower markers and, when some towers are sectored, their wedges.

    Labels are in ``lang`` (:mod:`coverage.i18n`). Beyond :data:`TOWER_MARKER_LIMIT` towers:
    plain dots (:func:`tower_points`), no wedges.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> towers = gpd.GeoDataFrame({"site_id": ["VT-1"], "operator": ["Viettel"],
    ...     "technology": ["4G"], "azimuth_deg": [120.0], "beamwidth_deg": [65.0]},
    ...     geometry=[Point(103.65, 22.65)], crs="EPSG:4326")
    >>> markers, sectors = tower_layers(towers, {"Viettel": "#e31a1c"})
    >>> markers.data[0]["title"], sectors.layer_name
    ('VT-1 (Viettel)', 'Tower sectors')
    """
    t = Translator(lang)
    towers = towers[~towers.geometry.is_empty & towers.geometry.notna()]
    if len(towers) > TOWER_MARKER_LIMIT:
        return tower_points(towers, colours, lang=lang), None
    points = towers.geometry.to_crs(WGS84)
    records = []
    for (_, row), point in zip(towers.iterrows(), points, strict=True):
        operator = str(row.get("operator", "unknown"))
        css, letter = _technology_class(row.get("technology", ""))
        colour = colours.get(operator, "#444444")
        azimuth = row.get("azimuth_deg", math.nan)
        rows = [
            ("map.site", _ESC(str(row.get("site_id", "–")))),
            ("map.operator", _ESC(operator)),
            ("map.technology", _ESC(str(row.get("technology", "–")))),
            ("map.height", format_number(row.get("antenna_height_m", math.nan), 0)),
            ("map.eirp", format_number(row.get("eirp_dbm", math.nan), 1)),
            ("map.frequency", format_number(row.get("frequency_mhz", math.nan), 0)),
            ("map.azimuth", _ESC(t("map.omni")) if pd.isna(azimuth) else f"{float(azimuth):.0f}°"),
        ]
        records.append(
            {
                "lat": round(point.y, 6),
                "lon": round(point.x, 6),
                "title": f"{row.get('site_id', '')} ({operator})",
                "icon": (
                    f"<div class='phusong-tower {css}' style='background:{colour};"
                    f"width:16px;height:16px'><span>{_ESC(letter)}</span></div>"
                ),
                "popup": (
                    "<div class='phusong-popup'>"
                    f"{html_table([(_ESC(t(label)), value) for label, value in rows])}</div>"
                ),
            }
        )
    markers = TowerLayer(records, name=t("map.towers_layer"))
    sectored = towers[
        towers.get("azimuth_deg", pd.Series(np.nan, index=towers.index)).notna()
        & (towers.get("beamwidth_deg", pd.Series(360.0, index=towers.index)).fillna(360) < 360)
    ]
    if len(sectored) == 0:
        return markers, None
    metric = working_crs_for_bounds(tuple(sectored.total_bounds), sectored.crs)
    centres = sectored.geometry.to_crs(metric)
    wedges, props = [], []
    for (_, row), centre in zip(sectored.iterrows(), centres, strict=True):
        half = float(row["beamwidth_deg"]) / 2
        bearings = np.radians(np.linspace(row["azimuth_deg"] - half, row["azimuth_deg"] + half, 13))
        ring = [(centre.x, centre.y)] + [
            (centre.x + _SECTOR_RADIUS_M * np.sin(b), centre.y + _SECTOR_RADIUS_M * np.cos(b))
            for b in bearings
        ]
        wedges.append(shapely.Polygon(ring))
        colour = colours.get(str(row.get("operator", "")), "#444444")
        props.append(
            {
                "_tooltip": _ESC(f"{row.get('site_id', '')} {row['azimuth_deg']:.0f}°"),
                "_style": {"color": colour, "weight": 1, "fillColor": colour, "fillOpacity": 0.25},
            }
        )
    frame = gpd.GeoDataFrame(geometry=wedges, crs=metric)
    data = _feature_collection(_round_geometry(frame), props)
    return markers, GeoJsonLayer(data, name=t("map.sectors_layer"), show=True)


def coverage_images(
    result: CoverageResult, *, max_px: int
) -> tuple[list[tuple[str, str, Any]], LinearColormap]:
    """(label, data URI, bounds) per operator and for any operator, and the dBm colormap.

    Each image is an indexed PNG in Web Mercator, the best received power in 2 dB steps
    where covered, transparent elsewhere; bounds are ``((south, west), (north, east))``.

    Examples
    --------
    >>> from coverage.grid import Grid
    >>> power = np.full((1, 20, 20), -80, np.float32)
    >>> result = CoverageResult(power, np.zeros(power.shape, np.int32),
    ...     pd.DataFrame({"operator": ["Viettel"], "technology": ["4G"], "threshold_dbm": [-110]}),
    ...     np.zeros((20, 20), np.uint8),
    ...     Grid("EPSG:32648", Affine(100, 0, 400000, 0, -100, 2490000), (20, 20)),
    ...     gpd.GeoDataFrame(geometry=[], crs="EPSG:32648"))
    >>> images, colormap = coverage_images(result, max_px=64)
    >>> [label for label, _, _ in images], colormap.vmin
    (['Viettel', 'any operator'], -110.0)
    """
    pngs, colormap = coverage_pngs(result, max_px=max_px, warp=warp_to_web_mercator)
    return [(label, png_uri(png), bounds) for label, png, bounds in pngs], colormap


def coverage_pngs(
    result: CoverageResult,
    *,
    max_px: int,
    warp: Callable[..., tuple[np.ndarray, Any]],
    extra: Sequence[tuple[str, np.ndarray, str]] = (),
) -> tuple[list[tuple[str, bytes, Any]], LinearColormap]:
    """The images of :func:`coverage_images` as PNG bytes, reprojected by ``warp``.

    ``warp`` is :func:`~coverage.render.raster.warp_to_web_mercator` (the map) or
    :func:`~coverage.render.raster.warp_to_wgs84` (KML); the bounds are what it returns.
    ``extra`` adds ``(label, mask, colour)`` images on the same warped grid: ``mask``
    (rows, cols) on ``result``'s grid, drawn in ``colour`` (``#rrggbb``, 70 % opaque)
    where at least half of a pixel is true.
    """
    thresholds = result.layers["threshold_dbm"].to_numpy(dtype=float)
    vmin = math.floor(float(np.min(thresholds)) / 5.0) * 5.0
    vmax = vmin + 50.0
    colormap = LinearColormap(list(_DBM_COLOURS), vmin=vmin, vmax=vmax)
    steps = int((vmax - vmin) / _DBM_STEP)
    lut = np.array(
        [colormap.rgba_bytes_tuple(vmin + (k + 0.5) * _DBM_STEP)[:3] for k in range(steps)],
        dtype=np.uint8,
    )
    covered = result.covered
    operators = list(dict.fromkeys(result.layers["operator"].astype(str)))
    groups = [
        (op, np.flatnonzero(result.layers["operator"].astype(str).to_numpy() == op))
        for op in operators
    ]
    groups.append(("any operator", np.arange(len(result.layers))))
    bands = []
    for _, positions in groups:
        power = np.where(covered[positions], result.best_power_dbm[positions], np.nan)
        bands.append(np.fmax.reduce(power, axis=0))
        bands.append(covered[positions].any(axis=0).astype(np.float32))
    bands += [np.asarray(mask, dtype=np.float32) for _, mask, _ in extra]
    warped, bounds = warp(
        np.stack(bands), transform=result.transform, crs=result.crs, max_px=max_px
    )
    palette = palette_with_transparent(lut)  # 0: no signal (transparent), then the dBm steps
    images = []
    for k, (label, _) in enumerate(groups):
        power, fraction = warped[2 * k], warped[2 * k + 1]
        with np.errstate(invalid="ignore"):
            shown = np.where(fraction >= 0.5, power, np.nan)
        classes = classify(shown, vmin=vmin, vmax=vmax, steps=len(lut))
        images.append((label, encode_png(classes, palette=palette), bounds))
    for k, (label, _, colour) in enumerate(extra, start=2 * len(groups)):
        rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        with np.errstate(invalid="ignore"):
            shown = (warped[k] >= 0.5).astype(np.uint8)
        colours = np.array([[0, 0, 0, 0], [*rgb, 178]], dtype=np.uint8)
        images.append((label, encode_png(shown, palette=colours), bounds))
    return images, colormap


def validity_image(result: CoverageResult, *, max_px: int) -> tuple[str, Any] | None:
    """Where the model is outside its validity range (any :class:`Validity` flag), or None.

    An indexed PNG in Web Mercator: magenta where at least half of a pixel is flagged,
    transparent elsewhere; None when nothing is flagged.

    Examples
    --------
    >>> from coverage.grid import Grid
    >>> flags = np.zeros((20, 20), np.uint8)
    >>> flags[:, :10] = 1
    >>> result = CoverageResult(np.zeros((0, 20, 20), np.float32), np.zeros((0, 20, 20), np.int32),
    ...     pd.DataFrame(columns=["operator", "technology", "threshold_dbm"]), flags,
    ...     Grid("EPSG:32648", Affine(100, 0, 400000, 0, -100, 2490000), (20, 20)),
    ...     gpd.GeoDataFrame(geometry=[], crs="EPSG:32648"))
    >>> validity_image(result, max_px=64)[0].startswith("data:image/png;base64,")
    True
    """
    flagged = (result.validity != 0).astype(np.float32)
    if not flagged.any():
        return None
    warped, bounds = warp_to_web_mercator(
        flagged, transform=result.transform, crs=result.crs, max_px=max_px
    )
    with np.errstate(invalid="ignore"):
        classes = (warped >= 0.5).astype(np.uint8)
    palette = palette_with_transparent(np.array([[214, 0, 170]], dtype=np.uint8), alpha=150)
    return png_data_uri(classes, palette=palette), bounds


def hillshade_image(terrain: Terrain, *, max_px: int) -> tuple[str, Any]:
    """A grey hillshade PNG in Web Mercator (voids transparent) and its bounds.

    Examples
    --------
    >>> terrain = Terrain.from_array(np.arange(400.0).reshape(20, 20) % 37,
    ...     transform=Affine(30, 0, 380000, 0, -30, 2500000), crs="EPSG:32648", source="ramp")
    >>> url, ((south, west), (north, east)) = hillshade_image(terrain, max_px=64)
    >>> url.startswith("data:image/png;base64,"), south < north and west < east
    (True, True)
    """
    elevation = terrain.elevation_m
    step = max(1, int(max(terrain.shape) // (2 * max_px)))  # shade at most 2x finer than shown
    transform = terrain.transform
    if step > 1:
        elevation = elevation[::step, ::step]
        transform = transform @ Affine.scale(step)
    shade = hillshade(elevation, cell_size_m=terrain.resolution_m * step).astype(np.float32)
    shade[shade == 0] = np.nan
    warped, bounds = warp_to_web_mercator(
        shade, transform=transform, crs=terrain.crs, max_px=max_px
    )
    with np.errstate(invalid="ignore"):
        grey = np.where(np.isfinite(warped), np.clip(np.round(warped), 1, 255), 0)
    return png_data_uri(grey.astype(np.uint8), transparent=0), bounds  # 0: no data
