"""Service-quality indicators from drive-test points: measured coverage, and measured against predicted.

:func:`quality_indicators` places each measured point (:func:`coverage.read_measurements`)
in its commune and compares its received level with the run's threshold for its
technology (the thresholds of :attr:`coverage.model.CoverageResult.layers`, else
:data:`coverage.physics.receiver.DEFAULT_THRESHOLDS_DBM`). The prediction at a point is
the map's: the best received power of the point's operator and technology in the cell
holding it (no signal predicted where the operator has no site of that technology in
reach). Per operator and commune it gives the points, the share at or above the
threshold, and, where the point is on the grid, the mean error and RMSE of predicted
minus measured level (:func:`coverage.measured_error.error_statistics`) and the share
of points where prediction and measurement agree on covered or not covered.

Points outside every commune, without a received level (a file of path losses only) or
of a technology without a threshold are not in the table: they are counted apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.analysis import Analysis
from coverage.crs import WGS84
from coverage.measured_error import error_statistics
from coverage.physics.receiver import DEFAULT_THRESHOLDS_DBM

ALL_COMMUNES = ""
"""``name`` of the rows that count an operator's points in every commune together."""
QUALITY_COLUMNS = (
    "operator",
    "name",
    "points",
    "at_or_above",
    "share_at_or_above",
    "compared",
    "mean_error_db",
    "rmse_db",
    "agree_share",
)


@dataclass(frozen=True, eq=False)
class QualityIndicators:
    """The indicators of one set of measurements.

    Attributes
    ----------
    table
        :data:`QUALITY_COLUMNS`, one row per operator and commune, then one per operator
        for all its communes (``name`` is :data:`ALL_COMMUNES`). ``compared`` counts the
        points on the coverage grid (the error and agreement columns are over them).
    points
        Points in the file (after :func:`coverage.read_measurements` dropped unusable rows).
    outside
        Points in no commune.
    no_level
        Points in a commune without a received level.
    no_threshold
        Points in a commune, with a level, of a technology with no threshold (``unknown``).
        ``points`` = the table's points for all communes + ``outside`` + ``no_level`` +
        ``no_threshold``.
    thresholds
        The threshold used per technology, dBm.
    dropped
        Rows of the file the reader dropped (no position, no level, an implausible level),
        by reason (``measurements.attrs["dropped"]``).
    """

    table: pd.DataFrame
    points: int
    outside: int
    no_level: int
    no_threshold: int
    thresholds: dict[str, float]
    dropped: dict[str, int]


def _thresholds(analysis: Analysis) -> dict[str, float]:
    layers = analysis.result.layers
    return {
        **DEFAULT_THRESHOLDS_DBM,
        **dict(
            zip(
                layers["technology"].astype(str), layers["threshold_dbm"].astype(float), strict=True
            )
        ),
    }


def _communes_of(points: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> np.ndarray:
    """Name of the commune holding each point ('' for none; the first listed where they overlap)."""
    zones = communes[["geometry"]].to_crs(WGS84).reset_index(drop=True)
    located = gpd.sjoin(
        gpd.GeoDataFrame(geometry=points.geometry.to_crs(WGS84).to_numpy(), crs=WGS84),
        zones,
        how="left",
        predicate="within",
    )
    first = located[~located.index.duplicated(keep="first")].sort_index()
    names = communes["name"].astype(str).to_numpy()
    position = first["index_right"].to_numpy(dtype=float)
    return np.array([names[int(p)] if math.isfinite(p) else "" for p in position], dtype=object)


def _predicted(analysis: Analysis, points: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Predicted level at each point (NaN: no signal) and whether the point is on the grid."""
    result = analysis.result
    xy = points.geometry.to_crs(result.crs)
    x, y = xy.x.to_numpy(), xy.y.to_numpy()
    on_grid = np.asarray(result.grid.contains(x, y), dtype=bool)
    predicted = np.full(len(points), np.nan)
    fractional = result.grid.rowcol(x[on_grid], y[on_grid])
    rows, cols = (
        np.clip(np.floor(v + 0.5).astype(np.int64), 0, n - 1)
        for v, n in zip(fractional, result.shape, strict=True)
    )
    where = np.flatnonzero(on_grid)
    layer_of = {
        (str(op), str(tech)): i
        for i, (op, tech) in enumerate(
            zip(result.layers["operator"], result.layers["technology"], strict=True)
        )
    }
    keys = list(zip(points["operator"].astype(str), points["technology"].astype(str), strict=True))
    for i, r, c in zip(where, rows, cols, strict=True):
        layer = layer_of.get(keys[i])
        if layer is not None:
            predicted[i] = float(result.best_power_dbm[layer, r, c])
    return predicted, on_grid


def _row(operator: str, name: str, group: pd.DataFrame) -> dict[str, object]:
    on = group[group["on_grid"]]
    reached = on[np.isfinite(on["predicted"])]
    stats = error_statistics(
        (reached["predicted"] - reached["level"]).to_numpy(float),
        reached["predicted"].to_numpy(float),
        reached["level"].to_numpy(float),
    )
    above = int(group["measured_covered"].sum())
    return {
        "operator": operator,
        "name": name,
        "points": len(group),
        "at_or_above": above,
        "share_at_or_above": above / len(group),
        "compared": len(on),
        "mean_error_db": stats["mean_error_db"],
        "rmse_db": stats["rmse_db"],
        "agree_share": float(
            (on["measured_covered"] == on["predicted_covered"]).mean() if len(on) else math.nan
        ),
    }


def quality_indicators(analysis: Analysis, measurements: gpd.GeoDataFrame) -> QualityIndicators:
    """Per operator and commune: measured coverage and measured against predicted.

    Parameters
    ----------
    analysis
        The run the report is made of: its communes, thresholds and predicted levels.
    measurements
        Drive-test points (:func:`coverage.read_measurements`), any CRS.
    """
    thresholds = _thresholds(analysis)
    level = pd.to_numeric(measurements["level_dbm"], errors="coerce").to_numpy(float)
    threshold = np.array(
        [thresholds.get(str(t), math.nan) for t in measurements["technology"]], dtype=float
    )
    has_level = np.isfinite(level)
    has_threshold = np.isfinite(threshold)
    names = _communes_of(measurements, analysis.communes)
    inside = names != ""
    usable = has_level & has_threshold & inside
    predicted, on_grid = _predicted(analysis, measurements)
    with np.errstate(invalid="ignore"):
        frame = pd.DataFrame(
            {
                "operator": measurements["operator"].astype(str).to_numpy(),
                "name": names,
                "level": level,
                "predicted": predicted,
                "on_grid": on_grid,
                "measured_covered": level >= threshold,
                "predicted_covered": predicted >= threshold,
            }
        )[usable]
    rows = [
        _row(op, name, group)
        for (op, name), group in frame.groupby(["operator", "name"], sort=True)
    ]
    rows += [_row(op, ALL_COMMUNES, group) for op, group in frame.groupby("operator", sort=True)]
    return QualityIndicators(
        table=pd.DataFrame(rows, columns=list(QUALITY_COLUMNS)),
        points=len(measurements),
        outside=int((~inside).sum()),
        no_level=int((inside & ~has_level).sum()),
        no_threshold=int((inside & has_level & ~has_threshold).sum()),
        dropped={
            str(reason): len(rows)
            for reason, rows in measurements.attrs.get("dropped", {}).items()
            if len(rows)
        },
        thresholds={
            t: thresholds[t]
            for t in sorted(set(measurements["technology"].astype(str)))
            if t in thresholds
        },
    )
