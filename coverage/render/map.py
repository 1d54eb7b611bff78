"""Interactive Folium maps of coverage, gaps and towers, for files and for Jupyter.

:func:`coverage_map` builds a :class:`CoverageMap` (a :class:`folium.Map`) from the
analysis results: the layers come from :mod:`coverage.render.layers` (each input keeps its
own CRS; everything is put into EPSG:4326 / Web Mercator for display only), the controls
and panels (legend, search, summary, banner, attribution) are added here.
:func:`save_map` writes it to one HTML file, optionally self-contained for offline use
(see :mod:`coverage.render.offline`); shown inline in Jupyter, the map is that same page,
so a map built with ``offline=True`` draws with no internet too.

Every piece of text that comes from data is HTML-escaped before it reaches the page, or set
with ``textContent`` by the page's script, so a name like ``<img src=x onerror=alert(1)>``
shows as text.
"""

from __future__ import annotations

import html
import logging
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.colormap import LinearColormap
from branca.element import Figure

from coverage.crs import WGS84, require_crs
from coverage.errors import SchemaError
from coverage.gaps import slug
from coverage.i18n import Translator, message
from coverage.io.files import atomic_output
from coverage.model import CoverageResult
from coverage.names import find_commune
from coverage.render.layers import (
    NO_OPERATOR_COLOUR,
    OPERATOR_COLOURS,
    SHARE_COLOURS,
    ImageLayer,
    Script,
    commune_layer,
    coverage_images,
    first_column,
    format_number,
    gap_layers,
    hillshade_image,
    html_table,
    js_literal,
    operator_colours,
    tower_layers,
    validity_image,
)
from coverage.render.offline import Verbatim, html_document, notebook_html, static_text
from coverage.render.proposals import proposal_layers
from coverage.render.raster import MAX_IMAGE_PX, png_data_uri
from coverage.terrain import Terrain

logger = logging.getLogger(__name__)

__all__ = ["OPERATOR_COLOURS", "CoverageMap", "coverage_map", "save_map", "synthetic_note"]

_TRANSPARENT_PNG = png_data_uri(np.zeros((1, 1, 4), dtype=np.uint8))
_ESC = html.escape


# ---------------------------------------------------------------------------------------
# Panels


def _gradient(colormap: LinearColormap, ticks: Sequence[str]) -> str:
    stops = ", ".join(
        colormap.rgb_hex_str(colormap.vmin + (colormap.vmax - colormap.vmin) * t)
        for t in np.linspace(0, 1, 9)
    )
    labels = "".join(f"<span>{_ESC(t)}</span>" for t in ticks)
    return (
        f"<div class='bar' style='background:linear-gradient(to right, {stops})'></div>"
        f"<div class='ticks'>{labels}</div>"
    )


def _legend_html(
    share: LinearColormap,
    dbm: LinearColormap | None,
    colours: Mapping[str, str],
    gaps: bool,
    t: Translator,
) -> str:
    blocks = [
        f"<div class='block'><b>{_ESC(t('map.legend_share'))}</b>"
        + _gradient(share, ["0%", "50%", "100%"])
        + "</div>"
    ]
    if dbm is not None:
        blocks.append(
            f"<div class='block'><b>{_ESC(t('map.legend_dbm'))}</b>"
            + _gradient(
                dbm, [f"{dbm.vmin:.0f}", f"{(dbm.vmin + dbm.vmax) / 2:.0f}", f"{dbm.vmax:.0f}"]
            )
            + "</div>"
        )
    if colours:
        swatches = "".join(
            f"<div><span class='swatch' style='background:{c}'></span>{_ESC(op)}</div>"
            for op, c in colours.items()
        )
        blocks.append(
            f"<div class='block'><b>{_ESC(t('map.legend_operators'))}</b>{swatches}"
            f"<div>{_ESC(t('map.legend_towers'))}</div></div>"
        )
    if gaps:
        blocks.append(
            f"<div class='block'><span class='swatch' style='background:{NO_OPERATOR_COLOUR}'>"
            f"</span>{_ESC(t('map.legend_gap'))}</div>"
        )
    return "".join(blocks)


def _proposals_legend(coverage_colours: LinearColormap | None, t: Translator) -> str:
    block = (
        f"<div class='block'><b>{_ESC(t('map.legend_proposals'))}</b>"
        f"<div>{_ESC(t('map.legend_proposal_kinds'))}</div>"
    )
    if coverage_colours is not None:
        low, high = coverage_colours.vmin, coverage_colours.vmax
        block += f"<div>{_ESC(t('map.legend_proposal_coverage'))}</div>" + _gradient(
            coverage_colours, [f"{low:.0f}", f"{high:.0f}"]
        )
    return block + "</div>"


