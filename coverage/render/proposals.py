"""The proposals layer of a coverage map: proposed sites, and the coverage each adds.

:func:`proposal_layers` turns a ranked proposal list (a tower list plus the planning
columns ``rank``, ``kind``, ``host_operator``, ``host_site_id``, ``ground_m``,
``people_gained``, ``cumulative_people``, ``communes``, ``of_interest``, ``cost`` and
optionally ``backhaul_*``; every planning column may be missing) into folium layers:
one marker per site labelled with its rank (a filled circle for a new site, a white
square ringed in the operator's colour for a co-location on an existing mast), with a
popup of its figures; and, given the coverage of the proposed sites, an image of the
cells each one newly covers, coloured by the rank of the site serving them.
:func:`coverage.render.map.coverage_map` adds them with ``proposals=``.

Every piece of text from the data is HTML-escaped here (:func:`html.escape`, through
:func:`coverage.render.layers.format_number` and
:func:`~coverage.render.layers.html_table`), so a hostile site id shows as text.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from branca.colormap import LinearColormap
from folium.map import Layer
from folium.template import Template

from coverage.crs import WGS84, require_crs
from coverage.errors import GridError, SchemaError
from coverage.i18n import Translator, message
from coverage.model import CoverageResult
from coverage.render.layers import ImageLayer, format_number, html_table, js_literal
from coverage.render.raster import (
    classify,
    palette_with_transparent,
    png_data_uri,
    warp_to_web_mercator,
)

__all__ = [
    "RANK_COLOURS",
    "ProposalLayer",
    "newly_covered_rank",
    "proposal_coverage_image",
    "proposal_layers",
    "proposal_records",
]

RANK_COLOURS = ("#7f2704", "#d94801", "#fd8d3c", "#fdd0a2")
"""Colours of the coverage each proposed site adds, from rank 1 to the last rank."""

_ESC = html.escape
_MAX_RANK_CLASSES = 50


class ProposalLayer(Layer):
    """Proposed sites as rank-labelled markers (DivIcons); popups are pre-escaped HTML."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        {{ this.data_json() }}.forEach(function (p) {
            var icon = L.divIcon({className: "phusong-proposal-wrap", html: p.icon,
                                  iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -11]});
            var marker = L.marker([p.lat, p.lon], {icon: icon, title: p.title,
                                                   zIndexOffset: 1000 - p.rank});
            marker.bindPopup(p.popup, {maxWidth: 360});
            {{ this.get_name() }}.addLayer(marker);
        });
        {% endmacro %}
        """
    )

    def __init__(self, data: list[dict], *, name: str = "Proposed sites", show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "ProposalLayer"
        self.data = data

    def data_json(self) -> str:
        return js_literal(self.data)


def _lonlat(proposals: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(proposals, gpd.GeoDataFrame) and proposals.geometry.name in proposals:
        require_crs(proposals.crs, source="proposals")
        points = proposals.geometry.to_crs(WGS84)
        return points.x.to_numpy(dtype=float), points.y.to_numpy(dtype=float)
    if {"lon", "lat"} <= set(proposals.columns):
        return (
            pd.to_numeric(proposals["lon"], errors="coerce").to_numpy(dtype=float),
            pd.to_numeric(proposals["lat"], errors="coerce").to_numpy(dtype=float),
        )
    raise SchemaError(message("errors.render.proposals_no_points", columns=list(proposals.columns)))


def _ranks(proposals: pd.DataFrame) -> np.ndarray:
    if "rank" not in proposals.columns:
        return np.arange(1, len(proposals) + 1, dtype=float)
    ranks = pd.to_numeric(proposals["rank"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(ranks).all():
        bad = [str(v) for v in proposals["rank"][~np.isfinite(ranks)].head(5)]
        raise SchemaError(message("errors.render.proposals_rank", bad=bad))
    return ranks


def _is_colocation(kind: Any) -> bool:
    text = str(kind).strip().lower().replace("_", "-").replace(" ", "-")
    return text.startswith("co-loc") or text.startswith("coloc") or text == "shared"


def _text(value: Any) -> str:
    """A cell as escaped text: lists joined with commas, blanks as "–"."""
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(_ESC(str(v)) for v in value) or "–"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return _ESC(str(value))


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "có", "x")
    return bool(value) if value is not None and not pd.isna(value) else False


def _popup_rows(row: pd.Series, rank: float, t: Translator) -> list[tuple[str, str]]:
    """(escaped label, escaped value) rows of one proposed site's popup, in ``t``'s language."""
    get = row.get
    operator = _text(get("operator"))
    if _is_colocation(get("kind", "new")):
        host, mast = _text(get("host_operator")), _text(get("host_site_id"))
        kind = _ESC(t("map.colocation", operator=host, site=mast))
    else:
        kind = _ESC(t("map.new_site"))
    rows = [
        ("map.gap_rank", format_number(rank)),
        ("map.site", _text(get("site_id"))),
        ("map.operator", operator),
        ("map.kind", kind),
        ("map.ground", format_number(get("ground_m", math.nan))),
        ("map.antenna_height", format_number(get("antenna_height_m", math.nan))),
        ("map.people_gained", format_number(get("people_gained", math.nan))),
        ("map.people_cumulative", format_number(get("cumulative_people", math.nan))),
    ]
    if "communes" in row.index:
        communes = _text(get("communes"))
        interest = _truthy(get("of_interest"))
        rows.append(
            (
                "map.communes",
                _ESC(t("map.of_interest", communes=communes)) if interest else communes,
            )
        )
    if "cost" in row.index:
        rows.append(("map.cost", format_number(get("cost"))))
    if "backhaul_partner" in row.index:
        partner = get("backhaul_partner")
        kind_text = _text(get("backhaul_partner_kind"))
        hops = get("backhaul_hops", 1)
        shown = (
            _ESC(t("map.backhaul_none")) if partner is None or pd.isna(partner) else _text(partner)
        )
        if kind_text != "–" and format_number(hops) == "2":
            shown = _ESC(t("map.backhaul_via_relay", partner=shown, kind=kind_text))
        elif kind_text != "–":
            shown = f"{shown} ({kind_text})"
        rows.append(("map.backhaul", shown))
        rows.append(("map.backhaul_km", format_number(get("backhaul_distance_km", math.nan), 1)))
        rows.append(
            (
                "map.clearance",
                f"{format_number(get('backhaul_clearance_f1_k43', math.nan), 2)}, "
                f"{format_number(get('backhaul_clearance_f1_k23', math.nan), 2)}",
            )
        )
        clears = t("map.yes") if _truthy(get("backhaul_ok")) else t("map.no")
        rows.append(("map.backhaul_clears", _ESC(clears)))
    return [(_ESC(t(label)), value) for label, value in rows]


def proposal_records(
    proposals: pd.DataFrame, colours: Mapping[str, str], *, lang: str = "en"
) -> list[dict[str, Any]]:
    """One marker record per proposed site (position, icon, title, popup), by rank.

    Popup labels are in ``lang`` (:mod:`coverage.i18n`).

    Examples
    --------
    >>> table = pd.DataFrame({"rank": [1], "site_id": ["<b>P1</b>"], "operator": ["Viettel"],
    ...                       "lon": [103.6], "lat": [22.6], "kind": ["new"]})
    >>> record = proposal_records(table, {"Viettel": "#e31a1c"})[0]
    >>> record["title"], "&lt;b&gt;P1&lt;/b&gt;" in record["popup"], "<b>P1" in record["popup"]
    ('#1 <b>P1</b> (Viettel)', True, False)
    """
    t = Translator(lang)
    lon, lat = _lonlat(proposals)
    ranks = _ranks(proposals)
    records = []
    for k in np.argsort(ranks, kind="stable"):
        if not (np.isfinite(lon[k]) and np.isfinite(lat[k])):
            continue
        row = proposals.iloc[k]
        operator = str(row.get("operator", ""))
        colour = colours.get(operator, "#444444")
        label = _ESC(format_number(ranks[k]))
        if _is_colocation(row.get("kind", "new")):
            style = f"background:#ffffff;color:#222;border:3px solid {colour};border-radius:3px"
        else:
            style = f"background:{colour};color:#ffffff;border:2px solid #ffffff;border-radius:50%"
        records.append(
            {
                "lat": round(float(lat[k]), 6),
                "lon": round(float(lon[k]), 6),
                "rank": float(ranks[k]),
                "title": f"#{format_number(ranks[k])} {row.get('site_id', '')} ({operator})",
                "icon": (
                    f"<div class='phusong-proposal' style='{style};width:22px;height:22px;"
                    "box-sizing:border-box;display:flex;align-items:center;"
                    "justify-content:center;font:bold 11px sans-serif;"
                    f"box-shadow:0 0 3px #000'>{label}</div>"
                ),
                "popup": (
                    f"<div class='phusong-popup'>{html_table(_popup_rows(row, ranks[k], t))}</div>"
                ),
            }
        )
    return records


def newly_covered_rank(
    proposals: pd.DataFrame, coverage: CoverageResult, *, existing: CoverageResult | None = None
) -> np.ndarray | None:
    """float32 (rows, cols): rank of the proposed site best serving each newly covered cell.

    NaN where no proposed site adds coverage; None when none adds any. See
    :func:`proposal_coverage_image` for what "newly covered" means.

    Examples
    --------
    >>> from affine import Affine
    >>> from coverage.grid import Grid
    >>> power = np.array([[[-80.0, np.nan]]], np.float32)
    >>> coverage = CoverageResult(power, np.array([[[0, -1]]], np.int32),
    ...     pd.DataFrame({"operator": ["Viettel"], "technology": ["4G"], "threshold_dbm": [-110]}),
    ...     np.zeros((1, 2), np.uint8), Grid("EPSG:32648", Affine(100, 0, 0, 0, -100, 100), (1, 2)),
    ...     gpd.GeoDataFrame({"site_id": ["P1"]}, geometry=gpd.points_from_xy([50], [50]),
    ...                      crs="EPSG:32648"))
    >>> newly_covered_rank(pd.DataFrame({"site_id": ["P1"], "rank": [3]}), coverage).tolist()
    [[3.0, nan]]
    """
    ranks = dict(zip(proposals["site_id"].astype(str), _ranks(proposals), strict=True))
    if len(coverage.layers) == 0 or "site_id" not in coverage.towers.columns:
        return None
    site_rank = np.array(
        [ranks.get(str(s), np.nan) for s in coverage.towers["site_id"]] + [np.nan], dtype=float
    )  # the extra NaN: serving site -1
    covered = coverage.covered
    if existing is not None:
        if not existing.grid.aligned_with(coverage.grid):
            raise GridError(message("errors.render.proposals_grids_differ"))
        before = existing.operator_covered()
        anyone = existing.covered_any
        for layer, operator in enumerate(coverage.layers["operator"].astype(str)):
            covered[layer] &= ~before.get(operator, anyone)
    power = np.where(covered, coverage.best_power_dbm, -np.inf)
    best = np.argmax(power, axis=0)
    serving = np.take_along_axis(coverage.serving_site, best[None], axis=0)[0]
    rank = np.where(covered.any(axis=0), site_rank[serving], np.nan).astype(np.float32)
    return rank if np.isfinite(rank).any() else None


def proposal_coverage_image(
    proposals: pd.DataFrame,
    coverage: CoverageResult,
    *,
    existing: CoverageResult | None = None,
    max_px: int,
) -> tuple[str, Any, LinearColormap] | None:
    """The cells the proposed sites newly cover, coloured by the serving site's rank.

    A cell is new where a proposed site's layer covers it and ``existing`` coverage of
    that layer's operator does not (of any operator, for an operator ``existing`` lacks,
    such as a neutral host); it takes the rank of the proposed site serving it best.

    Parameters
    ----------
    proposals
        With ``site_id`` and ``rank``.
    coverage
        Coverage of the proposed sites alone (:func:`coverage.model.predict` of them);
        its towers' ``site_id`` link cells to proposals.
    existing
        Coverage before the plan, on the same grid, or None (everything is new).
    max_px
        Longest side of the image.

    Returns
    -------
    (data URI, bounds, colormap) or None
        None when no cell is newly covered.

    Raises
    ------
    GridError
        ``existing`` is on another grid.
    """
    rank = newly_covered_rank(proposals, coverage, existing=existing)
    if rank is None:
        return None
    new = np.isfinite(rank)
    warped, bounds = warp_to_web_mercator(
        np.stack([rank, new.astype(np.float32)]),
        transform=coverage.transform,
        crs=coverage.crs,
        max_px=max_px,
    )
    finite = rank[new]
    low, high = float(finite.min()), float(max(finite.max(), finite.min() + 1))
    colormap = LinearColormap(list(RANK_COLOURS), vmin=low, vmax=high)
    steps = int(min(_MAX_RANK_CLASSES, round(high - low) + 1))
    edge_low, edge_high = low - 0.5, high + 0.5  # one class per rank (up to 50 classes)
    centres = edge_low + (np.arange(steps) + 0.5) * (edge_high - edge_low) / steps
    lut = np.array([colormap.rgba_bytes_tuple(float(c))[:3] for c in centres], dtype=np.uint8)
    with np.errstate(invalid="ignore"):
        shown = np.where(warped[1] >= 0.5, warped[0], np.nan)
    classes = classify(shown, vmin=edge_low, vmax=edge_high, steps=steps)
    return png_data_uri(classes, palette=palette_with_transparent(lut)), bounds, colormap


def proposal_layers(
    proposals: pd.DataFrame,
    colours: Mapping[str, str],
    *,
    coverage: CoverageResult | None = None,
    existing: CoverageResult | None = None,
    max_px: int,
    lang: str = "en",
) -> tuple[list[Layer], LinearColormap | None]:
    """The proposals' layers (coverage image first, then markers) and the image's colormap.

    Layer names and popups are in ``lang`` (:mod:`coverage.i18n`).

    Examples
    --------
    >>> table = pd.DataFrame({"rank": [2, 1], "site_id": ["P2", "P1"], "lon": [103.6, 103.7],
    ...                       "lat": [22.6, 22.5], "operator": ["Viettel", "Viettel"],
    ...                       "kind": ["co-location", "new"]})
    >>> layers, colormap = proposal_layers(table, {}, max_px=64)
    >>> [layer.layer_name for layer in layers], [r["rank"] for r in layers[0].data], colormap
    (['Proposed sites'], [1.0, 2.0], None)
    """
    t = Translator(lang)
    layers: list[Layer] = []
    colormap = None
    if coverage is not None:
        image = proposal_coverage_image(proposals, coverage, existing=existing, max_px=max_px)
        if image is not None:
            url, bounds, colormap = image
            layers.append(
                ImageLayer(
                    url,
                    bounds,
                    name=t("map.proposal_coverage_layer"),
                    opacity=0.7,
                    pane="phusong-coverage",
                    show=True,
                )
            )
    records = proposal_records(proposals, colours, lang=lang)
    layers.append(ProposalLayer(records, name=t("map.proposals_layer")))
    return layers, colormap
