"""`phusong gaps --scheduler`: coverage, commune figures and gap lists, all tile by tile.

:func:`analyse_tiled` is :func:`coverage.analysis.analyse` on a cluster: the working grid
is the communes' extent grown by the radius (as the CLI's single-machine ``gaps``), the
coverage is :func:`~coverage.cluster.predict_tiled`'s and the gap lists
:func:`~coverage.cluster.gaps.gaps_tiled`'s, on one cluster connection.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import rasterio

from coverage.analysis import CALIBRATION_COLUMN, SYNTHETIC_COLUMN
from coverage.cluster.gaps import gaps_tiled
from coverage.cluster.run import TiledCoverage, connect, predict_tiled
from coverage.crs import WGS84, grow_lonlat_bounds
from coverage.gaps.masks import check_operator_names
from coverage.io.dem import dem_files, tagged_synthetic
from coverage.model import LossCorrection, calibration_label
from coverage.settings import RADIUS_M, TILE_SIZE_CELLS

__all__ = ["TiledAnalysis", "analyse_tiled"]


@dataclass(frozen=True, eq=False)
class TiledAnalysis:
    """What :func:`analyse_tiled` made: the tiled coverage, commune table and gap lists."""

    coverage: TiledCoverage
    communes: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame


def analyse_tiled(
    communes: gpd.GeoDataFrame,
    towers: gpd.GeoDataFrame,
    dem: str | os.PathLike[str] | list[str | os.PathLike[str]],
    folder: str | os.PathLike[str],
    *,
    scheduler: Any = None,
    tile_size: int = TILE_SIZE_CELLS,
    population: str | os.PathLike[str] | None = None,
    previous_communes: gpd.GeoDataFrame | None = None,
    min_gap_area_km2: float = 0.1,
    resolution_m: float | None = None,
    radius_m: float = RADIUS_M,
    calibration: LossCorrection | None = None,
    overwrite: bool = False,
    **predict_options: Any,
) -> TiledAnalysis:
    """Coverage tiles in ``folder``, per-commune figures and every operator's gap list.

    The rows and columns of :func:`coverage.analysis.analyse` (``communes``, ``gaps``,
    with ``synthetic_inputs`` when a DEM file or the population raster is tagged
    synthetic, and ``calibration`` when one is applied), computed tile by tile on
    ``scheduler`` (:func:`coverage.cluster.connect`) so that no machine holds the grid.

    Parameters
    ----------
    communes, towers
        As :func:`coverage.analysis.analyse`; the grid is the communes' extent grown by
        ``radius_m``.
    dem
        DEM files or a folder of them, seen by every worker.
    folder
        Where the coverage tiles and VRTs go (:func:`coverage.cluster.predict_tiled`'s
        ``out``), seen by every worker.
    scheduler, tile_size, overwrite
        As :func:`coverage.cluster.predict_tiled`.
    population
        A population raster (a commune column cannot be spread tile by tile).
    previous_communes, min_gap_area_km2
        As :func:`coverage.analysis.analyse`.
    resolution_m, radius_m, calibration, **predict_options
        As :func:`coverage.cluster.predict_tiled` (``model``, ``thresholds_dbm``...).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from affine import Affine
    >>> from shapely.geometry import box
    >>> from coverage.io.rasters import write_terrain
    >>> from coverage.terrain import Terrain
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_terrain(Terrain.from_array(np.full((80, 80), 300.0), transform=Affine(30, 0,
    ...     499_400, 0, -30, 2_500_600), crs="EPSG:32648"), folder / "dem.tif")
    >>> towers = gpd.GeoDataFrame({"site_id": ["A"], "operator": ["Viettel"],
    ...     "technology": ["4G"], "frequency_mhz": [1800.0], "antenna_height_m": [30.0],
    ...     "eirp_dbm": [60.0]}, geometry=gpd.points_from_xy([500_900.0], [2_499_100.0]),
    ...     crs="EPSG:32648")
    >>> communes = gpd.GeoDataFrame({"name": ["Y Tý"]}, crs="EPSG:32648",
    ...     geometry=[box(500_000, 2_498_200, 501_800, 2_500_000)])
    >>> done = analyse_tiled(communes, towers, folder, folder / "tiles", tile_size=24,
    ...                      radius_m=500.0)
    >>> done.coverage.tiles, done.gaps["operator"].unique().tolist()
    (16, ['no operator', 'Viettel'])
    """
    if "operator" in towers.columns:
        check_operator_names(towers["operator"].dropna())
    bounds = grow_lonlat_bounds(communes.to_crs(WGS84).total_bounds, radius_m)
    with connect(scheduler) if scheduler is not None else nullcontext(None) as client:
        tiled = predict_tiled(
            towers, dem, folder, scheduler=client, tile_size=tile_size, bounds=bounds,
            bounds_crs=WGS84, resolution_m=resolution_m, communes=communes,
            population=population, radius_m=radius_m, calibration=calibration,
            overwrite=overwrite, **predict_options,
        )  # fmt: skip
        gaps = gaps_tiled(
            tiled, communes, towers=towers, population=population, dem=dem,
            previous_communes=previous_communes, min_area_km2=min_gap_area_km2,
            scheduler=client,
        )  # fmt: skip
    table = tiled.communes
    assert table is not None  # communes were given
    tagged = _tagged(dem, population)
    if tagged:
        gaps[SYNTHETIC_COLUMN] = table[SYNTHETIC_COLUMN] = ", ".join(tagged)
    label = calibration_label(calibration)
    if label:
        gaps[CALIBRATION_COLUMN] = table[CALIBRATION_COLUMN] = label
    return TiledAnalysis(tiled, table, gaps)


def _tagged(
    dem: str | os.PathLike[str] | list[str | os.PathLike[str]],
    population: str | os.PathLike[str] | None,
) -> list[str]:
    """``terrain`` when a DEM file is tagged synthetic, ``population`` when the raster is."""
    tagged = []
    for path in dem_files(dem):  # headers only
        with rasterio.open(path) as src:
            if tagged_synthetic(src.tags()):
                tagged.append("terrain")
                break
    if population is not None:
        with rasterio.open(Path(population)) as src:
            if tagged_synthetic(src.tags()):
                tagged.append("population")
    return tagged
