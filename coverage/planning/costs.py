"""The cost table of a plan: what a new build and a co-location cost.

The defaults are round planning figures in US dollars, **defaults to override** with the
operator's own quotes (:func:`read_cost_table`): a new rural macro site (land, civil works,
a 30-40 m lattice tower, power with batteries/solar, RAN equipment, microwave backhaul)
of about USD 100,000, and a co-location on an existing mast (antennas, RAN equipment,
cabinet, structural check, rent not included) of about USD 30,000, i.e. passive sharing
saves most of the civil-works share of a site. Those orders of magnitude are those of
GSMA's "Closing the coverage gap" reports (2019-2023) and of the ITU's infrastructure
sharing guidance (ITU "Trends in Telecommunication Reform 2008: six degrees of sharing");
they are not quotes from either, and no Vietnamese operator published its costs.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from coverage.errors import PlanningError
from coverage.i18n import message
from coverage.io.cells import parse_quantity, plain

__all__ = ["DEFAULT_COSTS", "CostTable", "read_cost_table"]


@dataclass(frozen=True)
class CostTable:
    """Cost of each kind of site, in one currency.

    Examples
    --------
    >>> DEFAULT_COSTS.cost_of("co-location"), DEFAULT_COSTS.currency
    (30000.0, 'USD')
    """

    new: float = 100_000.0
    co_location: float = 30_000.0
    currency: str = "USD"

    def cost_of(self, kind: str) -> float:
        """Cost of a ``"new"`` or ``"co-location"`` site."""
        if kind == "new":
            return self.new
        if kind == "co-location":
            return self.co_location
        raise PlanningError(message("errors.planning.costs_unknown_kind", kind=repr(kind)))


DEFAULT_COSTS = CostTable()
"""Default figures (see the module docstring): override them with your own."""

_KINDS = {"new": "new", "new build": "new", "xay moi": "new", "co location": "co_location",
          "colocation": "co_location", "dung chung": "co_location"}  # fmt: skip


def read_cost_table(path: str | os.PathLike[str]) -> CostTable:
    """A cost table from CSV or XLSX: columns ``kind`` and ``cost`` (optional ``currency``).

    ``kind`` is ``new`` (also ``new build``, ``xây mới``) or ``co-location`` (also
    ``colocation``, ``dùng chung``); kinds left out keep their default.

    Raises
    ------
    PlanningError
        Naming the file and row of text where a number was expected, a negative cost, an
        unknown kind, or a missing column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "costs.csv"
    >>> _ = path.write_text("kind,cost,currency\\nnew,2500000000,VND\\nco-location,7e8,VND\\n")
    >>> read_cost_table(path)
    CostTable(new=2500000000.0, co_location=700000000.0, currency='VND')
    """
    from coverage.io.files import existing_file
    from coverage.io.tables import read_table

    path = existing_file(path, what="cost table")
    frame, labels = read_table(path, what="cost table", known_headers={"kind", "cost", "currency"})
    columns = {plain(c): c for c in frame.columns}
    if "kind" not in columns or "cost" not in columns:
        raise PlanningError(
            message("errors.planning.costs_columns", path=path, columns=list(frame.columns))
        )
    values = {"new": DEFAULT_COSTS.new, "co_location": DEFAULT_COSTS.co_location}
    currency = DEFAULT_COSTS.currency
    for label, kind, cost, unit in zip(
        labels,
        frame[columns["kind"]],
        frame[columns["cost"]],
        frame[columns["currency"]] if "currency" in columns else [None] * len(frame),
        strict=True,
    ):
        key = _KINDS.get(plain(kind).replace("-", " "))
        if key is None:
            raise PlanningError(
                message("errors.planning.costs_row_kind", path=path, label=label, kind=repr(kind))
            )
        try:
            number, suffix = parse_quantity(cost)
        except ValueError:
            number, suffix = math.nan, "text"
        if suffix or not math.isfinite(number) or number < 0:
            raise PlanningError(
                message("errors.planning.costs_row_cost", path=path, label=label, cost=repr(cost))
            )
        values[key] = number
        if unit is not None and str(unit).strip():
            currency = str(unit).strip()
    return CostTable(new=values["new"], co_location=values["co_location"], currency=currency)