def _summary_html(
    row: pd.Series, communes: pd.DataFrame, operators: Sequence[str], t: Translator
) -> str:
    rows = [(_ESC(t("map.population")), format_number(row.get("population", math.nan)))]
    any_col = first_column(communes, "uncovered_population_any", "uncovered_population")
    if any_col:
        rows.append((_ESC(t("map.without_any")), format_number(row[any_col])))
    for operator in operators:
        column = f"uncovered_population_{slug(operator)}"
        if column in communes.columns:
            label = _ESC(t("map.without_operator", operator=operator))
            rows.append((label, format_number(row[column])))
    where = ", ".join(
        _ESC(str(row[c]))
        for c in ("district", "province")
        if c in communes.columns and pd.notna(row[c])
    )
    title = _ESC(str(row["name"])) + (f" <small>({where})</small>" if where else "")
    return f"<h4>{title}</h4>{html_table(rows)}"


def _with_synthetic_terrain(
    synthetic_inputs: str | Sequence[str] | None, terrain: Terrain | None, t: Translator
) -> str | Sequence[str] | None:
    """The synthetic inputs, with ``terrain`` added when the terrain says it is synthetic."""
    if terrain is None or not terrain.synthetic:
        return synthetic_inputs
    if not synthetic_inputs:
        return ["terrain"]
    if isinstance(synthetic_inputs, str):
        text = synthetic_inputs
        named = ("terrain", t("map.input_terrain").lower())
        return text if any(n in text.lower() for n in named) else t("map.banner_terrain", text=text)
    names = [str(s) for s in synthetic_inputs]
    return names if any("terrain" in n.lower() for n in names) else [*names, "terrain"]


def _synthetic_text(synthetic_inputs: str | Sequence[str] | None, t: Translator) -> str | None:
    """The banner: a text as given, or the names of the synthetic inputs (translated when known).

    >>> _synthetic_text(["terrain", "towers"], Translator("vi"))
    'Không phải dữ liệu thật: địa hình và danh sách trạm là dữ liệu tổng hợp.'
    """
    if not synthetic_inputs:
        return None
    if isinstance(synthetic_inputs, str):
        return synthetic_inputs
    names = [t.get(f"map.input_{str(s).lower()}", str(s)) for s in synthetic_inputs]
    if len(names) == 1:
        return t("map.banner_one", inputs=names[0])
    listed = t("map.list_and", first=", ".join(names[:-1]), last=names[-1])
    return t("map.banner_many", inputs=listed)


def synthetic_note(
    synthetic_inputs: str | Sequence[str] | None,
    terrain: Terrain | None = None,
    *,
    lang: str = "en",
) -> str | None:
    """The banner text of a map (or note of a KMZ) naming the synthetic inputs, or None.

    ``synthetic_inputs`` as :func:`coverage_map` takes it; a ``terrain`` that says it is
    synthetic (:attr:`~coverage.terrain.Terrain.synthetic`) is always named. In ``lang``
    (:mod:`coverage.i18n`).

    Examples
    --------
    >>> synthetic_note(["towers", "population"])
    'Not real data: towers and population are synthetic.'
    >>> synthetic_note(None) is None
    True
    """
    t = Translator(lang)
    return _synthetic_text(_with_synthetic_terrain(synthetic_inputs, terrain, t), t)


def _attribution_text(
    attribution: str | Mapping[str, str] | None,
    result: CoverageResult,
    terrain: Terrain | None,
    t: Translator,
) -> str:
    parts = [t("map.attribution_coverage", model=result.model)]
    if result.parameters.get("calibration"):
        parts.append(t("map.attribution_calibration", calibration=result.parameters["calibration"]))
    if terrain is not None:
        parts.append(t("map.attribution_terrain", source=terrain.source))
    if isinstance(attribution, Mapping):
        parts += [f"{key}: {value}" for key, value in attribution.items()]
    elif attribution:
        parts.append(str(attribution))
    return " | ".join(parts)


# ---------------------------------------------------------------------------------------
# Public API


