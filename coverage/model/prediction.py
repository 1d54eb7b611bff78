"""Coverage of many towers: each site's window of received power merged into layer maxima.

Memory is checked before allocating (:func:`require_predict_memory`); sites run one after
another or as Dask tasks, and their windows are merged as they arrive.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from typing import Any

import geopandas as gpd
import numpy as np

from coverage.errors import DemEdgeWarning, ModelRangeError
from coverage.i18n import current_language, first_few, in_language, message
from coverage.memory import predict_bytes, radial_plan_bytes, require_site_memory
from coverage.model.dispatch import MODELS
from coverage.model.result import CoverageResult
from coverage.model.sites import (
    LossCorrection,
    SiteRadio,
    _tower_sites,
    calibration_label,
    coverage_layers,
    site_received_power,
)
from coverage.physics.itm.environment import ItmEnvironment
from coverage.physics.ranges import check_model_range
from coverage.settings import K_FACTOR, RADIUS_M, RX_HEIGHT_M
from coverage.terrain import Terrain
from coverage.validity import Validity

SITES_AT_ONCE = 2
"""Sites computed together on one machine without a scheduler: while one site's kernel
runs on every core (it releases the GIL), the other's gain, power and merge run beside it."""

__all__ = ["predict", "require_predict_memory"]


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
        ``None`` runs the sites in this process, :data:`SITES_AT_ONCE` at a time (each
        site's kernel already uses every core; the other's serial work runs beside it); a
        Dask scheduler name (``"threads"``, ``"processes"``, ``"distributed"`` with a
        client running) runs each batch of sites as Dask tasks.
    batch_size
        Sites per batch (handed to Dask, or merged while the next batch computes).
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
    for batch, outputs in _computed_batches(
        sites, terrain, options, batch_size=batch_size, scheduler=scheduler
    ):
        for site, (row0, col0, power, flags, cut) in zip(batch, outputs, strict=True):
            _merge(best[site.layer], serving[site.layer], validity, row0, col0, power, flags,
                   site.index)  # fmt: skip
            if cut:
                truncated.append(site.site_id)
        done += len(batch)
        if progress is not None:
            progress(done)
    if truncated:
        shown = first_few(truncated)
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


def _computed_batches(
    sites: list[SiteRadio],
    terrain: Terrain,
    options: dict[str, Any],
    *,
    batch_size: int,
    scheduler: Any,
) -> Iterator[tuple[list[SiteRadio], list[Any]]]:
    """Each batch of sites with its :func:`site_received_power` outputs, in the sites' order.

    With a Dask ``scheduler``, each batch is computed there. Without one,
    :data:`SITES_AT_ONCE` sites run at once on threads, and the next batch is already
    computing while the caller merges this one: two batches are held at most.
    """
    batches = [sites[i : i + batch_size] for i in range(0, len(sites), batch_size)]
    # a task in another process (dask's "processes", a distributed worker) or in a plain
    # thread does not inherit the caller's language: it travels with the task
    one_site = partial(in_language, current_language(), site_received_power, terrain, **options)
    if scheduler is not None:
        import dask

        for batch in batches:
            tasks = [dask.delayed(one_site)(site) for site in batch]
            yield batch, list(dask.compute(*tasks, scheduler=scheduler))
        return
    pool = ThreadPoolExecutor(max_workers=SITES_AT_ONCE)
    try:
        pending: tuple[list[SiteRadio], list[Future[Any]]] | None = None
        for batch in batches:
            running = [pool.submit(one_site, site) for site in batch]
            if pending is not None:
                yield pending[0], [future.result() for future in pending[1]]
            pending = (batch, running)
        if pending is not None:
            yield pending[0], [future.result() for future in pending[1]]
    finally:  # an error or an interrupt: the sites not started are not run
        pool.shutdown(cancel_futures=True)


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
