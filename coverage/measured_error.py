"""How wrong is the model? Drive-test points against the coverage engine's own prediction.

Each measured point is matched to its serving site: by cell identity (the measurement's
``site_id`` equal to a tower's) when the file gives one, otherwise the site of the point's
operator and technology with the strongest predicted signal. The prediction at the point
is the one coverage maps are made of: :func:`coverage.model.site_path_loss` over the
terrain (the site's window, read at the point's cell) plus the sector antenna pattern of
:func:`coverage.model.site_received_power`, so a residual here is a residual of the map.

Signs: ``residual_db = predicted_loss_db - measured_loss_db`` (positive: the model
predicts too much loss, i.e. too little signal). A measured level is turned into a loss
with the site's EIRP converted as the engine converts it
(:func:`coverage.physics.receiver.measured_power_dbm`).

Without a DEM the ground is taken as flat, at the median measured ground elevation
(``ground_m``; 0 m when the file gives none): ``report.flat_terrain`` says so.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine

from coverage.crs import transform_xy, working_crs_for_bounds
from coverage.errors import SchemaError
from coverage.i18n import message, term
from coverage.io.files import atomic_output
from coverage.model import (
    MODELS,
    LossCorrection,
    calibration_correction_db,
    sector_gain_db,
    site_path_loss,
)
from coverage.physics.receiver import measured_power_dbm
from coverage.settings import EARTH_RADIUS_M, K_FACTOR, RADIUS_M, RX_HEIGHT_M
from coverage.terrain import Terrain

__all__ = [
    "DISTANCE_BANDS_KM",
    "AccuracyReport",
    "accuracy",
    "error_statistics",
    "matched_points",
]

DISTANCE_BANDS_KM = (0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, math.inf)
"""Edges of the distance bands of the error table, km."""

_UNKNOWN = "unknown"
_PROFILE_SAMPLES = 64


def _flat_terrain(points_xy: np.ndarray, sites_xy: np.ndarray, reach_m: float, crs: Any,
                  ground_m: float) -> Terrain:  # fmt: skip
    """A flat grid at ``ground_m`` covering every point and every site's reach."""
    xy = np.vstack([points_xy, sites_xy])
    left, bottom = xy.min(axis=0) - reach_m
    right, top = xy.max(axis=0) + reach_m
    cell = float(np.clip(max(right - left, top - bottom) / 500.0, 10.0, 100.0))
    cols = int(math.ceil((right - left) / cell)) + 1
    rows = int(math.ceil((top - bottom) / cell)) + 1
    return Terrain.from_array(
        np.full((rows, cols), ground_m, dtype=np.float32),
        transform=Affine(cell, 0, left, 0, -cell, top),
        crs=crs,
        source=f"flat ground at {ground_m:g} m (no DEM: the median measured ground elevation)",
    )


def _clearance_m(terrain: Terrain, sx: float, sy: float, tx_top_m: float, px: np.ndarray,
                 py: np.ndarray, rx_height_m: float, k_factor: float) -> np.ndarray:  # fmt: skip
    """Least height of the straight ray above the terrain and earth bulge between site and point, m."""
    t = np.linspace(0.0, 1.0, _PROFILE_SAMPLES)[1:-1]
    xs = sx + (px[:, None] - sx) * t
    ys = sy + (py[:, None] - sy) * t
    ground = terrain.sample(xs, ys)
    rx_top = np.asarray(terrain.sample(px, py), dtype=float) + rx_height_m
    distance = np.hypot(px - sx, py - sy)[:, None]
    ray = tx_top_m + (rx_top[:, None] - tx_top_m) * t
    bulge = (t * distance) * ((1 - t) * distance) / (2 * k_factor * EARTH_RADIUS_M)
    return np.asarray(np.nanmin(ray - ground - bulge, axis=1))


def _candidates(points: gpd.GeoDataFrame, towers: gpd.GeoDataFrame, distance: np.ndarray,
                max_distance_m: float, labels: list[str], source: str) -> np.ndarray:  # fmt: skip
    """bool (points, sites): the sites each point may be served by."""
    site_ids = towers["site_id"].astype(str).to_numpy()
    identity = points["site_id"].to_numpy()
    named = np.array([v is not None and v == v for v in identity])
    unknown_ids = [i for i in np.flatnonzero(named) if str(identity[i]) not in set(site_ids)]
    if unknown_ids:
        shown = ", ".join(f"{labels[i]} ({identity[i]})" for i in unknown_ids[:10])
        raise SchemaError(
            message(
                "errors.measured.unknown_cells", source=source, count=len(unknown_ids), shown=shown
            )
        )
    by_identity = identity[:, None].astype(str) == site_ids[None, :]
    op, tech = points["operator"].to_numpy(), points["technology"].to_numpy()
    same_op = (op[:, None] == _UNKNOWN) | (op[:, None] == towers["operator"].to_numpy()[None, :])
    same_tech = (tech[:, None] == _UNKNOWN) | (
        tech[:, None] == towers["technology"].to_numpy()[None, :]
    )
    allowed = np.where(named[:, None], by_identity, same_op & same_tech)
    allowed &= distance <= max_distance_m
    lonely = np.flatnonzero(~allowed.any(axis=1))
    if len(lonely):
        shown = ", ".join(labels[i] for i in lonely[:10])
        raise SchemaError(
            message(
                "errors.measured.no_site_near",
                source=source,
                count=len(lonely),
                km=f"{max_distance_m / 1000:g}",
                shown=shown,
            )
        )
    return allowed


