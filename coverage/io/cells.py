"""Spreadsheet cells as people type them: blanks, text, numbers with a unit.

The readers of tabular inputs (:mod:`coverage.io.tables`, :mod:`coverage.io.towers`)
read every cell through these helpers, and collect the cells they cannot use in one
:class:`CellProblems`, so that a single :class:`SchemaError` lists all of them with
their row, column and value.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from coverage import operators
from coverage.errors import SchemaError
from coverage.i18n import message

MAX_LISTED = 10
"""How many bad rows a message lists before ``... and N more``."""

__all__ = [
    "MAX_LISTED",
    "CellProblems",
    "RowLabel",
    "cell_text",
    "is_blank",
    "is_number",
    "parse_quantity",
    "plain",
]


class RowLabel(str):
    """A row of an input as its messages name it: ``"row 3"`` (``"dòng 3"`` in Vietnamese).

    Written in the language current when the label is made (:func:`coverage.i18n.language`;
    the command line chooses it before reading anything), so a reader's labels speak the
    language of the errors they end up in. ``number`` keeps the row's number for what must
    not depend on the language (a default site id ``row-3``).

    Examples
    --------
    >>> from coverage.i18n import language
    >>> label = RowLabel(3)
    >>> label, label.number
    ('row 3', 3)
    >>> with language("vi"):
    ...     RowLabel(3)
    'dòng 3'
    """

    number: int

    def __new__(cls, number: int, text: str | None = None) -> RowLabel:
        label = super().__new__(
            cls, message("errors.label_row", row=number) if text is None else text
        )
        label.number = number
        return label

    def __getnewargs__(self) -> tuple[int, str]:  # type: ignore[override]
        # copies and pickles (pandas attrs, Dask) keep the number and the words
        return self.number, str(self)


def plain(value: Any) -> str:
    """Lower-case ASCII words of a cell or header: diacritics removed, punctuation to spaces.

    Examples
    --------
    >>> plain("Tần số (MHz)"), plain("Đơn vị")
    ('tan so mhz', 'don vi')
    """
    return operators._plain(str(value))


def is_blank(value: Any) -> bool:
    """True for an empty cell: None, NaN, or text that is only whitespace.

    Examples
    --------
    >>> is_blank(None), is_blank(float("nan")), is_blank("  "), is_blank(0)
    (True, True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def is_number(value: Any) -> bool:
    """True for a Python or numpy number that is not a bool."""
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def cell_text(value: Any) -> str:
    """A cell as text; whole floats lose their ``.0`` (Excel stores 1001 as 1001.0).

    Examples
    --------
    >>> cell_text(1001.0), cell_text(" LCI001 ")
    ('1001', 'LCI001')
    """
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


_VALUE_WITH_UNIT = re.compile(r"^\s*([-+\u2212]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*([a-zA-Zđ°]*)\s*$")


def parse_quantity(value: Any) -> tuple[float, str]:
    """(number, plain unit suffix) of a cell; blank gives ``(nan, "")``.

    A decimal comma is accepted; a cell holding several values (``"900/1800"``) or both
    a decimal comma and a decimal point raises ``ValueError`` saying why.

    Examples
    --------
    >>> parse_quantity("20 W"), parse_quantity("1,5"), parse_quantity(42)
    ((20.0, 'w'), (1.5, ''), (42.0, ''))
    """
    if is_number(value):
        return float(value), ""
    if is_blank(value):
        return math.nan, ""
    text = str(value).replace("\u00a0", " ").strip()
    try:
        return float(text), ""  # the common case: a plain number
    except ValueError:
        pass
    match = _VALUE_WITH_UNIT.match(text)
    if match is None:
        if re.search(r"\d\s*[/;&]\s*\d", text):
            raise ValueError(message("errors.cell_several_values"))
        raise ValueError(message("errors.cell_not_a_number"))
    number = match.group(1).replace("\u2212", "-")
    if "," in number and "." in number:
        raise ValueError(message("errors.cell_comma_and_point"))
    return float(number.replace(",", ".")), plain(match.group(2)).replace(" ", "")


class CellProblems:
    """Collects the cells that cannot be used, so one :class:`SchemaError` lists them all.

    Examples
    --------
    >>> problems = CellProblems("tower file t.csv")
    >>> problems.add("row 3", "Tần số", "9OO", "not a number")
    >>> problems.raise_if_any("Fix these cells.")
    Traceback (most recent call last):
    ...
    coverage.errors.SchemaError: tower file t.csv: 1 value(s) cannot be used:
      row 3, column 'Tần số', value '9OO': not a number
    Fix these cells.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []

    def add(self, row: str, column: Any, value: Any, reason: str) -> None:
        """Record one bad cell: its row label, column, raw value and what is wrong."""
        line = message(
            "errors.cell_line", row=row, column=str(column), value=str(value), reason=reason
        )
        self.lines.append(line)

    def raise_if_any(self, advice: str) -> None:
        """Raise :class:`SchemaError` listing the recorded cells, then ``advice``."""
        if not self.lines:
            return
        shown = "\n  ".join(self.lines[:MAX_LISTED])
        extra = len(self.lines) - MAX_LISTED
        more = message("errors.cells_more", count=extra) if extra > 0 else ""
        raise SchemaError(
            message(
                "errors.cells_unusable",
                source=self.source,
                count=len(self.lines),
                shown=shown,
                more=more,
                advice=advice,
            )
        )
