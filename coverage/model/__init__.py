"""Coverage from many towers over the terrain, as georeferenced rasters.

:class:`CoverageResult` is what :func:`predict` returns and what :mod:`coverage.gaps`
and :mod:`coverage.render.map` consume.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.crs import crs_label
from coverage.errors import CRSError, DemEdgeWarning, ModelRangeError, SchemaError
from coverage.grid import Grid, Gridded
from coverage.i18n import current_language, language, message
from coverage.io.towers import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from coverage.memory import predict_bytes, radial_plan_bytes, require_site_memory
from coverage.physics.antenna import antenna_gain_db
from coverage.physics.itm.environment import ItmEnvironment
from coverage.physics.ranges import check_model_range
from coverage.physics.receiver import DEFAULT_THRESHOLDS_DBM, measured_power_dbm
from coverage.radial.itm_grid import itm_site_path_loss
from coverage.radial.path_loss import radial_path_loss
from coverage.radial.site import SiteLoss
from coverage.settings import ITM_MAX_PROFILE_POINTS, K_FACTOR, OVERSAMPLE, RADIUS_M, RX_HEIGHT_M
from coverage.summaries import html_summary
from coverage.terrain import Terrain, check_points_on_terrain
from coverage.validity import Validity

__all__ = [
    "MODELS",
    "CoverageResult",
    "SiteLoss",
    "LossCorrection",
    "Validity",
    "calibration_correction_db",
    "calibration_label",
    "coverage_layers",
    "predict",
    "sector_gain_db",
    "site_path_loss",
    "site_received_power",
    "tqdm_progress",
]

MODELS = ("fspl", "hata", "diffraction", "itm")
"""Path-loss models of :func:`site_path_loss` and :func:`predict`."""


@dataclass(frozen=True, eq=False)
class CoverageResult(Gridded):
    """Best received power per (operator, technology) layer on the working grid.

    Attributes
    ----------
    best_power_dbm
        float32 (n_layers, rows, cols): best received power over the layer's sites, dBm
        (RSRP for 4G/5G); NaN where no site of the layer reaches.
    serving_site
        int32 (n_layers, rows, cols): row position in ``towers`` of the best site, -1 none.
    layers
        One row per layer: ``operator``, ``technology``, ``threshold_dbm``.
    validity
        uint8 (rows, cols) of :class:`Validity` flags, OR-ed over all sites.
    grid
        The working grid (metric CRS, transform, shape), the terrain's.
    towers
        The towers used, in ``crs``.
    model
        Name of the path-loss model.
    """

    best_power_dbm: np.ndarray
    serving_site: np.ndarray
    layers: pd.DataFrame
    validity: np.ndarray
    grid: Grid
    towers: gpd.GeoDataFrame = field(repr=False)
    model: str = "diffraction"
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def covered(self) -> np.ndarray:
        """bool (n_layers, rows, cols): received power at or above the layer's threshold."""
        thresholds = self.layers["threshold_dbm"].to_numpy(dtype=np.float32)[:, None, None]
        with np.errstate(invalid="ignore"):
            return np.asarray(self.best_power_dbm >= thresholds)

    def operator_covered(self) -> dict[str, np.ndarray]:
        """bool (rows, cols) per operator: covered by any of its technologies."""
        covered = self.covered
        return (
            {
                str(op): covered[np.asarray(idx)].any(axis=0)
                for op, idx in self.layers.groupby("operator").indices.items()
            }
            if len(self.layers)
            else {}
        )

    @property
    def covered_any(self) -> np.ndarray:
        """bool (rows, cols): covered by at least one operator."""
        if len(self.layers) == 0:
            return np.zeros(self.shape, dtype=bool)
        return np.asarray(self.covered.any(axis=0))

    @property
    def operators_covering(self) -> np.ndarray:
        """uint8 (rows, cols): how many operators cover each pixel."""
        per_op = self.operator_covered()
        if not per_op:
            return np.zeros(self.shape, dtype=np.uint8)
        return np.sum(list(per_op.values()), axis=0).astype(np.uint8)

    def _repr_html_(self) -> str:
        """Compact HTML summary for Jupyter: model, grid, CRS and one row per layer.

        Each layer row gives its sites and the share of the grid's cells it covers
        (received power at or above the layer's threshold).

        Examples
        --------
        >>> from affine import Affine
        >>> power = np.full((1, 2, 2), -120, np.float32)
        >>> power[0, 0, 0] = -80
        >>> result = CoverageResult(power, np.zeros(power.shape, np.int32),
        ...     pd.DataFrame({"operator": ["<Viettel>"], "technology": ["4G"],
        ...                   "threshold_dbm": [-110.0]}),
        ...     np.zeros((2, 2), np.uint8), Grid("EPSG:32648", Affine(100, 0, 0, 0, -100, 200),
        ...     (2, 2)), gpd.GeoDataFrame(geometry=[], crs="EPSG:32648"))
        >>> page = result._repr_html_()
        >>> "25.0%" in page, "&lt;Viettel&gt;" in page, "<Viettel>" in page
        (True, True, False)
        """
        rows, cols = self.shape
        cells = max(rows * cols, 1)
        covered = self.covered
        table = self.layers[["operator", "technology", "threshold_dbm"]].copy()
        if len(self.towers) and {"operator", "technology"} <= set(self.towers.columns):
            sites = self.towers.groupby(["operator", "technology"]).size()
            table["sites"] = [
                int(sites.get((op, tech), 0))
                for op, tech in zip(table["operator"], table["technology"], strict=True)
            ]
        else:
            table["sites"] = 0
        table["covered share of grid"] = [f"{layer.sum() / cells:.1%}" for layer in covered]
        flagged = int(np.count_nonzero(self.validity))
        return html_summary(
            "CoverageResult",
            [
                ("model", self.model),
                ("towers", f"{len(self.towers):,} in {len(self.layers)} layer(s)"),
                ("grid", f"{rows:,} × {cols:,} cells of {abs(self.transform.a):g} m"),
                ("CRS", crs_label(self.crs)),
                ("covered by any operator", f"{self.covered_any.sum() / cells:.1%} of the grid"),
                ("validity flags", f"{flagged:,} cells ({flagged / cells:.1%}) flagged"),
            ],
            tables=[table.to_html(index=False, float_format=lambda v: f"{v:g}")],
        )