def matched_points(
    measurements: gpd.GeoDataFrame,
    towers: gpd.GeoDataFrame,
    terrain: Terrain | None = None,
    *,
    model: str = "diffraction",
    rx_height_m: float = RX_HEIGHT_M,
    k_factor: float = K_FACTOR,
    environment: str = "urban",
    calibration: LossCorrection | None = None,
    max_distance_m: float = RADIUS_M,
    antenna_pattern: bool = True,
) -> pd.DataFrame:
    """Every measured point with its serving site, the measured and the predicted loss.

    Parameters
    ----------
    measurements
        :func:`coverage.read_measurements`.
    towers
        :func:`coverage.read_towers` (or :func:`coverage.io.measurements.measurement_sites`).
    terrain
        Elevation on a metric grid covering points and sites; None: flat ground at the
        median measured elevation.
    model
        One of :data:`coverage.model.MODELS`.
    rx_height_m, k_factor, environment
        As :func:`coverage.model.predict` (``environment`` is Hata's; drive tests are
        mostly urban).
    calibration
        Added to the predicted loss by model, operator and technology.
    max_distance_m
        Points farther than this from every site they may be served by raise.
    antenna_pattern
        Whether the measured loss includes the sector antenna pattern (``level = EIRP -
        loss``, the default); False when it is path loss between isotropic antennas (the
        pattern already taken out), so that the prediction leaves the pattern out too.
        Serving sites are still chosen with the pattern.

    Returns
    -------
    pandas.DataFrame
        One row per point, on the measurements' index: ``row``, ``site_id``,
        ``operator``, ``technology``, ``model``, ``distance_m``, ``clearance_m``,
        ``measured_loss_db``, ``predicted_loss_db``, ``residual_db``, ``lon``, ``lat``,
        ``x``, ``y`` (working CRS, ``attrs["crs"]``); ``attrs["flat_terrain"]``.
    """
    if model not in MODELS:
        raise ValueError(
            message("errors.model.unknown_model", model=repr(model), choices=sorted(MODELS))
        )
    source = str(measurements.attrs.get("source", term("measurements")))
    labels = list(
        measurements.attrs.get(
            "row_labels", [message("errors.label_point", point=i) for i in measurements.index]
        )
    )
    crs = terrain.crs if terrain is not None else working_crs_for_bounds(
        tuple(measurements.total_bounds), measurements.crs
    )  # fmt: skip
    local = measurements.to_crs(crs)
    px, py = local.geometry.x.to_numpy(), local.geometry.y.to_numpy()
    sites = towers.to_crs(crs).reset_index(drop=True)
    sx, sy = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    distance = np.hypot(px[:, None] - sx[None, :], py[:, None] - sy[None, :])
    allowed = _candidates(measurements, sites, distance, max_distance_m, labels, source)
    flat = terrain is None
    if terrain is None:
        ground = measurements["ground_m"].to_numpy(float)
        level = float(np.nanmedian(ground)) if np.isfinite(ground).any() else 0.0
        reach = float(np.where(allowed, distance, 0).max()) + 100.0
        terrain = _flat_terrain(np.c_[px, py], np.c_[sx, sy], reach, crs, level)
    n, m = allowed.shape
    loss = np.full((n, m), np.nan)
    clearance = np.full((n, m), np.nan)
    gain = np.zeros((n, m))
    rows, cols = (np.rint(v).astype(np.int64) for v in terrain.rowcol(px, py))
    for j in np.flatnonzero(allowed.any(axis=0)):
        site = sites.iloc[j]
        mine = np.flatnonzero(allowed[:, j])
        radius = float(distance[mine, j].max()) + 2.0 * terrain.resolution_m
        window = site_path_loss(
            terrain, float(sx[j]), float(sy[j]), tx_height_m=float(site.antenna_height_m),
            rx_height_m=rx_height_m, frequency_mhz=float(site.frequency_mhz), radius_m=radius,
            model=model, k_factor=k_factor, environment=environment,
        )  # fmt: skip
        r, c = rows[mine] - window.row0, cols[mine] - window.col0
        ok = (r >= 0) & (r < window.shape[0]) & (c >= 0) & (c < window.shape[1])
        r, c, mine = r[ok], c[ok], mine[ok]
        path = window.loss_db[r, c].astype(float)
        gain[mine, j] = _antenna_gain_db(site, window.azimuth_deg[r, c], window.elevation_deg[r, c])
        loss[mine, j] = path - (gain[mine, j] if antenna_pattern else 0.0)
        if calibration is not None:
            offset, slope = calibration.loss_terms(model, str(site.operator), str(site.technology))
            loss[mine, j] += calibration_correction_db(distance[mine, j], offset, slope)
        top = float(terrain.sample(sx[j], sy[j])) + float(site.antenna_height_m)
        clearance[mine, j] = _clearance_m(terrain, sx[j], sy[j], top, px[mine], py[mine],
                                          rx_height_m, k_factor)  # fmt: skip
    eirp = sites["eirp_dbm"].to_numpy(float)
    with_pattern = loss + (0.0 if antenna_pattern else -gain)
    strength = np.where(np.isfinite(loss), eirp[None, :] - with_pattern, -np.inf)
    unpredicted = np.flatnonzero(~np.isfinite(strength).any(axis=1))
    if len(unpredicted):
        shown = ", ".join(labels[i] for i in unpredicted[:10])
        raise SchemaError(
            message(
                "errors.measured.no_prediction",
                source=source,
                model=model,
                count=len(unpredicted),
                shown=shown,
            )
        )
    serving = np.argmax(strength, axis=1)
    at = np.arange(n)
    chosen = sites.iloc[serving]
    measured = measurements["loss_db"].to_numpy(float).copy()
    from_level = ~np.isfinite(measured)
    if from_level.any():
        power = np.array([
            float(measured_power_dbm(e, t)) for e, t in zip(chosen.eirp_dbm, chosen.technology,
                                                            strict=True)
        ])  # fmt: skip
        measured[from_level] = (
            power[from_level] - measurements["level_dbm"].to_numpy(float)[from_level]
        )
    predicted = loss[at, serving]
    lon, lat = transform_xy(crs, "EPSG:4326", px, py)
    frame = pd.DataFrame(
        {
            "row": labels,
            "site_id": chosen["site_id"].astype(str).to_numpy(),
            "operator": chosen["operator"].astype(str).to_numpy(),
            "technology": chosen["technology"].astype(str).to_numpy(),
            "model": model,
            "distance_m": distance[at, serving],
            "clearance_m": clearance[at, serving],
            "measured_loss_db": measured,
            "predicted_loss_db": predicted,
            "residual_db": predicted - measured,
            "lon": lon,
            "lat": lat,
            "x": px,
            "y": py,
        },
        index=measurements.index,
    )
    frame.attrs.update(crs=str(crs), flat_terrain=flat, terrain=terrain.source,
                       antenna_pattern=antenna_pattern)  # fmt: skip
    return frame


