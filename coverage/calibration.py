"""Tune a path-loss model to drive tests: robust fit, spatially blocked cross-validation.

Per model, operator and technology the calibration adds to the predicted loss

    loss_db += offset_db + slope_db_per_decade * log10(distance / 1 km)

(:func:`coverage.model.calibration_correction_db`), the usual tuning of Hata-type models
(an intercept and a distance slope; e.g. Mogensen & Wigard, COST 231 final report §4.4).
The two terms are fitted to ``measured - predicted`` with a Huber loss
(``scipy.optimize.least_squares(loss="huber")``, threshold 1.345 robust standard
deviations, Huber 1964), so that a few wild points (a lift, a tunnel) do not move them;
their standard errors come from the Jacobian at the solution (Gauss-Newton covariance
``s² (JᵀJ)⁻¹``).

The error after calibration is measured by **spatially blocked k-fold cross-validation**
(Roberts et al. 2017, *Ecography* 40:913): the points are cut into square blocks of
``block_m``; whole blocks are dealt to folds; each fold is predicted by terms fitted on the
other folds, leaving out of the fit every point closer than ``buffer_m`` to the fold. So no
nearby point sits on both sides of a fold, and ``rmse_after_cv_db`` is the error to expect
where the model has not seen a measurement.

A :class:`Calibration` is stored as a small JSON file (:meth:`Calibration.save`,
:func:`read_calibration`) and applied with ``calibration=`` by
:func:`coverage.model.predict`, :func:`coverage.analyse` and :func:`coverage.measured_error`.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.spatial import cKDTree

from coverage import __version__
from coverage.errors import CalibrationError, InputFileError
from coverage.i18n import message, term
from coverage.io.files import atomic_output, existing_file
from coverage.measured_error import matched_points
from coverage.model import CALIBRATION_MIN_DISTANCE_M

__all__ = [
    "BLOCK_M",
    "Calibration",
    "CalibrationTerms",
    "blocked_folds",
    "calibrate",
    "calibrate_points",
    "fit_terms",
    "read_calibration",
    "summary_lines",
]

BLOCK_M = 1000.0
"""Side of the square blocks dealt to cross-validation folds, m."""
FOLDS = 5
BUFFER_M = 200.0
"""Training points closer than this to a test fold are left out of that fold's fit, m."""
HUBER_K = 1.345
"""Huber threshold in robust standard deviations (95 % efficiency for normal errors)."""
FORMULA = "loss_db += offset_db + slope_db_per_decade * log10(distance_m / 1000)"


def _design(distance_m: np.ndarray) -> np.ndarray:
    distance = np.maximum(np.asarray(distance_m, dtype=float), CALIBRATION_MIN_DISTANCE_M)
    return np.c_[np.ones(len(distance)), np.log10(distance / 1000.0)]


