"""Text and colours of the map's popups and legends: all text goes through ``html.escape``.

Every piece of text that comes from data is HTML-escaped here before it reaches the page,
so a name like ``<img src=x onerror=alert(1)>`` shows as text.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

from coverage.gaps import slug

__all__ = ["OPERATOR_COLOURS", "format_number", "html_table", "operator_colours"]

#: Operator colours (others get the next free colour of ``_SPARE_COLOURS``).
OPERATOR_COLOURS = {
    "viettel": "#e31a1c",
    "vinaphone": "#1f78b4",
    "mobifone": "#6a3d9a",
    "vietnamobile": "#ff7f00",
    "gmobile": "#33a02c",
}
_SPARE_COLOURS = ("#b15928", "#01665e", "#c51b7d", "#666666", "#8c6d31", "#3690c0")
_ESC = html.escape


def format_number(value: Any, digits: int = 0) -> str:
    """A number with thousands separators, "–" for NaN; anything else as escaped text.

    Examples
    --------
    >>> format_number(12345.678), format_number(2.345, 1), format_number(float("nan"))
    ('12,346', '2.3', '–')
    >>> format_number("<b>")
    '&lt;b&gt;'
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return _ESC(str(value))
    if not math.isfinite(number):
        return "–"
    return f"{number:,.{digits}f}"


def html_table(rows: Sequence[tuple[str, str]]) -> str:
    """Rows of (escaped label, already formatted value) as a small HTML table.

    Examples
    --------
    >>> html_table([("people", "1,200")])
    "<table><tr><th>people</th><td class='num'>1,200</td></tr></table>"
    """
    body = "".join(
        f"<tr><th>{label}</th><td class='num'>{value}</td></tr>" for label, value in rows
    )
    return f"<table>{body}</table>"


def operator_colours(operators: Sequence[str]) -> dict[str, str]:
    """A colour per operator: its own from :data:`OPERATOR_COLOURS`, else the next spare.

    Examples
    --------
    >>> operator_colours(["Viettel", "Reddi"])
    {'Viettel': '#e31a1c', 'Reddi': '#b15928'}
    """
    colours: dict[str, str] = {}
    spare = iter(_SPARE_COLOURS * 4)
    for operator in operators:
        colours[operator] = OPERATOR_COLOURS.get(slug(operator)) or next(spare)
    return colours


def _technology_class(technology: Any) -> tuple[str, str]:
    """CSS class and one-character label for a technology (2G square, 3G diamond...)."""
    text = str(technology).upper()
    digit = next((ch for ch in text if ch.isdigit()), "")
    if not digit:
        digit = {"GSM": "2", "UMTS": "3", "WCDMA": "3", "LTE": "4", "NR": "5"}.get(text, "")
    return (f"t{digit}g" if digit in "2345" and digit else "t4g"), (digit or text[:1] or "?")
