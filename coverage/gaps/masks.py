"""Which cells each operator covers, and the names gap rows and columns carry.

``NO_OPERATOR`` labels the places no operator covers; :func:`slug` gives the ASCII forms
used in column names and gap ids; :func:`coverage_masks` the covered cells per operator
and technology.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from coverage.errors import SchemaError
from coverage.grid import Grid
from coverage.i18n import message
from coverage.model import CoverageResult
from coverage.names import strip_diacritics

#: ``operator`` value of gaps that no operator covers (``gap_polygons(operator=None)``).
NO_OPERATOR = "no operator"


def slug(text: str) -> str:
    """ASCII snake_case form of an operator or technology name, for column names.

    Examples
    --------
    >>> slug("VNPT-Vinaphone"), slug("4G"), slug("Viettel"), slug("Lào Cai / Đà Nẵng")
    ('vnpt_vinaphone', '4g', 'viettel', 'lao_cai_da_nang')
    """
    folded = strip_diacritics(str(text)).lower()
    return re.sub(r"[^0-9a-z]+", "_", folded).strip("_") or "unnamed"


def check_operator_names(names: Any) -> None:
    """Refuse operator names that collide with the label of places nobody covers.

    ``no operator`` (in any spelling with the same :func:`slug`) is reserved: its gap rows
    and ids would merge with those of the places no operator covers.

    Examples
    --------
    >>> check_operator_names(["Viettel", "VNPT"])
    >>> check_operator_names(["No-Operator"])
    Traceback (most recent call last):
    ...
    coverage.errors.SchemaError: operator name 'No-Operator' is reserved for the places no operator covers; rename that operator in the tower list.
    """
    for name in dict.fromkeys(str(n) for n in names):
        if slug(name) == slug(NO_OPERATOR):
            raise SchemaError(message("errors.gaps.reserved_operator", name=repr(name)))


def coverage_masks(result: CoverageResult) -> dict[tuple[str, str | None], np.ndarray]:
    """Covered masks keyed ``(operator, technology)``; technology None = any of its layers.

    Computed from ``result.covered`` and ``result.layers`` (row positions), so layers in
    any order work. A result without layers gives an empty dict.
    """
    if len(result.layers) == 0:
        return {}
    covered = result.covered
    masks: dict[tuple[str, str | None], np.ndarray] = {}
    operators = result.layers["operator"].astype(str).to_numpy()
    technologies = result.layers["technology"].astype(str).to_numpy()
    for operator in dict.fromkeys(operators):
        positions = np.flatnonzero(operators == operator)
        masks[(operator, None)] = np.asarray(covered[positions].any(axis=0))
        for technology in dict.fromkeys(technologies[positions]):
            layer = positions[technologies[positions] == technology]
            masks[(operator, technology)] = np.asarray(covered[layer].any(axis=0))
    return masks


def covered_for(result: CoverageResult, operator: str | None) -> np.ndarray:
    """Cells ``operator`` covers with any of its layers; None: cells any operator covers."""
    if operator is None:
        return result.covered_any
    masks = coverage_masks(result)
    if (operator, None) in masks:
        return masks[(operator, None)]
    known = sorted({op for op, _ in masks})
    raise SchemaError(
        message(
            "errors.gaps.no_operator_layer",
            operator=repr(operator),
            present=", ".join(known) if known else message("errors.gaps.no_layers"),
        )
    )


def cell_area_km2(grid: Grid) -> float:
    """Area of one grid cell, km²."""
    return abs(grid.transform.a * grid.transform.e) / 1e6
