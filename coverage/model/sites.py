"""One site's received power: its radio, antenna pattern, calibration terms and layers.

:func:`site_received_power` is the pure per-site task that :func:`coverage.model.predict`
runs for each tower (and :mod:`coverage.planning.matrix` for each candidate).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.errors import CRSError, SchemaError
from coverage.i18n import message
from coverage.io.towers import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from coverage.model.dispatch import _path_loss
from coverage.physics.antenna import antenna_gain_db
from coverage.physics.itm.environment import ItmEnvironment
from coverage.physics.receiver import DEFAULT_THRESHOLDS_DBM, measured_power_dbm
from coverage.terrain import Terrain, check_points_on_terrain

__all__ = [
    "CALIBRATION_MIN_DISTANCE_M",
    "SECTOR_FRONT_TO_BACK_DB",
    "SECTOR_SIDELOBE_DB",
    "SECTOR_VERTICAL_BEAMWIDTH_DEG",
    "LossCorrection",
    "SiteRadio",
    "calibration_correction_db",
    "calibration_label",
    "coverage_layers",
    "sector_gain_db",
    "site_received_power",
]


class LossCorrection(Protocol):
    """A calibration of path loss (:class:`coverage.calibration.Calibration`).

    ``loss_terms`` gives, for a site's operator and technology, ``(offset_db,
    slope_db_per_decade)`` of :func:`calibration_correction_db`, and raises
    :class:`~coverage.errors.CalibrationError` naming its file when made for another model.
    """

    source: str

    def loss_terms(self, model: str, operator: str, technology: str) -> tuple[float, float]: ...


def calibration_label(calibration: LossCorrection | None) -> str | None:
    """What outputs record of a calibration: its ``describe()`` line (file name, terms), or None."""
    if calibration is None:
        return None
    describe = getattr(calibration, "describe", None)
    return str(describe()) if callable(describe) else calibration.source


CALIBRATION_MIN_DISTANCE_M = 10.0
"""Distance below which a calibration's log-distance term is held constant, m."""


def calibration_correction_db(
    distance_m: np.ndarray | float, offset_db: float, slope_db_per_decade: float
) -> np.ndarray:
    """Loss added by a calibration: ``offset + slope log10(d / 1 km)``, dB.

    Examples
    --------
    >>> calibration_correction_db(np.array([1000.0, 10_000.0]), -3.0, 10.0).tolist()
    [-3.0, 7.0]
    """
    distance = np.maximum(np.asarray(distance_m, dtype=float), CALIBRATION_MIN_DISTANCE_M)
    return np.asarray(offset_db + slope_db_per_decade * np.log10(distance / 1000.0))


SECTOR_VERTICAL_BEAMWIDTH_DEG = 10.0
SECTOR_FRONT_TO_BACK_DB = 25.0
SECTOR_SIDELOBE_DB = 20.0
"""3GPP TR 36.814 Table A.2.1.1-2 macro sector pattern: theta_3dB 10°, A_m 25 dB, SLA_v 20 dB."""


@dataclass(frozen=True)
class SiteRadio:
    """One tower's inputs to :func:`site_received_power` (plain values: cheap to ship to Dask)."""

    index: int
    site_id: str
    layer: int
    x: float
    y: float
    technology: str
    frequency_mhz: float
    antenna_height_m: float
    eirp_dbm: float
    azimuth_deg: float
    beamwidth_deg: float
    tilt_deg: float
    loss_offset_db: float = 0.0
    loss_slope_db_per_decade: float = 0.0


def sector_gain_db(
    azimuth_deg: float,
    beamwidth_deg: float,
    tilt_deg: float,
    bearing_deg: np.ndarray,
    elevation_deg: np.ndarray,
) -> np.ndarray:
    """Gain (dB, <= 0) of a site's antenna towards receivers at ``bearing_deg`` (degrees
    from grid north) and ``elevation_deg`` (above the horizontal, from the antenna).

    The 3GPP TR 36.814 macro sector (:func:`coverage.physics.antenna.antenna_gain_db`
    with :data:`SECTOR_FRONT_TO_BACK_DB` and :data:`SECTOR_SIDELOBE_DB`): omnidirectional
    in azimuth when ``azimuth_deg`` or ``beamwidth_deg`` is NaN, without a vertical
    pattern when ``tilt_deg`` is NaN.

    Examples
    --------
    >>> abs(float(sector_gain_db(90.0, 65.0, 0.0, np.array(90.0), np.array(0.0))))  # boresight
    0.0
    >>> round(float(sector_gain_db(90.0, 65.0, 0.0, np.array(270.0), np.array(0.0))), 1)
    -25.0
    """
    sector = np.isfinite(azimuth_deg) and np.isfinite(beamwidth_deg)
    tilted = np.isfinite(tilt_deg)
    if not (sector or tilted):
        # omnidirectional without a vertical pattern: antenna_gain_db is 0 dB wherever
        # both angles are numbers (a test checks it equals the full pattern)
        unknown = np.isnan(bearing_deg) | np.isnan(elevation_deg) | np.isinf(bearing_deg)
        return np.where(unknown, np.nan, 0.0)
    return antenna_gain_db(
        bearing_deg - (azimuth_deg if sector else 0.0),
        elevation_deg + (tilt_deg if tilted else 0.0),
        beamwidth_deg if sector else np.nan,
        SECTOR_VERTICAL_BEAMWIDTH_DEG if tilted else np.nan,
        SECTOR_FRONT_TO_BACK_DB,
        SECTOR_SIDELOBE_DB,
    )


