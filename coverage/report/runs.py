"""Runs remembered: what one run saves so that the next report can say what changed.

:func:`save_run` writes, into one folder, the per-commune-and-operator figures and the
tower list (Parquet when pyarrow is installed, else CSV: both open formats) and a small
``run.json`` (tower list hash and counts per operator, model and its parameters,
thresholds, grid, date, phusong version). :func:`compare_runs` subtracts a previous run
from this one only when both used the same model, parameters, thresholds and grid;
otherwise it says why they are not comparable and subtracts nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coverage.analysis import Analysis
from coverage.errors import InputFileError
from coverage.gaps import slug
from coverage.i18n import message
from coverage.io.files import atomic_folder, existing_file
from coverage.io.towers import REQUIRED_COLUMNS

ANY_OPERATOR = "any operator"
"""The ``operator`` of the rows counting signal from any operator (as in ``Analysis.summary``)."""
CROSSING_SHARES = (0.5, 0.8, 0.95)
"""Coverage shares whose crossing, up or down, a report lists."""
RUN_FORMAT = "phusong-run/1"
PREDICT_PARAMETERS = (
    "radius_m",
    "rx_height_m",
    "k_factor",
    "environment",
    "clutter_loss_db",
    "eirp_is",
    "itm",
    "calibration",
)
"""The parameters of :func:`coverage.predict` a run records: runs that differ in any are
not comparable (and the report's plan section predicts again with them)."""


@dataclass(frozen=True)
class RunRecord:
    """One run's figures, towers and settings (what :func:`save_run` writes).

    Attributes
    ----------
    meta
        ``run.json``'s content: ``date``, ``phusong_version``, ``model``, ``parameters``,
        ``thresholds``, ``grid``, ``towers`` (``sha256``, ``count``, ``per_operator``).
    figures
        One row per commune and operator (``operator`` is :data:`ANY_OPERATOR` for any):
        ``commune``, ``name``, ``operator``, ``population``, ``covered_population``,
        ``uncovered_population``, ``covered_area_share``, ``coverage_share``.
    towers
        One row per tower: ``key`` (what identifies it), ``operator``, ``technology``,
        ``lon``, ``lat``.
    """

    meta: dict[str, Any]
    figures: pd.DataFrame = field(repr=False)
    towers: pd.DataFrame = field(repr=False)

    @classmethod
    def from_analysis(cls, analysis: Analysis, *, date: datetime | None = None) -> RunRecord:
        """The record of a finished :func:`coverage.analysis.analyse`."""
        from coverage import __version__

        result = analysis.result
        towers = tower_table(analysis)
        meta = {
            "format": RUN_FORMAT,
            "date": (date or datetime.now(UTC)).isoformat(timespec="seconds"),
            "phusong_version": __version__,
            "model": result.model,
            "parameters": {
                name: _plain(result.parameters.get(name)) for name in PREDICT_PARAMETERS
            },
            "thresholds": {
                str(tech): float(dbm)
                for tech, dbm in zip(
                    result.layers["technology"], result.layers["threshold_dbm"], strict=True
                )
            },
            "grid": {
                "crs": result.crs.to_string(),
                "transform": [float(v) for v in tuple(result.transform)[:6]],
                "shape": [int(n) for n in result.shape],
            },
            "towers": {
                "sha256": hashlib.sha256("\n".join(sorted(towers["key"])).encode()).hexdigest(),
                "count": len(towers),
                "per_operator": {
                    str(k): int(v) for k, v in towers.groupby("operator").size().items()
                },
            },
        }
        return cls(meta=meta, figures=commune_figures(analysis), towers=towers)


def _plain(value: Any) -> Any:
    """A JSON value: numbers, strings, booleans and None as they are, anything else as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | np.floating):
        return float(value)
    return str(value)


def tower_table(analysis: Analysis) -> pd.DataFrame:
    """The run's towers with a key made of their identity, radio and position (1e-6 degree).

    A tower whose position or radio changed between two runs counts as removed and added.
    """
    towers = analysis.result.towers
    lonlat = towers.to_crs("EPSG:4326") if len(towers) else towers
    table = pd.DataFrame(
        {
            "operator": towers["operator"].astype(str).to_numpy() if len(towers) else [],
            "technology": towers["technology"].astype(str).to_numpy() if len(towers) else [],
            "lon": np.round(lonlat.geometry.x.to_numpy(), 6) if len(towers) else [],
            "lat": np.round(lonlat.geometry.y.to_numpy(), 6) if len(towers) else [],
        }
    )
    parts = [towers[name].astype(str).to_numpy() for name in REQUIRED_COLUMNS if name in towers]
    parts += [table["lon"].map("{:.6f}".format), table["lat"].map("{:.6f}".format)]
    table.insert(
        0,
        "key",
        ["|".join(map(str, row)) for row in zip(*parts, strict=True)] if len(towers) else [],
    )
    return table


def commune_figures(analysis: Analysis) -> pd.DataFrame:
    """People and shares with signal, per commune and operator (and for any operator)."""
    communes = analysis.communes
    if "commune_id" in communes and communes["commune_id"].notna().all():
        key = communes["commune_id"].astype(str)
    else:
        key = communes["name"].astype(str)
    operators = sorted(set(analysis.result.layers["operator"].astype(str)))
    pieces = []
    for label, column in [(ANY_OPERATOR, "any"), *((op, slug(op)) for op in operators)]:
        population = communes["population"].astype(float)
        covered = communes[f"covered_population_{column}"].astype(float)
        area_share = communes[f"covered_share_{column}"].astype(float)
        people_share = covered / population.where(population > 0)
        pieces.append(
            pd.DataFrame(
                {
                    "commune": key.to_numpy(),
                    "name": communes["name"].astype(str).to_numpy(),
                    "operator": label,
                    "population": population.to_numpy(),
                    "covered_population": covered.to_numpy(),
                    "uncovered_population": communes[f"uncovered_population_{column}"]
                    .astype(float)
                    .to_numpy(),
                    "covered_area_share": area_share.to_numpy(),
                    "coverage_share": people_share.fillna(area_share).to_numpy(),
                }
            )
        )
    return pd.concat(pieces, ignore_index=True)


def _table_format() -> str:
    return "parquet" if find_spec("pyarrow") is not None else "csv"


def save_run(record: RunRecord, folder: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write a run's record into ``folder`` (``run.json``, figures and towers tables).

    Tables are Parquet when pyarrow is installed, else CSV (UTF-8); the folder appears
    whole or not at all.

    Examples
    --------
    >>> import tempfile
    >>> record = RunRecord({"format": RUN_FORMAT}, pd.DataFrame({"name": ["Y Tý"]}),
    ...                    pd.DataFrame({"key": []}))
    >>> folder = save_run(record, Path(tempfile.mkdtemp()) / "run")
    >>> load_run(folder).figures["name"].tolist()
    ['Y Tý']
    """
    ext = _table_format()
    names = {"figures": f"figures.{ext}", "towers": f"towers.{ext}"}
    meta = {**record.meta, "files": names}
    with atomic_folder(folder, names=["run.json", *names.values()], overwrite=overwrite) as staging:
        for what, name in names.items():
            frame = record.figures if what == "figures" else record.towers
            if ext == "parquet":
                frame.to_parquet(staging / name, index=False)
            else:
                frame.to_csv(staging / name, index=False, encoding="utf-8")
        (staging / "run.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return Path(folder)


def load_run(folder: str | os.PathLike[str]) -> RunRecord:
    """Read a folder written by :func:`save_run`."""
    path = existing_file(Path(folder) / "run.json", what="previous run (--previous)")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        if meta.get("format") != RUN_FORMAT:
            raise ValueError(
                message(
                    "errors.report.run_format",
                    found=repr(meta.get("format")),
                    expected=repr(RUN_FORMAT),
                )
            )
        tables = {}
        for what in ("figures", "towers"):
            name = Path(folder) / meta["files"][what]
            if name.suffix == ".parquet":
                tables[what] = pd.read_parquet(name)
            else:
                tables[what] = pd.read_csv(
                    name,
                    dtype={"commune": str, "name": str, "key": str, "operator": str},
                    keep_default_na=False,
                    na_values=[""],
                )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputFileError(
            message("errors.report.run_unreadable", folder=folder, exc=exc)
        ) from exc
    return RunRecord(meta=meta, figures=tables["figures"], towers=tables["towers"])


@dataclass(frozen=True)
class RunChange:
    """What changed between a previous run and this one.

    Attributes
    ----------
    previous
        The previous run's ``run.json``.
    reasons
        Why the runs are not comparable: ``(message id, previous, current)`` for each
        difference of model, parameters, thresholds or grid; empty when comparable.
    towers
        Per operator: ``added``, ``removed`` (None when not comparable).
    people
        Per commune and operator: ``previous``, ``current``, ``change`` of people with
        signal (None when not comparable).
    crossed
        Communes whose share with signal from any operator crossed one of
        :data:`CROSSING_SHARES`: ``name``, ``share``, ``direction`` (``up``/``down``),
        ``previous_share``, ``current_share`` (None when not comparable).
    """

    previous: dict[str, Any]
    reasons: list[tuple[str, str, str]]
    towers: pd.DataFrame | None = None
    people: pd.DataFrame | None = None
    crossed: pd.DataFrame | None = None

    @property
    def comparable(self) -> bool:
        return not self.reasons


def _not_comparable(
    current: dict[str, Any], previous: dict[str, Any]
) -> list[tuple[str, str, str]]:
    reasons = []
    for reason_id, key in (
        ("reason.model", "model"),
        ("reason.parameters", "parameters"),
        ("reason.thresholds", "thresholds"),
    ):
        before, now = previous.get(key), current.get(key)
        if isinstance(before, dict) and isinstance(now, dict):
            # thresholds: only technologies in both runs (a new technology changes nothing)
            names = sorted(
                n
                for n in ({*before, *now} if key == "parameters" else {*before} & {*now})
                if before.get(n) != now.get(n)
            )
            before = {n: before.get(n) for n in names}
            now = {n: now.get(n) for n in names}
        if before != now:
            reasons.append((reason_id, _describe(before), _describe(now)))
    before, now = previous.get("grid", {}), current["grid"]
    same_grid = (
        before.get("crs") == now["crs"]
        and before.get("shape") == now["shape"]
        and len(before.get("transform", [])) == 6
        and all(
            math.isclose(a, b, abs_tol=1e-6)
            for a, b in zip(before["transform"], now["transform"], strict=True)
        )
    )
    if not same_grid:
        reasons.append(("reason.grid", _describe_grid(before), _describe_grid(now)))
    return reasons


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _describe_grid(grid: dict[str, Any]) -> str:
    transform = grid.get("transform") or [math.nan] * 6
    shape = grid.get("shape") or ["?", "?"]
    return f"{grid.get('crs')} {shape[0]}×{shape[1]} cells of {abs(transform[0]):g} m from ({transform[2]:.1f}, {transform[5]:.1f})"


def compare_runs(current: RunRecord, previous: RunRecord) -> RunChange:
    """This run minus the previous one, or why they cannot be compared.

    Examples
    --------
    >>> grid = {"crs": "EPSG:32648", "transform": [250, 0, 0, 0, -250, 0], "shape": [2, 2]}
    >>> meta = {"model": "hata", "parameters": {}, "thresholds": [], "grid": grid}
    >>> empty = pd.DataFrame(columns=["commune", "name", "operator", "covered_population",
    ...                               "coverage_share"])
    >>> towers = pd.DataFrame(columns=["key", "operator"])
    >>> change = compare_runs(RunRecord(meta, empty, towers),
    ...                       RunRecord({**meta, "model": "itm"}, empty, towers))
    >>> change.comparable, change.reasons
    (False, [('reason.model', 'itm', 'hata')])
    """
    reasons = _not_comparable(current.meta, previous.meta)
    if reasons:
        return RunChange(previous=previous.meta, reasons=reasons)
    return RunChange(
        previous=previous.meta,
        reasons=[],
        towers=_tower_change(current.towers, previous.towers),
        people=_people_change(current.figures, previous.figures),
        crossed=_crossings(current.figures, previous.figures),
    )


def _tower_change(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    now, before = set(current["key"]), set(previous["key"])
    operators = sorted({*current["operator"].astype(str), *previous["operator"].astype(str)})
    rows = []
    for operator in operators:
        mine_now = set(current.loc[current["operator"].astype(str) == operator, "key"])
        mine_before = set(previous.loc[previous["operator"].astype(str) == operator, "key"])
        rows.append(
            {
                "operator": operator,
                "added": len(mine_now - before),
                "removed": len(mine_before - now),
            }
        )
    return pd.DataFrame(rows, columns=["operator", "added", "removed"])


def _people_change(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    keys = ["commune", "operator"]
    merged = current[[*keys, "name", "covered_population"]].merge(
        previous[[*keys, "covered_population"]],
        on=keys,
        how="outer",
        suffixes=("_current", "_previous"),
    )
    frame = pd.DataFrame(
        {
            "commune": merged["commune"],
            "name": merged["name"].fillna(merged["commune"]),
            "operator": merged["operator"],
            "previous": merged["covered_population_previous"],
            "current": merged["covered_population_current"],
        }
    )
    frame["change"] = frame["current"] - frame["previous"]
    return frame.reset_index(drop=True)


def _crossings(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    any_now = current[current["operator"] == ANY_OPERATOR]
    any_before = previous[previous["operator"] == ANY_OPERATOR]
    merged = any_now[["commune", "name", "coverage_share"]].merge(
        any_before[["commune", "coverage_share"]], on="commune", suffixes=("_current", "_previous")
    )
    rows = []
    for name, before, now in zip(
        merged["name"],
        merged["coverage_share_previous"].astype(float),
        merged["coverage_share_current"].astype(float),
        strict=True,
    ):
        for share in CROSSING_SHARES:
            if before < share <= now or now < share <= before:
                rows.append(
                    {
                        "name": name,
                        "share": share,
                        "direction": "up" if now >= share else "down",
                        "previous_share": before,
                        "current_share": now,
                    }
                )
    return pd.DataFrame(
        rows, columns=["name", "share", "direction", "previous_share", "current_share"]
    )
