"""Static maps and charts of the report, drawn with matplotlib and inlined as PNG data URIs.

No pyplot: each figure is a :class:`matplotlib.figure.Figure` of its own (no global state,
no display backend), rendered to PNG bytes in memory.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from coverage.analysis import Analysis

Translate = Callable[..., str]


def data_uri(figure: Figure) -> str:
    """The figure as a ``data:image/png;base64,...`` URI (no file, no network).

    Examples
    --------
    >>> figure = Figure(figsize=(1, 1))
    >>> data_uri(figure)[:22]
    'data:image/png;base64,'
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _map_axes(figure: Figure) -> Any:
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_aspect("equal")
    return axes


def uncovered_share_map(communes: gpd.GeoDataFrame, shares: pd.Series, t: Translate) -> str:
    """Communes coloured by the share of their people without signal from any operator (0-1)."""
    figure = Figure(figsize=(7, 6))
    axes = _map_axes(figure)
    frame = communes[["geometry"]].copy()
    frame["uncovered"] = shares.to_numpy(dtype=float)
    frame.plot(
        ax=axes,
        column="uncovered",
        cmap="OrRd",
        vmin=0.0,
        vmax=1.0,
        edgecolor="#555555",
        linewidth=0.3,
        legend=True,
        legend_kwds={"shrink": 0.6, "label": t("col.uncovered_share") + " (0-1)"},
        missing_kwds={"color": "#dddddd"},
    )
    axes.set_title(t("maps.uncovered_share"))
    return data_uri(figure)


def _coverage_axes(analysis: Analysis, t: Translate) -> tuple[Figure, Any, list[Patch]]:
    """Where any operator's signal reaches, with the commune outlines, in the working CRS."""
    result = analysis.result
    figure = Figure(figsize=(7, 6))
    axes = _map_axes(figure)
    left, bottom, right, top = result.grid.bounds
    axes.imshow(
        result.covered_any.astype(np.uint8),
        extent=(left, right, bottom, top),
        cmap=ListedColormap(["#f2f2f2", "#2b8cbe"]),
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    analysis.communes.to_crs(result.crs).boundary.plot(ax=axes, color="#333333", linewidth=0.3)
    axes.set_xlim(left, right)
    axes.set_ylim(bottom, top)
    handles = [
        Patch(color="#2b8cbe", label=t("maps.covered")),
        Patch(color="#f2f2f2", label=t("maps.not_covered")),
    ]
    return figure, axes, handles


def coverage_map(analysis: Analysis, t: Translate) -> str:
    """Where any operator's signal reaches, with the commune outlines, in the working CRS."""
    figure, axes, handles = _coverage_axes(analysis, t)
    axes.legend(handles=handles, loc="lower left", fontsize=8)
    axes.set_title(t("maps.coverage"))
    return data_uri(figure)


def proposals_map(
    analysis: Analysis, sites: gpd.GeoDataFrame, labels: pd.Series, t: Translate
) -> str:
    """Proposed sites (points, any CRS) over today's coverage, one colour per ``labels`` value."""
    figure, axes, handles = _coverage_axes(analysis, t)
    points = sites.geometry.to_crs(analysis.result.crs)
    colours = ("#d94801", "#6a3d9a", "#1b7837", "#b2182b", "#8c510a", "#01665e")
    for i, label in enumerate(dict.fromkeys(labels.astype(str))):
        where = (labels.astype(str) == label).to_numpy()
        colour = colours[i % len(colours)]
        axes.scatter(
            points.x.to_numpy()[where],
            points.y.to_numpy()[where],
            s=36,
            marker="^",
            color=colour,
            edgecolor="black",
            linewidth=0.5,
            zorder=3,
        )
        handles.append(Patch(color=colour, label=label))
    axes.legend(handles=handles, loc="lower left", fontsize=8)
    axes.set_title(t("plan.map"))
    return data_uri(figure)


def operator_chart(shares: pd.Series, t: Translate) -> str:
    """Bars: share of people covered (0-1) per operator, labelled by the series' index."""
    figure = Figure(figsize=(7, 0.5 + 0.45 * max(len(shares), 1)))
    axes = figure.add_subplot()
    labels = [str(label) for label in shares.index]
    values = shares.to_numpy(dtype=float) * 100
    bars = axes.barh(labels, values, color="#2b8cbe")
    axes.bar_label(bars, labels=[f"{v:.1f} %" for v in values], padding=3, fontsize=8)
    axes.set_xlim(0, 110)
    axes.invert_yaxis()
    axes.set_xlabel(t("col.covered_share") + " (%)")
    axes.set_title(t("chart.operator_share"))
    return data_uri(figure)