def _antenna_gain_db(site: Any, azimuth_deg: np.ndarray, elevation_deg: np.ndarray) -> np.ndarray:
    """The sector pattern :func:`coverage.model.site_received_power` applies, dB."""
    return np.asarray(
        sector_gain_db(
            float(getattr(site, "azimuth_deg", math.nan)),
            float(getattr(site, "beamwidth_deg", math.nan)),
            float(getattr(site, "tilt_deg", math.nan)),
            azimuth_deg,
            elevation_deg,
        ),
        dtype=float,
    )


def error_statistics(residual_db: np.ndarray, predicted_db: np.ndarray,
                     measured_db: np.ndarray) -> dict[str, float]:  # fmt: skip
    """n, mean error, RMSE, standard deviation and correlation of predicted vs measured.

    Examples
    --------
    >>> stats = error_statistics(np.array([1.0, -1.0]), np.array([101.0, 109.0]),
    ...                          np.array([100.0, 110.0]))
    >>> stats["mean_error_db"], stats["rmse_db"], round(stats["correlation"], 6)
    (0.0, 1.0, 1.0)
    """
    n = len(residual_db)
    correlation = (
        float(np.corrcoef(predicted_db, measured_db)[0, 1])
        if n > 1 and np.std(predicted_db) > 0 and np.std(measured_db) > 0
        else math.nan
    )
    return {
        "n": n,
        "mean_error_db": float(np.mean(residual_db)) if n else math.nan,
        "rmse_db": float(np.sqrt(np.mean(residual_db**2))) if n else math.nan,
        "std_db": float(np.std(residual_db)) if n else math.nan,
        "correlation": correlation,
    }


