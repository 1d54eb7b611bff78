"""Coverage from many towers over the terrain, as georeferenced rasters.

:class:`CoverageResult` is what :func:`predict` returns and what :mod:`coverage.gaps`
and :mod:`coverage.render` consume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntFlag

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine
from pyproj import CRS


class Validity(IntFlag):
    """Per-pixel flags saying where a prediction is outside a model's trusted range."""

    OK = 0
    DISTANCE_OUT_OF_RANGE = 1  # e.g. Hata below 1 km or beyond 20 km
    HEIGHT_OUT_OF_RANGE = 2  # antenna heights outside the model's range
    FREQUENCY_OUT_OF_RANGE = 4
    TERRAIN_VOID = 8  # the profile crosses a DEM void
    BEYOND_TERRAIN = 16  # the radius reaches past the DEM edge
    ITM_WARNING = 32  # ITM returned a non-zero warning code


@dataclass(frozen=True, eq=False)
class CoverageResult:
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
    transform, crs
        Georeferencing of the grid (metric working CRS).
    towers
        The towers used, in ``crs``.
    model
        Name of the path-loss model.
    """

    best_power_dbm: np.ndarray
    serving_site: np.ndarray
    layers: pd.DataFrame
    validity: np.ndarray
    transform: Affine
    crs: CRS
    towers: gpd.GeoDataFrame = field(repr=False)
    model: str = "diffraction"

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the grid."""
        return self.validity.shape  # type: ignore[return-value]

    @property
    def covered(self) -> np.ndarray:
        """bool (n_layers, rows, cols): received power at or above the layer's threshold."""
        thresholds = self.layers["threshold_dbm"].to_numpy(dtype=np.float32)[:, None, None]
        with np.errstate(invalid="ignore"):
            return self.best_power_dbm >= thresholds

    def operator_covered(self) -> dict[str, np.ndarray]:
        """bool (rows, cols) per operator: covered by any of its technologies."""
        covered = self.covered
        return {
            str(op): covered[idx.to_numpy()].any(axis=0)
            for op, idx in self.layers.groupby("operator").indices.items()
        } if len(self.layers) else {}

    @property
    def covered_any(self) -> np.ndarray:
        """bool (rows, cols): covered by at least one operator."""
        if len(self.layers) == 0:
            return np.zeros(self.shape, dtype=bool)
        return self.covered.any(axis=0)

    @property
    def operators_covering(self) -> np.ndarray:
        """uint8 (rows, cols): how many operators cover each pixel."""
        per_op = self.operator_covered()
        if not per_op:
            return np.zeros(self.shape, dtype=np.uint8)
        return np.sum(list(per_op.values()), axis=0).astype(np.uint8)