def site_path_loss(
    terrain: Terrain,
    x: float,
    y: float,
    *,
    tx_height_m: float,
    rx_height_m: float = RX_HEIGHT_M,
    frequency_mhz: float,
    radius_m: float = RADIUS_M,
    model: str = "diffraction",
    k_factor: float = K_FACTOR,
    environment: str = "open",
    oversample: float = OVERSAMPLE,
    itm: ItmEnvironment | None = None,
    max_profile_points: int = ITM_MAX_PROFILE_POINTS,
) -> SiteLoss:
    """Path loss from one site to every pixel of the terrain grid within ``radius_m``.

    The model dispatch: ``"fspl"``, ``"hata"`` and ``"diffraction"`` run
    :func:`coverage.radial.path_loss.radial_path_loss`, ``"itm"``
    :func:`coverage.radial.itm_grid.itm_site_path_loss`; both walk the same rays
    (:func:`coverage.radial.plan.nearest_ray_plan`). See those functions for the models.

    Parameters
    ----------
    terrain
        Elevation grid (metric CRS).
    x, y
        Site coordinates in ``terrain.crs``, m; the site stands at its cell's centre.
    tx_height_m, rx_height_m
        Antenna and receiver heights above ground, m.
    frequency_mhz
        Carrier, MHz.
    radius_m
        Largest distance computed, m.
    model
        One of :data:`MODELS`.
    k_factor, environment, oversample
        Effective earth-radius factor, Hata environment, rays per cell at the radius.
    itm
        ``model="itm"`` only: ITM's environment; None (default): Lào Cai's
        :class:`~coverage.physics.itm.environment.ItmEnvironment`.
    max_profile_points
        ``model="itm"`` only: most elevations per ITM profile (see
        :mod:`coverage.radial.itm_grid`).

    Returns
    -------
    SiteLoss

    Warns
    -----
    DemEdgeWarning
        When the radius reaches past the edge of the terrain (``truncated=True``).

    Examples
    --------
    >>> from affine import Affine
    >>> t = Terrain.from_array(np.zeros((101, 101)), transform=Affine(30, 0, 0, 0, -30, 3030),
    ...                        crs="EPSG:32648")
    >>> result = site_path_loss(t, 1515.0, 1515.0, tx_height_m=30, frequency_mhz=900,
    ...                         radius_m=1500)
    >>> result.model, round(float(result.loss_db[50, 100]), 1)  # 1.5 km east: free space
    ('diffraction', 95.1)
    """
    if model not in MODELS:
        raise ValueError(
            message("errors.model.unknown_model", model=repr(model), choices=sorted(MODELS))
        )
    loss = _path_loss(
        terrain, x, y, model=model, environment=environment, tx_height_m=tx_height_m,
        rx_height_m=rx_height_m, frequency_mhz=frequency_mhz, radius_m=radius_m,
        k_factor=k_factor, oversample=oversample, itm=itm,
        max_profile_points=max_profile_points,
    )  # fmt: skip
    if loss.truncated:
        warnings.warn(
            message(
                "errors.model.site_radius_past_edge",
                radius=f"{radius_m:.0f}",
                x=f"{x:.1f}",
                y=f"{y:.1f}",
                source=terrain.source,
            ),
            DemEdgeWarning,
            stacklevel=2,
        )
    return loss