def fit_terms(distance_m: np.ndarray, error_db: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Huber fit of ``error = offset + slope log10(d / 1 km)``: (terms, standard errors).

    ``error_db`` is ``measured - predicted`` loss, dB.

    Examples
    --------
    >>> d = np.geomspace(100, 10_000, 200)
    >>> terms, se = fit_terms(d, 4.0 + 12.0 * np.log10(d / 1000))
    >>> np.round(terms, 6).tolist()
    [4.0, 12.0]
    """
    x = _design(distance_m)
    y = np.asarray(error_db, dtype=float)
    if len(y) < 3:
        raise CalibrationError(message("errors.calibration.too_few_points", count=len(y)))
    ols = np.linalg.lstsq(x, y, rcond=None)[0]
    mad = float(np.median(np.abs(y - x @ ols - np.median(y - x @ ols)))) * 1.4826
    scale = HUBER_K * max(mad, 1e-6)
    fit = least_squares(lambda b: x @ b - y, ols, loss="huber", f_scale=scale, method="trf")
    n, p = x.shape
    jac = np.asarray(fit.jac)
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = 2.0 * float(fit.cost) / max(n - p, 1)
        covariance = s2 * np.linalg.pinv(jac.T @ jac)
    return np.asarray(fit.x), np.sqrt(np.diag(covariance))


def blocked_folds(x_m: np.ndarray, y_m: np.ndarray, *, block_m: float = BLOCK_M,
                  folds: int = FOLDS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Fold (0..folds-1) and block id of each point: whole square blocks dealt to folds.

    Blocks are shuffled (``seed``) and dealt in turn, so folds hold about as many blocks
    each; a block never spans two folds.

    Examples
    --------
    >>> fold, block = blocked_folds(np.array([10.0, 20.0, 1500.0]), np.zeros(3), folds=2)
    >>> bool(fold[0] == fold[1]), int(block[0]) == int(block[1]) != int(block[2])
    (True, True)
    """
    keys = np.c_[np.floor(np.asarray(x_m) / block_m), np.floor(np.asarray(y_m) / block_m)]
    _, block = np.unique(keys, axis=0, return_inverse=True)
    block = np.asarray(block).ravel()
    order = np.random.default_rng(seed).permutation(int(block.max()) + 1)
    fold_of_block = np.empty_like(order)
    fold_of_block[order] = np.arange(len(order)) % folds
    return fold_of_block[block], block


@dataclass(frozen=True)
class CalibrationTerms:
    """The fitted terms of one operator and technology, with their evidence."""

    operator: str
    technology: str
    offset_db: float
    offset_se_db: float
    slope_db_per_decade: float
    slope_se_db_per_decade: float
    n_points: int
    rmse_before_db: float
    rmse_after_fit_db: float
    rmse_after_cv_db: float


@dataclass(frozen=True)
class Calibration:
    """A drive-test calibration of one model (see the module docstring).

    Attributes
    ----------
    model
        The model it was fitted for: applying it to another raises.
    terms
        One :class:`CalibrationTerms` per operator and technology.
    rmse_before_db, rmse_after_cv_db
        Over every point: before, and after calibration under blocked cross-validation.
    folds
        The fold scheme (kind, block_m, folds, buffer_m, seed).
    flat_terrain
        Fitted without a DEM (flat ground at the measured elevations).
    antenna_pattern
        Whether the measured loss was compared with the sector pattern included (False:
        isotropic path loss, ``--isotropic-loss``); the terms correct the path loss either way.
    source
        Where it was read from or what it was fitted on, for messages and metadata.
    """

    model: str
    terms: tuple[CalibrationTerms, ...]
    rmse_before_db: float
    rmse_after_cv_db: float
    folds: dict[str, Any]
    flat_terrain: bool = False
    antenna_pattern: bool = True
    phusong_version: str = __version__
    source: str = field(default="calibration", compare=False)
    name: str = field(default="", compare=False)
    """The file's name (no folder) once saved or read, for outputs' metadata."""

    def describe(self) -> str:
        """One line for outputs' metadata: file name, model, terms, RMSE before and after.

        Examples
        --------
        >>> Calibration(model="hata", terms=(CalibrationTerms("Viettel", "4G", -2.0, 0.1,
        ...     5.0, 0.2, 100, 9.0, 7.0, 7.5),), rmse_before_db=9.0, rmse_after_cv_db=7.5,
        ...     folds={}, name="cal.json").describe()
        'cal.json: hata; Viettel 4G -2.00 dB +5.00 dB/decade; RMSE 9.00 -> 7.50 dB (CV)'
        """
        terms = "; ".join(
            f"{t.operator} {t.technology} {t.offset_db:+.2f} dB "
            f"{t.slope_db_per_decade:+.2f} dB/decade" for t in self.terms
        )  # fmt: skip
        return (f"{self.name or 'calibration'}: {self.model}; {terms}; RMSE "
                f"{self.rmse_before_db:.2f} -> {self.rmse_after_cv_db:.2f} dB (CV)")  # fmt: skip

    def loss_terms(self, model: str, operator: str, technology: str) -> tuple[float, float]:
        """(offset_db, slope_db_per_decade) for a site; (0, 0) for a pair not calibrated.

        Raises :class:`CalibrationError` naming the file when ``model`` is not its model.
        """
        if model != self.model:
            raise CalibrationError(
                message(
                    "errors.calibration.other_model",
                    source=self.source,
                    calibrated_repr=repr(self.model),
                    model_repr=repr(model),
                    model=model,
                    calibrated=self.model,
                )
            )
        for t in self.terms:
            if t.operator in (operator, "unknown") and t.technology in (technology, "unknown"):
                return t.offset_db, t.slope_db_per_decade
        return 0.0, 0.0

    def table(self) -> pd.DataFrame:
        """The terms as a table, one row per operator and technology."""
        return pd.DataFrame([asdict(t) for t in self.terms])

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (what :meth:`save` writes)."""
        return {
            "phusong_version": self.phusong_version,
            "model": self.model,
            "formula": FORMULA,
            "rmse_before_db": self.rmse_before_db,
            "rmse_after_cv_db": self.rmse_after_cv_db,
            "flat_terrain": self.flat_terrain,
            "antenna_pattern": self.antenna_pattern,
            "folds": self.folds,
            "terms": [asdict(t) for t in self.terms],
        }

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the calibration as indented JSON, atomically."""
        with atomic_output(Path(path), overwrite=overwrite) as tmp:
            Path(tmp).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return Path(path)


def read_calibration(path: str | os.PathLike[str]) -> Calibration:
    """Read a calibration written by :meth:`Calibration.save` (``phusong calibrate``).

    Raises
    ------
    InputFileError
        Not JSON, or not a phusong calibration (naming the file and the missing key).
    """
    path = existing_file(path, what="calibration")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        terms = tuple(CalibrationTerms(**t) for t in data["terms"])
        return Calibration(
            model=str(data["model"]), terms=terms,
            rmse_before_db=float(data["rmse_before_db"]),
            rmse_after_cv_db=float(data["rmse_after_cv_db"]), folds=dict(data["folds"]),
            flat_terrain=bool(data.get("flat_terrain", False)),
            antenna_pattern=bool(data.get("antenna_pattern", True)),
            phusong_version=str(data.get("phusong_version", "")),
            source=message("errors.calibration.file_source", path=path), name=path.name,
        )  # fmt: skip
    except (ValueError, KeyError, TypeError) as exc:
        raise InputFileError(
            message("errors.calibration.not_a_calibration", path=path, exc=repr(exc))
        ) from exc


def _rmse(values: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(values)))) if len(values) else math.nan


