"""Coverage sets of candidate sites from the propagation model, as a sparse matrix.

:func:`candidate_coverage` runs every candidate through the same engine and thresholds as
:func:`coverage.model.predict` (:func:`coverage.model.site_received_power`, the receiver
thresholds of :mod:`coverage.physics.receiver`): a candidate covers a demand cell when its
received power there reaches the technology's threshold, never by distance. The result is
a sparse 0/1 matrix, demand cells x candidates. :func:`merge_rows` then merges demand cells
with identical covering sets (weights summed: people), which is what the solvers see.

:func:`coarse_terrain` gives the cheaper grid used to shortlist many candidates before the
full model is run on the shortlist (:func:`coverage.planning.plan.plan_sites`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
from affine import Affine

from coverage.errors import DemEdgeWarning, PlanningError
from coverage.i18n import first_few, message
from coverage.model import LossCorrection, SiteRadio, require_predict_memory, site_received_power
from coverage.physics.receiver import DEFAULT_THRESHOLDS_DBM
from coverage.settings import K_FACTOR, RADIUS_M, RX_HEIGHT_M
from coverage.terrain import Terrain
from coverage.zonal import in_crs

__all__ = ["CandidateCoverage", "candidate_coverage", "coarse_terrain", "merge_rows"]

RADIO_COLUMNS = ("technology", "frequency_mhz", "antenna_height_m", "eirp_dbm")


@dataclass(frozen=True, eq=False)
class CandidateCoverage:
    """Which demand cells each candidate covers.

    Attributes
    ----------
    cells
        int64 flat grid index (``row * cols + col``) of each matrix row, sorted.
    matrix
        scipy.sparse CSC array (cells x candidates), 1 where the candidate covers the cell.
    candidates
        The candidates, with their radio columns filled (:data:`RADIO_COLUMNS`).
    truncated
        Site ids whose radius reached past the terrain's edge.
    """

    cells: np.ndarray
    matrix: sp.csc_array
    candidates: gpd.GeoDataFrame = field(repr=False)
    truncated: list[str] = field(default_factory=list)


def candidate_coverage(
    candidates: gpd.GeoDataFrame,
    terrain: Terrain,
    cells: np.ndarray,
    *,
    model: str = "diffraction",
    radius_m: float = RADIUS_M,
    rx_height_m: float = RX_HEIGHT_M,
    thresholds_dbm: Mapping[str, float] | None = None,
    k_factor: float = K_FACTOR,
    environment: str = "open",
    clutter_loss_db: float = 0.0,
    eirp_is: str = "total",
    itm: Any = None,
    calibration: LossCorrection | None = None,
    operator: str = "unknown",
    progress: Callable[[int], None] | None = None,
) -> CandidateCoverage:
    """Run each candidate through the coverage engine and keep the demand cells it covers.

    Parameters
    ----------
    candidates
        Points with the radio columns ``technology``, ``frequency_mhz``,
        ``antenna_height_m``, ``eirp_dbm`` (and optionally ``azimuth_deg``,
        ``beamwidth_deg``, ``tilt_deg``); any CRS.
    terrain
        The working terrain.
    cells
        Flat indices of the demand cells on the terrain grid.
    model, radius_m, rx_height_m, thresholds_dbm, k_factor, environment, clutter_loss_db, eirp_is, itm
        As :func:`coverage.model.predict`.
    calibration, operator
        A drive-test calibration (:func:`coverage.calibrate`) and the operator whose terms
        the candidates take (as :func:`coverage.model.predict` does for a tower).
    progress
        Called with the number of candidates done.

    Returns
    -------
    CandidateCoverage

    Examples
    --------
    >>> from affine import Affine
    >>> t = Terrain.from_array(np.zeros((41, 41)), transform=Affine(100, 0, 0, 0, -100, 4100),
    ...                        crs="EPSG:32648")
    >>> sites = gpd.GeoDataFrame({"site_id": ["A"], "technology": ["4G"],
    ...     "frequency_mhz": [1800.0], "antenna_height_m": [30.0], "eirp_dbm": [20.0]},
    ...     geometry=gpd.points_from_xy([2050.0], [2050.0]), crs="EPSG:32648")
    >>> found = candidate_coverage(sites, t, np.arange(41 * 41), radius_m=2000)
    >>> int(found.matrix.sum()) > 0, found.matrix.shape
    (True, (1681, 1))
    """
    thresholds = {**DEFAULT_THRESHOLDS_DBM, **(thresholds_dbm or {})}
    missing = [c for c in RADIO_COLUMNS if c not in candidates.columns]
    if missing:
        raise PlanningError(message("errors.planning.matrix_radio_columns", missing=missing))
    local = in_crs(candidates, terrain.crs, what="candidates")
    cells = np.unique(np.asarray(cells, dtype=np.int64))
    n_rows_grid, n_cols_grid = terrain.shape
    # the grid's cell lookup (int64: a layer's 8 bytes), one site's plan and window at a time
    require_predict_memory(terrain, n_layers=1, radius_m=radius_m, batch_size=1)
    row_of_cell = np.full(n_rows_grid * n_cols_grid, -1, dtype=np.int64)
    row_of_cell[cells] = np.arange(len(cells))
    xs, ys = local.geometry.x.to_numpy(), local.geometry.y.to_numpy()

    def optional(name: str) -> np.ndarray:
        if name in local.columns:
            return local[name].to_numpy(dtype=float)
        return np.full(len(local), np.nan)

    azimuth, beamwidth, tilt = (
        optional("azimuth_deg"),
        optional("beamwidth_deg"),
        optional("tilt_deg"),
    )
    row_parts: list[np.ndarray] = []
    col_parts: list[np.ndarray] = []
    truncated: list[str] = []
    for i, row in enumerate(local.itertuples(index=False)):
        technology = str(row.technology)
        if technology not in thresholds:
            raise PlanningError(
                message("errors.planning.matrix_no_threshold", technology=repr(technology))
            )
        site = SiteRadio(
            index=i, site_id=str(row.site_id), layer=0, x=float(xs[i]), y=float(ys[i]),
            technology=technology, frequency_mhz=float(row.frequency_mhz),
            antenna_height_m=float(row.antenna_height_m), eirp_dbm=float(row.eirp_dbm),
            azimuth_deg=float(azimuth[i]), beamwidth_deg=float(beamwidth[i]),
            tilt_deg=float(tilt[i]),
        )  # fmt: skip
        if calibration is not None:
            offset, slope = calibration.loss_terms(model, operator, technology)
            site = replace(site, loss_offset_db=offset, loss_slope_db_per_decade=slope)
        row0, col0, power, _, cut = site_received_power(
            terrain, site, model=model, radius_m=radius_m, rx_height_m=rx_height_m,
            k_factor=k_factor, environment=environment, clutter_loss_db=clutter_loss_db,
            eirp_is=eirp_is, itm=itm,
        )  # fmt: skip
        if cut:
            truncated.append(site.site_id)
        with np.errstate(invalid="ignore"):
            wr, wc = np.nonzero(power >= np.float32(thresholds[technology]))
        flat = (wr + row0) * n_cols_grid + (wc + col0)
        hit = row_of_cell[flat]
        hit = hit[hit >= 0]
        row_parts.append(hit)
        col_parts.append(np.full(len(hit), i, dtype=np.int64))
        if progress is not None:
            progress(i + 1)
    if truncated:
        shown = first_few(truncated)
        warnings.warn(
            message(
                "errors.planning.matrix_radius_truncated",
                radius_m=format(radius_m, ".0f"),
                count=len(truncated),
                shown=shown,
                source=terrain.source,
            ),
            DemEdgeWarning,
            stacklevel=2,
        )
    rows = np.concatenate(row_parts) if row_parts else np.zeros(0, np.int64)
    cols = np.concatenate(col_parts) if col_parts else np.zeros(0, np.int64)
    matrix = sp.csc_array(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(cells), len(local))
    )
    return CandidateCoverage(cells, matrix, local, truncated)


def merge_rows(
    matrix: sp.sparray | sp.spmatrix, weights: np.ndarray
) -> tuple[sp.csc_array, np.ndarray, np.ndarray]:
    """Merge rows with identical covering sets (weights summed); drop rows nobody covers.

    Rows are grouped by two independent random 64-bit hashes of their column sets and
    their length (a false merge needs two 64-bit collisions at once).

    Returns
    -------
    (scipy.sparse.csc_array, numpy.ndarray, numpy.ndarray)
        The merged matrix, the summed weights, and for every input row its merged row
        (-1 for a row no candidate covers).

    Examples
    --------
    >>> a = sp.csr_array(np.array([[1, 0], [1, 0], [0, 1], [0, 0]]))
    >>> merged, w, group = merge_rows(a, np.array([1.0, 2.0, 5.0, 7.0]))
    >>> merged.toarray().tolist(), w.tolist(), group.tolist()
    ([[1.0, 0.0], [0.0, 1.0]], [3.0, 5.0], [0, 0, 1, -1])
    """
    csr = sp.csr_array(matrix, dtype=np.float64)
    csr.sum_duplicates()
    n_rows, n_cols = csr.shape
    weights = np.asarray(weights, dtype=np.float64)
    lengths = np.diff(csr.indptr)
    rng = np.random.default_rng(20240613)
    keys = rng.integers(0, 2**63, size=(2, max(n_cols, 1)), dtype=np.uint64)
    hashes = np.zeros((2, n_rows), dtype=np.uint64)
    filled = lengths > 0
    if filled.any():
        starts = csr.indptr[:-1][filled]
        for k in range(2):
            hashes[k, filled] = np.add.reduceat(keys[k][csr.indices], starts)
    table = np.column_stack([hashes[0], hashes[1], lengths.astype(np.uint64)])[filled]
    group = np.full(n_rows, -1, dtype=np.int64)
    if not filled.any():
        return sp.csc_array((0, n_cols)), np.zeros(0), group
    _, first, inverse = np.unique(table, axis=0, return_index=True, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    order = np.argsort(first, kind="stable")  # keep rows in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    group[filled] = rank[inverse]
    representatives = np.flatnonzero(filled)[first[order]]
    merged_weights = np.bincount(group[filled], weights=weights[filled], minlength=len(order))
    return sp.csc_array(csr[representatives]), merged_weights, group


def coarse_terrain(terrain: Terrain, factor: int) -> Terrain:
    """The terrain on cells ``factor`` times wider (block means): the shortlist's cheap grid.

    Examples
    --------
    >>> from affine import Affine
    >>> t = Terrain.from_array(np.arange(16.0).reshape(4, 4),
    ...                        transform=Affine(10, 0, 0, 0, -10, 40), crs="EPSG:32648")
    >>> coarse_terrain(t, 2).elevation_m.tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """
    if factor < 1:
        raise PlanningError(message("errors.planning.matrix_coarsening", factor=factor))
    rows, cols = terrain.shape
    out_rows, out_cols = math.ceil(rows / factor), math.ceil(cols / factor)
    padded = np.full((out_rows * factor, out_cols * factor), np.nan)
    padded[:rows, :cols] = terrain.elevation_m
    blocks = padded.reshape(out_rows, factor, out_cols, factor)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN blocks stay NaN
        elevation = np.nanmean(blocks, axis=(1, 3))
    transform = terrain.transform @ Affine.scale(factor)
    return Terrain.from_array(
        elevation,
        transform=transform,
        crs=terrain.crs,
        source=f"{terrain.source} (x{factor})",
        synthetic=terrain.synthetic,
    )


def coarse_cells(shape: tuple[int, int], factor: int) -> np.ndarray:
    """Flat index on the coarse grid of every fine cell (row-major), for summing people."""
    rows, cols = shape
    out_cols = math.ceil(cols / factor)
    r, c = np.divmod(np.arange(rows * cols), cols)
    return (r // factor) * out_cols + c // factor