def _path_loss(
    terrain: Terrain,
    x: float,
    y: float,
    *,
    model: str,
    environment: str,
    itm: ItmEnvironment | None = None,
    max_profile_points: int = ITM_MAX_PROFILE_POINTS,
    **geometry: Any,
) -> SiteLoss:
    """The model dispatch behind :func:`site_path_loss` and :func:`site_received_power`."""
    if model == "itm":
        return itm_site_path_loss(
            terrain, x, y, itm=itm, max_profile_points=max_profile_points, **geometry
        )
    if itm is not None:
        raise TypeError(message("errors.model.itm_environment_other_model", model=repr(model)))
    return radial_path_loss(terrain, x, y, model=model, environment=environment, **geometry)


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


def predict(
    towers: gpd.GeoDataFrame,
    terrain: Terrain,
    *,
    model: str = "diffraction",
    radius_m: float = RADIUS_M,
    rx_height_m: float = RX_HEIGHT_M,
    thresholds_dbm: Mapping[str, float] | None = None,
    k_factor: float = K_FACTOR,
    environment: str = "open",
    clutter_loss_db: float = 0.0,
    eirp_is: str = "total",
    itm: ItmEnvironment | None = None,
    scheduler: str | None = None,
    batch_size: int = 16,
    progress: Callable[[int], None] | None = None,
    calibration: LossCorrection | None = None,
) -> CoverageResult:
    """Best received power per operator and technology from every tower, on the terrain grid.

    Each site is an independent task (:func:`site_received_power`) producing a window
    of received power; windows are merged into per-layer maxima as they arrive, so
    memory holds one raster per layer, never one per site.

    Parameters
    ----------
    towers
        Normalised towers (:func:`coverage.read_towers`), any CRS.
    terrain
        Elevation on the metric working grid (:func:`coverage.open_terrain`).
    model
        ``"diffraction"`` (free space + Bullington knife-edge over the terrain, the
        default), ``"fspl"``, ``"hata"`` (Okumura-Hata / COST-231), or ``"itm"``
        (Longley-Rice 1.2.2): one of :data:`MODELS`.
    radius_m
        Largest distance computed around each site, m.
    rx_height_m
        Receiver (handset) height above ground, m.
    thresholds_dbm
        Coverage thresholds per technology overriding
        :data:`coverage.physics.receiver.DEFAULT_THRESHOLDS_DBM` (2G RxLev −95, 3G RSCP −100,
        4G/5G RSRP −110 dBm).
    k_factor
        Effective earth-radius factor.
    environment
        Hata environment (``"open"``, ``"suburban"``, ``"urban"``, ``"metropolitan"``).
    clutter_loss_db
        Uniform extra loss at the receiver (e.g. forest,
        :func:`coverage.physics.clutter.clutter_loss_db`).
    eirp_is
        What ``eirp_dbm`` means: ``"total"`` carrier EIRP (converted to RSRP/RSCP) or
        ``"measured"`` (already per reference signal).
    itm
        ``model="itm"`` only: ITM's environment; None (default): Lào Cai's
        :class:`~coverage.physics.itm.environment.ItmEnvironment`.
    scheduler
        ``None`` runs sites one after another (each already uses every core); a Dask
        scheduler name (``"threads"``, ``"processes"``, ``"distributed"`` with a client
        running) runs each batch of sites as Dask tasks.
    batch_size
        Sites per batch handed to Dask.
    progress
        Called with the number of sites finished after each batch.
    calibration
        A drive-test calibration (:func:`coverage.calibrate`, :func:`coverage.read_calibration`)
        whose terms are added to each site's loss by its operator and technology;
        recorded in ``parameters["calibration"]``. One made for another model raises
        :class:`~coverage.errors.CalibrationError`.

    Returns
    -------
    CoverageResult

    Examples
    --------
    >>> from coverage import datasets
    >>> from coverage.io.towers import read_towers
    >>> from coverage.io.terrain import open_terrain
    >>> terrain = open_terrain(datasets.get_path("laocai_terrain"))
    >>> towers = read_towers(datasets.get_path("laocai_towers")).head(3)  # doctest: +SKIP
    >>> result = predict(towers, terrain, radius_m=10_000)  # doctest: +SKIP
    """
    if model not in MODELS:
        raise ValueError(
            message("errors.model.unknown_model", model=repr(model), choices=sorted(MODELS))
        )
    if eirp_is not in ("total", "measured"):
        raise ValueError(message("errors.physics.eirp_is", eirp_is=repr(eirp_is)))
    if not (np.isfinite(radius_m) and radius_m > 0):
        raise ValueError(message("errors.model.radius", radius_m=radius_m))
    layers = coverage_layers(towers, thresholds_dbm)
    sites = _tower_sites(towers, terrain, layers) if len(towers) else []
    if calibration is not None:
        calibrated = []
        for site in sites:
            offset, slope = calibration.loss_terms(
                model, str(layers.operator[site.layer]), site.technology
            )
            calibrated.append(replace(site, loss_offset_db=offset, loss_slope_db_per_decade=slope))
        sites = calibrated
    if model == "hata":
        for site in sites:
            try:
                check_model_range(
                    "hata",
                    frequency_mhz=site.frequency_mhz,
                    base_height_m=site.antenna_height_m,
                    mobile_height_m=rx_height_m,
                )
            except ModelRangeError as exc:
                raise ModelRangeError(
                    message("errors.model.site_prefix", site=site.site_id, exc=exc)
                ) from exc
    options = dict(
        model=model,
        radius_m=radius_m,
        rx_height_m=rx_height_m,
        k_factor=k_factor,
        environment=environment,
        clutter_loss_db=clutter_loss_db,
        eirp_is=eirp_is,
        itm=itm,
    )
    require_predict_memory(
        terrain, n_layers=len(layers), radius_m=radius_m, batch_size=min(batch_size, len(sites))
    )
    best = np.full((len(layers), *terrain.shape), np.nan, dtype=np.float32)
    serving = np.full((len(layers), *terrain.shape), -1, dtype=np.int32)
    validity = np.zeros(terrain.shape, dtype=np.uint8)
    # filled voids too: their elevation is interpolated, not measured
    validity[terrain.void_mask] = np.uint8(Validity.TERRAIN_VOID)
    done = 0
    truncated: list[str] = []
    for start in range(0, len(sites), batch_size):
        batch = sites[start : start + batch_size]
        if scheduler is None:
            outputs = [site_received_power(terrain, s, **options) for s in batch]  # type: ignore[arg-type]
        else:
            import dask

            # a task in another process (dask's "processes", a distributed worker) does not
            # inherit the caller's language: it travels with the task
            lang = current_language()
            tasks = [
                dask.delayed(_in_language)(lang, site_received_power, terrain, s, **options)
                for s in batch
            ]
            outputs = list(dask.compute(*tasks, scheduler=scheduler))
        for site, (row0, col0, power, flags, cut) in zip(batch, outputs, strict=True):
            _merge(
                best[site.layer],
                serving[site.layer],
                validity,
                row0,
                col0,
                power,
                flags,
                site.index,
            )
            if cut:
                truncated.append(site.site_id)
        done += len(batch)
        if progress is not None:
            progress(done)
    if truncated:
        shown = ", ".join(truncated[:10]) + (" ..." if len(truncated) > 10 else "")
        warnings.warn(
            message(
                "errors.model.radius_past_edge",
                radius=f"{radius_m:.0f}",
                count=len(truncated),
                shown=shown,
                source=terrain.source,
            ),
            DemEdgeWarning,
            stacklevel=2,
        )
    local = towers.to_crs(terrain.crs) if len(towers) else towers
    return CoverageResult(
        best_power_dbm=best,
        serving_site=serving,
        layers=layers,
        validity=validity,
        grid=terrain.grid,
        towers=local.reset_index(drop=True),
        model=model,
        parameters={**options, "calibration": calibration_label(calibration)},
    )