def calibrate_points(points: pd.DataFrame, *, block_m: float = BLOCK_M, folds: int = FOLDS,
                     buffer_m: float = BUFFER_M, seed: int = 0,
                     source: str = "calibration") -> Calibration:  # fmt: skip
    """Fit and cross-validate a calibration on :func:`coverage.measured_error.matched_points`."""
    models = sorted(set(points["model"]))
    if len(models) != 1:
        raise CalibrationError(message("errors.calibration.one_model", models=models))
    fold, _ = blocked_folds(points["x"].to_numpy(), points["y"].to_numpy(), block_m=block_m,
                            folds=folds, seed=seed)  # fmt: skip
    tree = cKDTree(np.c_[points["x"], points["y"]])
    error = (points["measured_loss_db"] - points["predicted_loss_db"]).to_numpy(float)
    distance = points["distance_m"].to_numpy(float)
    out_of_fold = np.full(len(points), np.nan)
    terms = []
    groups = points.groupby(["operator", "technology"]).indices
    for key, group_index in groups.items():
        operator, technology = (str(v) for v in cast(tuple[Any, Any], key))
        index = np.asarray(group_index)
        values, se = fit_terms(distance[index], error[index])
        correction = _design(distance[index]) @ values
        for k in range(folds):
            test = index[fold[index] == k]
            if len(test) == 0:
                continue
            near = tree.query_ball_point(np.c_[points["x"].iloc[test], points["y"].iloc[test]],
                                         buffer_m)  # fmt: skip
            excluded = set(np.concatenate([np.asarray(n, dtype=int) for n in near]).tolist())
            train = np.array([i for i in index[fold[index] != k] if i not in excluded], dtype=int)
            if len(train) < 3:
                raise CalibrationError(
                    message(
                        "errors.calibration.fold_too_small",
                        source=source,
                        fold=k + 1,
                        folds=folds,
                        count=len(train),
                        operator=operator,
                        technology=technology,
                    )
                )
            fold_terms, _ = fit_terms(distance[train], error[train])
            out_of_fold[test] = error[test] - _design(distance[test]) @ fold_terms
        terms.append(CalibrationTerms(
            operator=str(operator), technology=str(technology),
            offset_db=float(values[0]), offset_se_db=float(se[0]),
            slope_db_per_decade=float(values[1]), slope_se_db_per_decade=float(se[1]),
            n_points=len(index), rmse_before_db=_rmse(error[index]),
            rmse_after_fit_db=_rmse(error[index] - correction),
            rmse_after_cv_db=_rmse(out_of_fold[index]),
        ))  # fmt: skip
    return Calibration(
        model=models[0], terms=tuple(terms), rmse_before_db=_rmse(error),
        rmse_after_cv_db=_rmse(out_of_fold),
        folds={"kind": "square blocks dealt whole to folds", "block_m": block_m,
               "folds": folds, "buffer_m": buffer_m, "seed": seed},
        flat_terrain=bool(points.attrs.get("flat_terrain", False)),
        antenna_pattern=bool(points.attrs.get("antenna_pattern", True)), source=source,
    )  # fmt: skip