class CoverageMap(folium.Map):
    """A :class:`folium.Map` that remembers whether it is meant to work offline.

    Built by :func:`coverage_map`. :func:`save_map` follows :attr:`offline` unless told
    otherwise, and Jupyter shows the map as the page :func:`save_map` would write
    (:func:`coverage.render.offline.notebook_html`): with ``offline=True`` Leaflet, its
    plugins and their stylesheets are inlined in the output cell, so the map draws in an
    office without internet; otherwise they are linked from pinned jsDelivr copies.

    Parameters
    ----------
    *args, **kwargs
        As :class:`folium.Map`.
    offline
        The map's default for :func:`save_map` and its notebook display.

    Examples
    --------
    >>> m = CoverageMap(tiles=None, offline=True)
    >>> "<script src=&quot;http" in m._repr_html_(), "L.map(" in m._repr_html_()
    (False, True)
    """

    def __init__(self, *args: Any, offline: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offline = offline

    def _repr_html_(self, **kwargs: Any) -> str:
        """The map for a Jupyter output cell (folium's iframe, phusong's page)."""
        return notebook_html(self, offline=self.offline)


def coverage_map(
    communes: gpd.GeoDataFrame,
    result: CoverageResult,
    gaps: gpd.GeoDataFrame | None = None,
    towers: gpd.GeoDataFrame | None = None,
    *,
    terrain: Terrain | None = None,
    focus_commune: str | None = None,
    communes_of_interest: Sequence[str] = (),
    synthetic_inputs: str | Sequence[str] | None = None,
    offline: bool = False,
    attribution: str | Mapping[str, str] | None = None,
    max_image_px: int = MAX_IMAGE_PX,
    proposals: pd.DataFrame | None = None,
    proposal_coverage: CoverageResult | None = None,
    lang: str = "en",
) -> CoverageMap:
    """An interactive map of coverage, gaps, towers and communes, for planners.

    Layers (each in the layer control): communes coloured by the share of their people
    without any signal (tooltip: name, code, population, people without signal per
    operator; ``communes_of_interest`` in bold outline); best received power per operator
    and for any operator (semi-transparent images, coloured by dBm where covered); gap
    polygons with popups, one layer per operator lacking signal (coloured as the operator)
    and one where no operator has signal (the one shown at first; the others are built
    when first switched on); towers clustered, coloured by operator, shaped by technology,
    with sector wedges; a hillshade of ``terrain``. Plus legend, scale bar, full screen,
    measuring tool, a commune search box that ignores accents ("Y Ty" finds "Y Tý"),
    attribution, and a red banner when ``synthetic_inputs`` is given.

    Parameters
    ----------
    communes
        Polygons with ``name`` (and ideally ``commune_id``, ``district``, ``province``),
        any CRS; coverage columns from :func:`coverage.gaps.commune_coverage`
        (``population``, ``uncovered_population_any``, ``uncovered_population_share_any``,
        ``uncovered_population_<operator>``) colour and fill the tooltips when present.
    result
        Coverage on the working grid.
    gaps
        From :func:`coverage.gaps.gap_polygons` (any CRS), or None.
    towers
        Towers with ``site_id``, ``operator``, ``technology``, ``antenna_height_m``,
        ``eirp_dbm``, ``azimuth_deg`` (NaN: omni), ``beamwidth_deg``; default ``result.towers``.
    terrain
        Elevation for the hillshade layer, or None.
    focus_commune
        Name (loosely written) or ``commune_id``: open zoomed on it, with a summary panel.
    communes_of_interest
        Names or ids of the remote communes to outline in bold.
    synthetic_inputs
        Banner text (``"Terrain and towers are synthetic"``) or the names of synthetic
        inputs (``["terrain", "towers"]``); None or empty: no banner, unless ``terrain``
        says it is synthetic (:attr:`~coverage.terrain.Terrain.synthetic`, a DEM tagged
        ``synthetic=yes``): the banner then always names the terrain.
    offline
        Build for use without internet: the default base layer is none (the hillshade;
        OpenStreetMap and OpenTopoMap stay available as optional layers), :func:`save_map`
        writes one self-contained file by default, and the notebook display inlines
        Leaflet and its plugins. Online, OpenStreetMap is the default base layer.
    attribution
        Sources of the data, ``{"Population": "WorldPop 2020 (CC BY 4.0)", ...}`` or one
        string; the model and ``terrain.source`` are always credited.
    max_image_px
        Longest side of every embedded raster image.
    proposals
        Ranked proposed sites (a proposal list: tower columns plus ``rank``, ``kind``,
        ``people_gained``...; see :mod:`coverage.render.proposals`), or None: a layer of
        rank-labelled markers with popups.
    proposal_coverage
        Coverage of the proposed sites alone, on ``result``'s grid: adds a layer of the
        cells each site newly covers, coloured by rank.
    lang
        Language of every word on the map (layer names, legend, popups, search box, banner,
        attribution): ``"en"`` or ``"vi"`` (:mod:`coverage.i18n`). Names from the data are
        shown as written.

    Returns
    -------
    CoverageMap
        A :class:`folium.Map`; shown inline in Jupyter as :func:`save_map` writes it.

    Raises
    ------
    CRSError
        An input has no CRS.
    SchemaError
        ``communes`` has no ``name`` column.
    coverage.names.CommuneLookupError
        ``focus_commune`` or a commune of interest matches no commune.

    Examples
    --------
    >>> import pandas as pd
    >>> from affine import Affine
    >>> from shapely.geometry import box
    >>> from coverage.grid import Grid
    >>> power = np.full((1, 20, 20), -80, np.float32)
    >>> result = CoverageResult(power, np.zeros(power.shape, np.int32),
    ...     pd.DataFrame({"operator": ["Viettel"], "technology": ["4G"], "threshold_dbm": [-110]}),
    ...     np.zeros((20, 20), np.uint8),
    ...     Grid("EPSG:32648", Affine(100, 0, 400000, 0, -100, 2490000), (20, 20)),
    ...     gpd.GeoDataFrame(geometry=[], crs="EPSG:32648"))
    >>> communes = gpd.GeoDataFrame({"name": ["Y Tý"], "commune_id": ["1"]},
    ...     geometry=[box(400000, 2488000, 402000, 2490000)], crs="EPSG:32648")
    >>> m = coverage_map(communes, result, focus_commune="y ty", offline=True)
    >>> isinstance(m, folium.Map), m.offline
    (True, True)
    """
    if "name" not in communes.columns:
        raise SchemaError(
            message("errors.render.map_communes_no_name", columns=list(communes.columns))
        )
    require_crs(communes.crs, source="communes")
    t = Translator(lang)
    towers = result.towers if towers is None else towers
    operators = list(dict.fromkeys(result.layers["operator"].astype(str)))
    if towers is not None and "operator" in towers.columns:
        operators += [
            op for op in dict.fromkeys(towers["operator"].astype(str)) if op not in operators
        ]
    if proposals is not None and "operator" in proposals.columns:
        operators += [
            op for op in dict.fromkeys(proposals["operator"].astype(str)) if op not in operators
        ]
    colours = operator_colours(operators)

    west, south, east, north = communes.to_crs(WGS84).total_bounds
    m = CoverageMap(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=9,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        maxZoom=18,  # the map needs its own: with no basemap no tile layer sets one
        offline=offline,
    )
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.header.add_child(
        Verbatim(
            f"<style>{static_text('map.css')}</style>\n<script>{static_text('map.js')}</script>"
        ),
        name="phusong_assets",
    )
    folium.map.CustomPane("phusong-hillshade", z_index=250).add_to(m)
    folium.map.CustomPane("phusong-coverage", z_index=350).add_to(m)

    folium.FeatureGroup(name=t("map.basemap_none"), overlay=False, show=offline).add_to(m)
    for tiles, show in (("OpenStreetMap", not offline), ("OpenTopoMap", False)):
        folium.TileLayer(
            tiles,
            name=t("map.basemap_online", name=tiles),
            overlay=False,
            show=show,
            error_tile_url=_TRANSPARENT_PNG,
        ).add_to(m)

    if terrain is not None:
        url, bounds = hillshade_image(terrain, max_px=max_image_px)
        ImageLayer(
            url,
            bounds,
            name=t("map.hillshade"),
            opacity=0.75,
            pane="phusong-hillshade",
            show=True,
        ).add_to(m)

    dbm_colormap = None
    if len(result.layers):
        images, dbm_colormap = coverage_images(result, max_px=max_image_px)
        for label, url, bounds in images:
            any_operator = label == "any operator"
            shown = t("map.any_operator") if any_operator else label
            ImageLayer(
                url,
                bounds,
                name=_ESC(t("map.signal_layer", operator=shown)),
                opacity=0.65,
                pane="phusong-coverage",
                show=any_operator,
            ).add_to(m)

    flagged = validity_image(result, max_px=max_image_px)
    if flagged is not None:  # shown to planners rather than hidden (off by default)
        ImageLayer(
            flagged[0],
            flagged[1],
            name=t("map.validity_layer"),
            opacity=0.6,
            pane="phusong-coverage",
            show=False,
        ).add_to(m)

    interest: set[Any] = set()
    for query in communes_of_interest:
        interest.update(find_commune(communes, query).index)
    share_colours = LinearColormap(list(SHARE_COLOURS), vmin=0.0, vmax=1.0)
    communes_layer = commune_layer(communes, operators, interest, share_colours, lang=lang)
    communes_layer.add_to(m)
    if gaps is not None and len(gaps):
        require_crs(gaps.crs, source="gaps")
        for gap_layer in gap_layers(gaps, colours, result=result, lang=lang):
            gap_layer.add_to(m)
    tower_note = None
    if towers is not None and len(towers):
        require_crs(towers.crs, source="towers")
        markers, sectors = tower_layers(towers, colours, lang=lang)
        if sectors is not None:
            sectors.add_to(m)
        markers.add_to(m)
        tower_note = getattr(markers, "note", None)
        if tower_note:
            logger.warning(tower_note)
    proposal_colours = None
    if proposals is not None and len(proposals):
        extra, proposal_colours = proposal_layers(
            proposals,
            colours,
            coverage=proposal_coverage,
            existing=result,
            max_px=max_image_px,
            lang=lang,
        )
        for layer in extra:
            layer.add_to(m)

    map_js, communes_js = m.get_name(), communes_layer.get_name()
    legend = _legend_html(
        share_colours, dbm_colormap, colours, gaps is not None and len(gaps) > 0, t
    )
    if proposals is not None and len(proposals):
        legend += _proposals_legend(proposal_colours, t)
    code = [
        f"phusong.addSearch({map_js}, {communes_js}, {{labelProperty: 'name', keyProperty: '_key',"
        f" detailProperty: '_detail', placeholder: {js_literal(t('map.search_placeholder'))},"
        f" noMatch: {js_literal(t('map.search_none'))}}});",
        f"phusong.addPanel({map_js}, {js_literal(legend)},"
        " {position: 'bottomright', className: 'phusong-legend'});",
        f"{map_js}.attributionControl.addAttribution("
        f"{js_literal(_ESC(_attribution_text(attribution, result, terrain, t)))});",
    ]
    if tower_note:
        code.append(
            f"phusong.addPanel({map_js}, {js_literal(_ESC(tower_note))},"
            " {position: 'bottomleft', className: 'phusong-note'});"
        )
    banner = synthetic_note(synthetic_inputs, terrain, lang=lang)
    if banner:
        code.append(f"phusong.addBanner({map_js}, {js_literal(banner)});")
    focus_bounds = communes.to_crs(WGS84).total_bounds
    if focus_commune is not None:
        focus = find_commune(communes, focus_commune)
        focus_bounds = focus.to_crs(WGS84).total_bounds
        code.append(
            f"phusong.addPanel({map_js}, {js_literal(_summary_html(focus.iloc[0], communes, operators, t))},"
            " {position: 'bottomleft', className: 'phusong-summary'});"
        )
    Script("\n".join(code)).add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    folium.plugins.Fullscreen(position="topleft").add_to(m)
    folium.plugins.MeasureControl(
        position="topleft", primary_length_unit="kilometers", primary_area_unit="sqmeters"
    ).add_to(m)
    west, south, east, north = focus_bounds
    m.fit_bounds([[south, west], [north, east]])
    return m


def save_map(
    m: folium.Map,
    path: str | os.PathLike[str],
    *,
    offline: bool | None = None,
    overwrite: bool = False,
) -> Path:
    """Write ``m`` to one HTML file, atomically.

    Parameters
    ----------
    m
        A map from :func:`coverage_map` (or any folium map).
    path
        Output ``.html`` file.
    offline
        True: one self-contained file, every script and stylesheet inlined, nothing fetched
        from the network when opened. False: scripts linked from jsDelivr (pinned versions).
        None (default): as the map was built (:attr:`CoverageMap.offline`), else False.
    overwrite
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputExistsError
        ``path`` exists and ``overwrite`` is false.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "map.html"
    >>> _ = save_map(folium.Map(tiles=None), out, offline=True)
    >>> "<script src=\\"http" in out.read_text(encoding="utf-8")
    False
    """
    if offline is None:
        offline = m.offline if isinstance(m, CoverageMap) else False
    document = html_document(m, offline=offline)
    path = Path(path)
    with atomic_output(path, overwrite=overwrite) as tmp:
        tmp.write_text(document, encoding="utf-8")
    logger.info(
        message(
            "errors.render.log_wrote_offline_map" if offline else "errors.render.log_wrote_map",
            path=path,
            mb=f"{path.stat().st_size / 1e6:.1f}",
        )
    )
    return path