def site_received_power(
    terrain: Terrain,
    site: SiteRadio,
    *,
    model: str,
    radius_m: float,
    rx_height_m: float,
    k_factor: float,
    environment: str,
    clutter_loss_db: float,
    eirp_is: str,
    itm: ItmEnvironment | None = None,
) -> tuple[int, int, np.ndarray, np.ndarray, bool]:
    """Received power (dBm of the technology's measured quantity) in one site's window.

    A pure task: terrain and one site in, ``(row0, col0, power_dbm, validity,
    truncated)`` out, so that :func:`predict` can run sites anywhere (threads, processes,
    a Dask cluster). It warns about nothing: ``truncated`` says whether the radius
    reached past the DEM, and :func:`predict` reports it once.
    """
    loss = _path_loss(
        terrain, site.x, site.y, model=model, environment=environment,
        tx_height_m=site.antenna_height_m, rx_height_m=rx_height_m,
        frequency_mhz=site.frequency_mhz, radius_m=radius_m, k_factor=k_factor, itm=itm,
    )  # fmt: skip
    gain = sector_gain_db(
        site.azimuth_deg, site.beamwidth_deg, site.tilt_deg, loss.azimuth_deg, loss.elevation_deg
    )
    measured = float(measured_power_dbm(site.eirp_dbm, site.technology, eirp_is=eirp_is))
    loss_db = loss.loss_db
    if site.loss_offset_db or site.loss_slope_db_per_decade:
        loss_db = loss_db + calibration_correction_db(
            loss.distance_m, site.loss_offset_db, site.loss_slope_db_per_decade
        )
    power = (measured + gain - loss_db - clutter_loss_db).astype(np.float32)
    return loss.row0, loss.col0, power, loss.validity, loss.truncated


def _tower_sites(
    towers: gpd.GeoDataFrame, terrain: Terrain, layers: pd.DataFrame
) -> list[SiteRadio]:
    if towers.crs is None:
        raise CRSError(message("errors.model.towers_no_crs"))
    missing = [c for c in REQUIRED_COLUMNS if c not in towers.columns]
    if missing:
        raise SchemaError(message("errors.model.towers_missing_columns", missing=missing))
    local = towers.to_crs(terrain.crs)
    xs, ys = local.geometry.x.to_numpy(), local.geometry.y.to_numpy()
    check_points_on_terrain(terrain, xs, ys, labels=list(towers["site_id"]))
    index = {
        (op, tech): i
        for i, (op, tech) in enumerate(zip(layers.operator, layers.technology, strict=True))
    }
    optional = {c: towers.get(c, pd.Series(np.nan, index=towers.index)) for c in OPTIONAL_COLUMNS}
    return [
        SiteRadio(
            index=i,
            site_id=str(row.site_id),
            layer=index[(row.operator, row.technology)],
            x=float(xs[i]),
            y=float(ys[i]),
            technology=str(row.technology),
            frequency_mhz=float(row.frequency_mhz),
            antenna_height_m=float(row.antenna_height_m),
            eirp_dbm=float(row.eirp_dbm),
            azimuth_deg=float(optional["azimuth_deg"].iloc[i]),
            beamwidth_deg=float(optional["beamwidth_deg"].iloc[i]),
            tilt_deg=float(optional["tilt_deg"].iloc[i]),
        )
        for i, row in enumerate(towers.itertuples(index=False))
    ]


def coverage_layers(
    towers: gpd.GeoDataFrame, thresholds_dbm: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """The layers of :func:`predict`: one row per (operator, technology) of ``towers``, sorted,
    with its coverage threshold (``thresholds_dbm`` over the defaults).

    Examples
    --------
    >>> towers = pd.DataFrame({"operator": ["VNPT", "Viettel"], "technology": ["4G", "2G"]})
    >>> coverage_layers(towers).to_dict("records")[0]
    {'operator': 'VNPT', 'technology': '4G', 'threshold_dbm': -110.0}
    """
    thresholds = {**DEFAULT_THRESHOLDS_DBM, **(thresholds_dbm or {})}
    pairs = (
        sorted(
            {
                (str(o), str(t))
                for o, t in zip(towers["operator"], towers["technology"], strict=True)
            }
        )
        if len(towers)
        else []
    )
    unknown = sorted({t for _, t in pairs if t not in thresholds})
    if unknown:
        raise SchemaError(
            message("errors.model.no_threshold", unknown=unknown, known=sorted(thresholds))
        )
    return pd.DataFrame(
        {
            "operator": [p[0] for p in pairs],
            "technology": [p[1] for p in pairs],
            "threshold_dbm": [float(thresholds[p[1]]) for p in pairs],
        }
    )
