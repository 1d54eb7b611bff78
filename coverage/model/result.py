"""The result of :func:`coverage.model.predict`: best received power per layer, as rasters.

:class:`CoverageResult` is what :mod:`coverage.gaps` and :mod:`coverage.render.map` consume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.crs import crs_label
from coverage.grid import Grid, Gridded
from coverage.summaries import html_summary

__all__ = ["CoverageResult"]


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