def calibrate(
    measurements: Any,
    towers: Any,
    terrain: Any = None,
    *,
    model: str = "diffraction",
    block_m: float = BLOCK_M,
    folds: int = FOLDS,
    buffer_m: float = BUFFER_M,
    seed: int = 0,
    **options: Any,
) -> Calibration:
    """Calibrate ``model`` to drive-test measurements (see the module docstring).

    Parameters
    ----------
    measurements, towers, terrain
        As :func:`coverage.measured_error.matched_points` (terrain None: flat ground).
    model
        The model to calibrate.
    block_m, folds, buffer_m, seed
        The blocked cross-validation: block side, number of folds, the gap kept between
        a fold and its training points, and the shuffle of blocks.
    **options
        Passed to :func:`coverage.measured_error.matched_points`.

    Returns
    -------
    Calibration

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from coverage.io.measurements import measurements_from_frame
    >>> from coverage.io.towers import towers_from_frame
    >>> towers = towers_from_frame(pd.DataFrame({"site_id": ["A"], "lon": [103.9],
    ...     "lat": [22.5], "operator": ["Viettel"], "tilt_deg": [0], "technology": ["4G"], "frequency_mhz": [1800], "eirp_dbm": [60],
    ...     "antenna_height_m": [30], "beamwidth_deg": [360]}))
    >>> rng = np.random.default_rng(1)
    >>> lon = 103.9 + rng.uniform(0.002, 0.05, 300) * rng.choice([-1, 1], 300)
    >>> points = measurements_from_frame(pd.DataFrame({"lon": lon, "lat": 22.5 +
    ...     rng.uniform(-0.03, 0.03, 300), "site_id": "A", "loss_db": 120.0}))
    >>> calibrate(points, towers, model="fspl").rmse_after_cv_db < 10
    True
    """
    source = str(measurements.attrs.get("source", term("measurements")))
    points = matched_points(measurements, towers, terrain, model=model, **options)
    label = message("errors.calibration.run_source", model=model, source=source)
    return calibrate_points(points, block_m=block_m, folds=folds, buffer_m=buffer_m,
                            seed=seed, source=label)  # fmt: skip


def summary_lines(calibration: Calibration) -> Sequence[str]:
    """Human-readable lines: RMSE before and after, the terms and their standard errors."""
    lines = [
        f"model {calibration.model}: RMSE before {calibration.rmse_before_db:.2f} dB, after "
        f"calibration (blocked {calibration.folds['folds']}-fold CV, "
        f"{calibration.folds['block_m']:g} m blocks) {calibration.rmse_after_cv_db:.2f} dB",
    ]
    if calibration.flat_terrain:
        lines.append("no DEM: the ground was taken as flat at the measured elevations")
    if not calibration.antenna_pattern:
        lines.append("measured loss taken as isotropic path loss: compared without the pattern")
    for t in calibration.terms:
        lines.append(
            f"  {t.operator} {t.technology} ({t.n_points} points): offset {t.offset_db:+.2f} "
            f"± {t.offset_se_db:.2f} dB, slope {t.slope_db_per_decade:+.2f} ± "
            f"{t.slope_se_db_per_decade:.2f} dB/decade; RMSE {t.rmse_before_db:.2f} -> "
            f"{t.rmse_after_cv_db:.2f} dB (CV)"
        )
    return lines