@dataclass(frozen=True, eq=False)
class AccuracyReport:
    """The matched points of every model, their error table and the models' ranking.

    Attributes
    ----------
    points
        :func:`matched_points` of each model, stacked (column ``model``).
    flat_terrain
        True when no DEM was given (flat ground at the measured elevations).
    """

    points: pd.DataFrame
    flat_terrain: bool

    def table(self, by: Sequence[str] = ("model", "operator", "technology", "distance_band")
              ) -> pd.DataFrame:  # fmt: skip
        """Error statistics (:func:`error_statistics`) per group; ``distance_band`` in km."""
        points = self.points.assign(
            distance_band=pd.cut(
                self.points["distance_m"] / 1000.0, DISTANCE_BANDS_KM, right=False
            ).astype(str)  # fmt: skip
        )
        rows = []
        for key, group in points.groupby(list(by), sort=True):
            keys = key if isinstance(key, tuple) else (key,)
            rows.append({
                **dict(zip(by, keys, strict=True)),
                **error_statistics(group["residual_db"].to_numpy(),
                                   group["predicted_loss_db"].to_numpy(),
                                   group["measured_loss_db"].to_numpy()),
            })  # fmt: skip
        return pd.DataFrame(rows)

    def ranking(self) -> pd.DataFrame:
        """One row per model, best (lowest RMSE) first, with its ``rank``."""
        table = self.table(by=("model",)).sort_values("rmse_db", ignore_index=True)
        table.insert(0, "rank", range(1, len(table) + 1))
        return table

    def to_csv(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write every matched point (all models) as a UTF-8 CSV, atomically."""
        with atomic_output(Path(path), overwrite=overwrite) as tmp:
            self.points.to_csv(tmp, index=False, encoding="utf-8-sig")
        return Path(path)

    def plot(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """PNG of the residual against distance and against terrain clearance, per model."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        models = list(dict.fromkeys(self.points["model"]))
        figure, axes = plt.subplots(len(models), 2, figsize=(10, 3.2 * len(models)),
                                    squeeze=False)  # fmt: skip
        for row, model in enumerate(models):
            points = self.points[self.points["model"] == model]
            for col, (column, label, log) in enumerate((
                ("distance_m", "distance to the serving site, m", True),
                ("clearance_m", "terrain clearance of the direct ray, m", False),
            )):  # fmt: skip
                ax = axes[row, col]
                ax.scatter(points[column], points["residual_db"], s=3, alpha=0.3)
                ax.axhline(0.0, color="black", linewidth=0.8)
                ax.set_xscale("log" if log else "linear")
                ax.set_xlabel(label)
                ax.set_ylabel(f"{model}: predicted - measured, dB")
        flat = " (no DEM: flat ground at the measured elevations)" if self.flat_terrain else ""
        figure.suptitle(f"Residual of the predicted path loss{flat}")
        figure.tight_layout()
        with atomic_output(Path(path), overwrite=overwrite) as tmp:
            figure.savefig(tmp, format="png", dpi=110)
        plt.close(figure)
        return Path(path)


def accuracy(
    measurements: gpd.GeoDataFrame,
    towers: gpd.GeoDataFrame,
    terrain: Terrain | None = None,
    *,
    models: Sequence[str] = MODELS,
    calibration: LossCorrection | None = None,
    **options: Any,
) -> AccuracyReport:
    """The models' error against drive-test measurements, one :class:`AccuracyReport`.

    Parameters
    ----------
    measurements, towers, terrain
        As :func:`matched_points`.
    models
        Models to compare (default every model of :data:`coverage.model.MODELS`).
    calibration
        Applied to every model it covers; a calibration of another model raises
        :class:`~coverage.errors.CalibrationError` naming its file.
    **options
        Passed to :func:`matched_points` (``rx_height_m``, ``environment``...).

    Returns
    -------
    AccuracyReport

    Examples
    --------
    >>> from coverage.io.measurements import measurements_from_frame
    >>> from coverage.io.towers import towers_from_frame
    >>> towers = towers_from_frame(pd.DataFrame({"site_id": ["A"], "lon": [103.9],
    ...     "lat": [22.5], "operator": ["Viettel"], "tilt_deg": [0], "technology": ["4G"], "frequency_mhz": [1800], "eirp_dbm": [60],
    ...     "antenna_height_m": [30], "beamwidth_deg": [360]}))
    >>> points = measurements_from_frame(pd.DataFrame({"lon": [103.91, 103.92],
    ...     "lat": [22.5, 22.5], "site_id": ["A", "A"], "loss_db": [110.0, 117.0]}))
    >>> report = accuracy(points, towers, models=["fspl"])
    >>> report.ranking()[["rank", "model", "n"]].values.tolist()
    [[1, 'fspl', 2]]
    """
    frames = [
        matched_points(
            measurements, towers, terrain, model=model, calibration=calibration, **options
        )  # fmt: skip
        for model in models
    ]
    points = pd.concat(frames, ignore_index=True)
    return AccuracyReport(points=points, flat_terrain=bool(frames[0].attrs["flat_terrain"]))
