"""One raster band per site: line of sight, received power, and ITM loss on the DEM's grid.

Sites come as one frame (:func:`site_frame`): points given one by one sharing one
antenna height, frequency and EIRP, then the rows of a tower list with their own. Each
function returns a :class:`SiteBands` at once (its grid, band names and data type, every
site checked against the terrain), while the bands themselves are computed a few sites at
a time as they are written (:meth:`SiteBands.to_geotiff`): a thousand sites never hold a
thousand full-grid bands in memory.

Examples
--------
>>> from affine import Affine
>>> from coverage.terrain import Terrain
>>> terrain = Terrain.from_array(np.zeros((50, 50)), transform=Affine(30, 0, 499_250,
...                              0, -30, 2_500_400), crs="EPSG:32648")
>>> sites = site_frame([[105.0, 22.6035], [105.003, 22.603]], antenna_height_m=20.0)
>>> bands = viewshed_bands(terrain, sites, radius_m=300.0)
>>> bands.names, bands.to_array().shape
(('1 (105.0,22.6035)', '2 (105.003,22.603)'), (2, 50, 50))
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from affine import Affine
from pyproj import CRS

from coverage.crs import WGS84, transform_xy
from coverage.io.rasters import COG_BLOCK, BandBatch, write_band_batches
from coverage.memory import (
    band_file_bytes,
    band_staging_bytes,
    grid_bytes,
    itm_native_bytes,
    radial_plan_bytes,
    require_disk,
    require_memory,
    require_site_memory,
    viewshed_bytes,
)
from coverage.radial.site import site_cells
from coverage.radial.viewshed import NODATA, viewsheds
from coverage.settings import (
    EARTH_RADIUS_M,
    EIRP_DBM,
    FREQUENCY_MHZ,
    K_FACTOR,
    RADIUS_M,
    RX_HEIGHT_M,
    TX_HEIGHT_M,
)
from coverage.terrain import NativeDEM, Terrain, check_points_on_terrain

if TYPE_CHECKING:
    import geopandas as gpd

    from coverage.model import LossCorrection

__all__ = ["SiteBands", "itm_loss_bands", "power_bands", "site_frame", "viewshed_bands"]

#: The optional sector columns of a tower list (:data:`coverage.io.towers.OPTIONAL_COLUMNS`,
#: which a test holds equal), named here so that a viewshed need not import the towers
#: reader (and geopandas with it).
SECTOR_COLUMNS = ("azimuth_deg", "beamwidth_deg", "tilt_deg")
#: Columns of :func:`site_frame`, besides the geometry.
SITE_COLUMNS = ("site_id", "antenna_height_m", "frequency_mhz", "eirp_dbm", *SECTOR_COLUMNS)

#: Sites computed together by default: full-grid bands of many sites at once can be large.
BATCH_SIZE = 8


@dataclass(frozen=True)
class SiteBands:
    """One band per site on one grid, computed a batch of sites at a time when iterated.

    Iterating yields :class:`coverage.io.rasters.BandBatch` values, each computed afresh
    (iterate once: write with :meth:`to_geotiff`, or stack with :meth:`to_array`).
    """

    names: tuple[str, ...]
    """Band names, one per site in order (the sites' ``site_id``)."""
    shape: tuple[int, int]
    """Grid (rows, cols) of every band."""
    transform: Affine
    """Affine transform of the grid, in ``crs`` units."""
    crs: CRS
    """CRS of the grid."""
    dtype: np.dtype[Any]
    """Data type of the bands."""
    nodata: float
    """Value where a band has no data (beyond the site's radius)."""
    batches: Callable[[], Iterator[BandBatch]] = field(repr=False)
    """Computes the bands, a batch at a time."""
    radius_cells: float = math.inf
    """Radius of each site in cells of the grid: data lie within it, nodata beyond."""

    def __iter__(self) -> Iterator[BandBatch]:
        return self.batches()

    def to_geotiff(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write every band to a GeoTIFF, band ``i + 1`` named after site ``i``.

        The file appears only once complete (:func:`coverage.io.rasters.write_band_batches`);
        raises :class:`coverage.errors.OutputExistsError` if ``path`` exists and
        ``overwrite`` is false, and :class:`coverage.errors.OutputWriteError` before
        computing anything when the disk cannot hold the bands and their staging copy
        (:func:`coverage.memory.band_file_bytes`, :func:`~coverage.memory.band_staging_bytes`).
        """
        rows, cols = self.shape
        n, radius, itemsize = len(self.names), self.radius_cells, self.dtype.itemsize
        require_disk(
            band_file_bytes(n, self.shape, radius_cells=radius, itemsize=itemsize)
            + band_staging_bytes(
                n, self.shape, radius_cells=radius, itemsize=itemsize, block=COG_BLOCK
            ),
            Path(path).parent,
            what=f"{path}: {len(self.names):,} band(s) of {rows:,} x {cols:,} cells",
            option="the number of sites (--site, --sites)",
            fix="split the sites into several runs (fewer sites per file), or use a smaller "
            "--radius or a coarser --resolution",
        )  # fmt: skip
        return write_band_batches(
            path,
            self,
            count=len(self.names),
            shape=self.shape,
            dtype=self.dtype,
            transform=self.transform,
            crs=self.crs,
            nodata=self.nodata,
            descriptions=self.names,
            overwrite=overwrite,
        )

    def to_array(self) -> np.ndarray:
        """Every band in memory, (n_sites, rows, cols).

        Raises :class:`coverage.errors.MemoryBudgetError` before allocating when they do
        not fit in memory (write them with :meth:`to_geotiff` instead).
        """
        require_memory(
            grid_bytes(self.shape, self.dtype.itemsize, layers=len(self.names)),
            what=f"{len(self.names):,} band(s) of {self.shape[0]:,} x {self.shape[1]:,} cells",
            option="the number of sites",
            fix="write the bands to a GeoTIFF (to_geotiff), a few at a time, instead",
        )
        out = np.full((len(self.names), *self.shape), self.nodata, dtype=self.dtype)
        for first_band, bands, _ in self:
            out[first_band - 1 : first_band - 1 + len(bands)] = bands
        return out


def site_frame(
    lonlat: npt.ArrayLike,
    *,
    antenna_height_m: float = TX_HEIGHT_M,
    frequency_mhz: float = FREQUENCY_MHZ,
    eirp_dbm: float = EIRP_DBM,
    towers: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Sites given by longitude and latitude, then a tower list's, as one frame (EPSG:4326).

    Parameters
    ----------
    lonlat
        (n, 2) longitude, latitude in degrees (WGS 84); may be empty. Site ``i`` is
        named ``"<i + 1> (<lon>,<lat>)"``.
    antenna_height_m, frequency_mhz, eirp_dbm
        Antenna height above ground (m), carrier (MHz) and EIRP (dBm, as measured) of
        the ``lonlat`` sites.
    towers
        More sites, with their own ``site_id``, heights, frequencies, EIRPs and sector
        columns (:func:`coverage.read_towers`), any CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per site, ``lonlat`` first: :data:`SITE_COLUMNS` and point geometries.

    Examples
    --------
    >>> site_frame([[103.42, 22.66]], antenna_height_m=25.0)[["site_id", "antenna_height_m"]]
                site_id  antenna_height_m
    0  1 (103.42,22.66)              25.0
    """
    import geopandas as gpd  # imported here: a viewshed of --site points needs no frame
    import pandas as pd

    points = np.asarray(lonlat, dtype=float).reshape(-1, 2)
    frame = gpd.GeoDataFrame(
        {
            "site_id": _point_names(points),
            "antenna_height_m": float(antenna_height_m),
            "frequency_mhz": float(frequency_mhz),
            "eirp_dbm": float(eirp_dbm),
            **{column: np.nan for column in SECTOR_COLUMNS},
        },
        geometry=gpd.points_from_xy(points[:, 0], points[:, 1]),
        crs=WGS84,
    )
    if towers is None:
        return frame
    listed = towers.to_crs(WGS84).reindex(columns=[*SITE_COLUMNS, "geometry"])
    listed["site_id"] = listed["site_id"].astype(str)
    parts = [part for part in (frame, listed) if len(part)]
    if not parts:
        return frame
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=WGS84)


def _point_names(points: np.ndarray) -> list[str]:
    """Names of (n, 2) longitude, latitude sites: ``"<i + 1> (<lon>,<lat>)"``."""
    return [f"{i + 1} ({lon!r},{lat!r})" for i, (lon, lat) in enumerate(points.tolist())]


def _xy(sites: gpd.GeoDataFrame, crs: Any) -> tuple[np.ndarray, np.ndarray]:
    local = sites.to_crs(crs).geometry
    return local.x.to_numpy(dtype=float), local.y.to_numpy(dtype=float)


def _column(sites: gpd.GeoDataFrame, name: str) -> np.ndarray:
    return sites[name].to_numpy(dtype=float)


def viewshed_bands(
    terrain: Terrain,
    sites: gpd.GeoDataFrame,
    *,
    rx_height_m: float = RX_HEIGHT_M,
    radius_m: float = RADIUS_M,
    k_factor: float = K_FACTOR,
    batch_size: int = BATCH_SIZE,
) -> SiteBands:
    """Line of sight from each site (:func:`coverage.radial.viewshed.viewsheds`), one band each.

    Parameters
    ----------
    terrain
        Elevation on the metric working grid.
    sites
        :func:`site_frame` (each site's ``antenna_height_m`` is used), any CRS.
    rx_height_m
        Receiver (handset) height above ground, m.
    radius_m
        Largest distance from a site, m.
    k_factor
        Effective earth-radius factor.
    batch_size
        Sites computed together.

    Returns
    -------
    SiteBands
        uint8 on ``terrain``'s grid: 1 visible, 0 hidden, 255 beyond the radius.

    Raises
    ------
    TerrainError
        At once, before any work, when a site is outside the terrain or on a void.
    """
    xs, ys = _xy(sites, terrain.crs)
    heights = _column(sites, "antenna_height_m")
    names = [str(name) for name in sites["site_id"]]
    return _viewshed_bands(
        terrain, xs, ys, heights, names, rx_height_m=rx_height_m, radius_m=radius_m,
        k_factor=k_factor, batch_size=batch_size,
    )  # fmt: skip


def lonlat_viewshed_bands(
    terrain: Terrain,
    lonlat: npt.ArrayLike,
    *,
    antenna_height_m: float = TX_HEIGHT_M,
    rx_height_m: float = RX_HEIGHT_M,
    radius_m: float = RADIUS_M,
    k_factor: float = K_FACTOR,
    batch_size: int = BATCH_SIZE,
) -> SiteBands:
    """:func:`viewshed_bands` of sites given by longitude and latitude, without a frame.

    The same bands, names and checks as ``viewshed_bands(terrain, site_frame(lonlat,
    antenna_height_m=...))``, without importing geopandas and pandas (what the
    ``phusong viewshed --site`` command runs: about half a second less start-up).

    Parameters
    ----------
    terrain
        Elevation on the metric working grid.
    lonlat
        (n, 2) longitude, latitude in degrees (WGS 84), named as :func:`site_frame`
        names them.
    antenna_height_m
        Antenna height above ground of every site, m.
    rx_height_m, radius_m, k_factor, batch_size
        As :func:`viewshed_bands`.

    Returns
    -------
    SiteBands
        As :func:`viewshed_bands`.

    Examples
    --------
    >>> from affine import Affine
    >>> terrain = Terrain.from_array(np.zeros((50, 50)), transform=Affine(30, 0, 499_250,
    ...                              0, -30, 2_500_400), crs="EPSG:32648")
    >>> bands = lonlat_viewshed_bands(terrain, [[105.0, 22.6035]], radius_m=300.0)
    >>> bands.names, int((bands.to_array() == 1).sum())
    (('1 (105.0,22.6035)',), 317)
    """
    points = np.asarray(lonlat, dtype=float).reshape(-1, 2)
    xs, ys = transform_xy(WGS84, terrain.crs, points[:, 0], points[:, 1])
    heights = np.full(len(points), float(antenna_height_m))
    return _viewshed_bands(
        terrain, xs, ys, heights, _point_names(points), rx_height_m=rx_height_m,
        radius_m=radius_m, k_factor=k_factor, batch_size=batch_size,
    )  # fmt: skip


def _viewshed_bands(
    terrain: Terrain,
    xs: np.ndarray,
    ys: np.ndarray,
    heights: np.ndarray,
    names: list[str],
    *,
    rx_height_m: float,
    radius_m: float,
    k_factor: float,
    batch_size: int,
) -> SiteBands:
    """:func:`viewshed_bands` of sites at ``xs, ys`` (``terrain.crs``) with their heights."""
    rows, cols = site_cells(terrain, xs, ys, site_names=names)
    reach = int(radius_m / terrain.resolution_m) + 1  # cells beyond this square: all NODATA
    radius_cells = radius_m / terrain.resolution_m
    require_site_memory(
        viewshed_bytes(terrain.shape, n_sites=min(batch_size, len(xs)), radius_cells=radius_cells),
        plan=radial_plan_bytes(radius_cells),
        what=f"viewsheds within {radius_m:g} m",
        radius_m=radius_m,
        resolution_m=terrain.resolution_m,
        shape=terrain.shape,
    )

    def batches() -> Iterator[BandBatch]:
        for first in range(0, len(xs), batch_size):
            part = slice(first, first + batch_size)
            bands = viewsheds(
                terrain,
                xs[part],
                ys[part],
                tx_height_m=heights[part],
                rx_height_m=rx_height_m,
                radius_m=radius_m,
                k_factor=k_factor,
                site_names=names[part],
            )
            windows = [
                (r - reach, c - reach, 2 * reach + 1, 2 * reach + 1)
                for r, c in zip(rows[part], cols[part], strict=True)
            ]
            yield BandBatch(first + 1, bands, windows)

    return SiteBands(
        tuple(names), terrain.shape, terrain.transform, terrain.crs, np.dtype(np.uint8),
        NODATA, batches, radius_cells,
    )  # fmt: skip


def power_bands(
    terrain: Terrain,
    sites: gpd.GeoDataFrame,
    *,
    model: str = "diffraction",
    radius_m: float = RADIUS_M,
    rx_height_m: float = RX_HEIGHT_M,
    k_factor: float = K_FACTOR,
    calibration: LossCorrection | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> SiteBands:
    """Received power from each site (:func:`coverage.model.predict`), one band each.

    Each site's ``eirp_dbm`` is taken as the power to predict as it is (no conversion to
    RSRP or RSCP), with its ``antenna_height_m``, ``frequency_mhz`` and sector columns.

    Parameters
    ----------
    terrain
        Elevation on the metric working grid.
    sites
        :func:`site_frame`, any CRS.
    model, radius_m, rx_height_m, k_factor
        As :func:`coverage.model.predict`.
    calibration
        A drive-test calibration (:func:`coverage.read_calibration`): each site takes the
        terms of its own ``operator`` and ``technology`` columns (when present).
    batch_size
        Sites computed together.
    progress
        Called with the number of sites finished, as :func:`coverage.model.predict`'s.

    Returns
    -------
    SiteBands
        float32 dBm on ``terrain``'s grid, NaN beyond the radius.

    Raises
    ------
    TerrainError
        At once, before any work, when a site is outside the terrain or on a void.

    Examples
    --------
    >>> from affine import Affine
    >>> from coverage.terrain import Terrain
    >>> terrain = Terrain.from_array(np.zeros((50, 50)), transform=Affine(30, 0, 499_250,
    ...                              0, -30, 2_500_400), crs="EPSG:32648")
    >>> sites = site_frame([[105.0, 22.6035]], eirp_dbm=50.0)
    >>> power = power_bands(terrain, sites, radius_m=600.0).to_array()
    >>> bool(np.nanmax(power) < 50.0), int(np.isfinite(power).sum()) > 1000
    (True, True)
    """
    xs, ys = _xy(sites, terrain.crs)
    names = [str(name) for name in sites["site_id"]]
    check_points_on_terrain(terrain, xs, ys, labels=names)
    from coverage.model import (  # imported here: `phusong viewshed` never needs it
        predict,
        require_predict_memory,
    )

    # one layer per site, in order: the operator is the site's zero-padded position
    towers = sites.assign(operator=[f"{i:05d}" for i in range(len(sites))], technology="2G")
    if calibration is not None:
        calibration = _PerSite(calibration, sites)
    if len(sites):
        require_predict_memory(
            terrain, n_layers=min(batch_size, len(sites)), radius_m=radius_m, batch_size=batch_size
        )

    def batches() -> Iterator[BandBatch]:
        for first in range(0, len(towers), batch_size):
            result = predict(
                towers.iloc[first : first + batch_size],
                terrain,
                model=model,
                radius_m=radius_m,
                rx_height_m=rx_height_m,
                k_factor=k_factor,
                eirp_is="measured",
                calibration=calibration,
                progress=None if progress is None else _offset(progress, first),
            )
            yield BandBatch(first + 1, result.best_power_dbm)

    return SiteBands(
        tuple(names), terrain.shape, terrain.transform, terrain.crs, np.dtype(np.float32),
        float("nan"), batches, radius_m / terrain.resolution_m,
    )  # fmt: skip


class _PerSite:
    """A calibration seen through :func:`power_bands`' one-layer-per-site frame: the layer
    named by a site's position takes the terms of that site's operator and technology."""

    def __init__(self, calibration: LossCorrection, sites: gpd.GeoDataFrame) -> None:
        self.calibration = calibration
        self.source = calibration.source
        self.describe = getattr(calibration, "describe", lambda: calibration.source)
        operators = sites["operator"] if "operator" in sites else ["unknown"] * len(sites)
        technologies = sites["technology"] if "technology" in sites else ["unknown"] * len(sites)
        self.keys = [(str(o), str(t)) for o, t in zip(operators, technologies, strict=True)]

    def loss_terms(self, model: str, operator: str, technology: str) -> tuple[float, float]:
        return self.calibration.loss_terms(model, *self.keys[int(operator)])


def _offset(progress: Callable[[int], None], done_before: int) -> Callable[[int], None]:
    return lambda done: progress(done_before + done)


def itm_loss_bands(
    dem: NativeDEM,
    sites: gpd.GeoDataFrame,
    *,
    rx_height_m: float = RX_HEIGHT_M,
    radius_m: float = RADIUS_M,
    max_profile_points: int | None = None,
) -> SiteBands:
    """ITM path loss from each site on the DEM's own grid (as SPLAT!), one band each.

    Each site's ``antenna_height_m`` and ``frequency_mhz`` are used; see
    :func:`coverage.radial.itm_native.itm_native_path_loss`, computed one site at a time.

    Parameters
    ----------
    dem
        Elevations on their own grid (:func:`coverage.io.dem.open_native_dem`).
    sites
        :func:`site_frame`, any CRS.
    rx_height_m
        Receiver (handset) height above ground, m.
    radius_m
        Largest distance from a site, m.
    max_profile_points
        Most samples per profile; None: one per post crossed.

    Returns
    -------
    SiteBands
        float32 dB on ``dem``'s grid and CRS, NaN beyond the radius.
    """
    xs, ys = _xy(sites, dem.crs)
    from coverage.radial.itm_native import itm_native_path_loss

    heights = _column(sites, "antenna_height_m")
    frequencies = _column(sites, "frequency_mhz")
    post_m = _post_spacing_m(dem)
    side = 2 * int(radius_m / post_m) + 1
    window = (min(side, dem.shape[0]), min(side, dem.shape[1]))
    require_memory(
        itm_native_bytes(dem.shape, window),
        what=f"ITM loss on {dem.shape[0]:,} x {dem.shape[1]:,} DEM posts within {radius_m:g} m",
        option="the DEM's extent and --radius",
        fix="give DEM tiles covering only the sites' area, or a smaller --radius",
    )

    def batches() -> Iterator[BandBatch]:
        for i in range(len(xs)):
            result = itm_native_path_loss(
                dem, float(xs[i]), float(ys[i]), tx_height_m=float(heights[i]),
                rx_height_m=rx_height_m, frequency_mhz=float(frequencies[i]),
                radius_m=radius_m, max_profile_points=max_profile_points,
            )  # fmt: skip
            row0, col0 = dem.grid.offset_of(result.transform)
            rows, cols = result.shape
            band = np.full((1, *dem.shape), np.nan, dtype=np.float32)
            band[0, row0 : row0 + rows, col0 : col0 + cols] = result.loss_db
            yield BandBatch(i + 1, band, [(row0, col0, rows, cols)])

    names = tuple(str(name) for name in sites["site_id"])
    return SiteBands(
        names, dem.shape, dem.transform, dem.crs, np.dtype(np.float32), float("nan"), batches,
        radius_m / post_m,
    )  # fmt: skip


def _post_spacing_m(dem: NativeDEM) -> float:
    """The DEM's smaller post spacing in metres (degrees taken at the DEM's centre)."""
    a, e = abs(dem.transform.a), abs(dem.transform.e)
    if not dem.crs.is_geographic:
        return min(a, e)
    lat = dem.transform.f + dem.transform.e * dem.shape[0] / 2
    per_degree = math.pi / 180.0 * EARTH_RADIUS_M
    return min(a * per_degree * max(math.cos(math.radians(lat)), 1e-6), e * per_degree)