def _in_language(lang: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` with the library's messages in ``lang``.

    For work sent to other processes (dask's ``"processes"`` scheduler, a ``distributed``
    worker) or to threads that do not copy the caller's context (a plain thread pool):
    they do not inherit the caller's :func:`~coverage.i18n.language`, so it travels with
    the task. (Dask's threaded scheduler copies the context itself.)

    Examples
    --------
    >>> from coverage.i18n import message
    >>> _in_language("vi", message, "errors.grid.source")
    'lưới'
    """
    with language(lang):
        return function(*args, **kwargs)


def require_predict_memory(
    terrain: Terrain, *, n_layers: int, radius_m: float, batch_size: int
) -> None:
    """Refuse, before allocating, a :func:`predict` the memory available cannot hold.

    Raises :class:`~coverage.errors.MemoryBudgetError` naming the radius when its radial
    plan is the larger part of the estimate (:func:`coverage.memory.predict_bytes`), else
    the grid.

    Examples
    --------
    >>> from affine import Affine
    >>> t = Terrain.from_array(np.zeros((50, 50)), transform=Affine(30, 0, 0, 0, -30, 1500),
    ...                        crs="EPSG:32648")
    >>> require_predict_memory(t, n_layers=2, radius_m=1e9, batch_size=16)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    coverage.errors.MemoryBudgetError: ... set by --radius (radius_m=): use a smaller --radius...
    """
    radius_cells = radius_m / terrain.resolution_m
    require_site_memory(
        predict_bytes(
            terrain.shape, n_layers=n_layers, radius_cells=radius_cells, batch_size=batch_size
        ),
        plan=radial_plan_bytes(radius_cells),
        what=message("errors.predict_what", layers=f"{n_layers:,}", radius=f"{radius_m:g}"),
        radius_m=radius_m,
        resolution_m=terrain.resolution_m,
        shape=terrain.shape,
    )


def tqdm_progress(
    total: int, desc: str = "coverage", *, unit: str = "site", **tqdm_options: Any
) -> Callable[[int], None]:
    """A progress bar to pass as ``progress=`` to :func:`predict` or :func:`coverage.analyse`.

    The library itself stays silent (``progress=None`` by default); ask for a bar with
    this helper. In Jupyter it is a widget when ``ipywidgets`` is installed and a text bar
    otherwise; in a terminal it is a text bar on stderr.

    Parameters
    ----------
    total
        Number of sites (``len(towers)``).
    desc
        Label shown before the bar.
    unit
        What one step is.
    **tqdm_options
        Passed to ``tqdm`` (``file=``, ``leave=``, ``disable=``...).

    Returns
    -------
    callable
        ``update(done)``: moves the bar to ``done`` sites; closes it when ``done >= total``.

    Examples
    --------
    >>> import io
    >>> text = io.StringIO()
    >>> update = tqdm_progress(32, "coverage", file=text)
    >>> update(16); update(32)
    >>> "32/32" in text.getvalue()
    True
    """
    import importlib.util

    from tqdm.std import tqdm

    bar_type: type[tqdm[Any]] = tqdm
    # Without ipywidgets tqdm.auto would warn that the widget cannot be drawn: keep text.
    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm as auto_tqdm

        bar_type = auto_tqdm
    options = {"disable": False, **tqdm_options}
    bar = bar_type(total=total, desc=desc, unit=unit, **options)

    def update(done: int) -> None:
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def _merge(
    best: np.ndarray,
    serving: np.ndarray,
    validity: np.ndarray,
    row0: int,
    col0: int,
    power: np.ndarray,
    flags: np.ndarray,
    site_index: int,
) -> None:
    rows, cols = power.shape
    window = (slice(row0, row0 + rows), slice(col0, col0 + cols))
    current = best[window]
    reached = np.isfinite(power)
    better = reached & ~(current >= power)
    # masked copies in place: no gathered temporaries (the same values as indexing)
    np.copyto(current, power, where=better)
    np.copyto(serving[window], site_index, where=better)
    here = validity[window]
    np.bitwise_or(here, flags, out=here, where=reached)
