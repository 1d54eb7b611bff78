"""Which column of a tower list holds which field, and in which unit.

Headers are recognised from :data:`HEADER_ALIASES` (the Vietnamese and English names that
operators and departments use, compared without case, diacritics or a bracketed unit);
OpenCelliD exports from their own schema, :data:`OPENCELLID_COLUMNS`, with or without a
header row. Radio cells are converted to the normalised units of
:mod:`coverage.io.towers` (MHz, m, dBm, degrees) from the unit in the cell, a unit column
or the header, then checked against :data:`VALID_RANGES`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from coverage.i18n import message
from coverage.io.cells import CellProblems, cell_text, is_blank, parse_quantity, plain
from coverage.io.tables import split_header

#: Physically sensible ranges; values outside raise :class:`~coverage.errors.SchemaError`.
VALID_RANGES: dict[str, tuple[float, float]] = {
    "frequency_mhz": (100.0, 6000.0),
    "antenna_height_m": (0.0, 300.0),
    "eirp_dbm": (0.0, 90.0),
    "azimuth_deg": (-360.0, 360.0),
    "beamwidth_deg": (1.0, 360.0),
    "tilt_deg": (-20.0, 30.0),
}

#: Accepted headers per field, compared after lower-casing, removing diacritics
#: (đ -> d), dropping a unit in brackets ("Tần số (MHz)") and collapsing punctuation.
#: The first match in this order wins; a field's own name always comes first.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "site_id": ("site id", "ma tram", "ma so tram", "ma vi tri", "siteid", "site", "ten tram",
                "site name", "station", "tram"),
    "operator": ("operator", "nha mang", "doanh nghiep", "nha khai thac", "mang", "carrier",
                 "network", "nha cung cap"),
    "technology": ("technology", "cong nghe", "radio", "tech", "rat", "loai cong nghe"),
    "frequency_mhz": ("frequency mhz", "frequency", "tan so", "freq", "bang tan",
                      "frequency ghz"),
    "antenna_height_m": ("antenna height m", "do cao anten", "chieu cao anten",
                         "antenna height", "chieu cao", "height", "height m", "do cao cot",
                         "chieu cao cot", "ant height", "do cao treo anten"),
    "eirp_dbm": ("eirp dbm", "eirp", "cong suat phat", "cong suat", "eirp w", "eirp dbw",
                 "power", "tx power"),
    "azimuth_deg": ("azimuth deg", "azimuth", "huong", "huong anten", "goc phuong vi",
                    "phuong vi", "goc huong", "az"),
    "beamwidth_deg": ("beamwidth deg", "beamwidth", "do rong bup song", "beam width",
                      "hpbw", "do rong bup", "goc mo"),
    "tilt_deg": ("tilt deg", "tilt", "goc nghieng", "do nghieng", "downtilt"),
    "lon": ("lon", "longitude", "kinh do", "long", "lng", "x", "easting"),
    "lat": ("lat", "latitude", "vi do", "y", "northing"),
}  # fmt: skip

_EIRP_UNIT_HEADERS = ("eirp unit", "don vi cong suat", "don vi eirp", "power unit", "don vi",
                      "unit")  # fmt: skip
_HEADER_UNITS = {"frequency ghz": "ghz", "frequency mhz": "mhz", "eirp w": "w", "eirp dbw": "dbw"}
_POWER_TO_DBM: dict[str, Callable[[float], float]] = {
    "dbm": lambda p: p,
    "dbw": lambda p: p + 30.0,
    "w": lambda p: 10.0 * math.log10(p) + 30.0 if p > 0 else math.nan,
    "mw": lambda p: 10.0 * math.log10(p) if p > 0 else math.nan,
    "kw": lambda p: 10.0 * math.log10(p) + 60.0 if p > 0 else math.nan,
}
_FREQUENCY_TO_MHZ = {"mhz": 1.0, "ghz": 1000.0, "khz": 1e-3}
_DEGREE_UNITS = ("", "do", "deg", "degree", "degrees", "o")


def _split_header(header: Any) -> tuple[str, str]:
    """(plain name, plain unit) of a header: ``"Tần số (MHz)"`` -> ``("tan so", "mhz")``.

    Headers that carry their unit in the name (``Frequency GHz``) get that unit.
    """
    base, unit = split_header(header)
    return base, _HEADER_UNITS.get(base, unit)


#: Every accepted header, plain (for finding the header row of a sheet).
KNOWN_HEADERS = {a for names in HEADER_ALIASES.values() for a in names} | {
    f.replace("_", " ") for f in HEADER_ALIASES
}


def match_headers(
    columns: Sequence[Any], aliases: Mapping[str, Sequence[str]] | None = None
) -> dict[str, tuple[Any, str]]:
    """``{field: (column, unit)}`` for the columns recognised by ``aliases`` (default
    :data:`HEADER_ALIASES`); a column serves one field, a field's first alias wins.

    Examples
    --------
    >>> match_headers(["Mã trạm", "Tần số (GHz)", "Ghi chú"])
    {'site_id': ('Mã trạm', ''), 'frequency_mhz': ('Tần số (GHz)', 'ghz')}
    """
    parsed = {column: _split_header(column) for column in columns}
    found: dict[str, tuple[Any, str]] = {}
    used: set[Any] = set()
    for field, names in (HEADER_ALIASES if aliases is None else aliases).items():
        for alias in (field.replace("_", " "), *names):
            hits = [c for c in columns if parsed[c][0] == alias and c not in used]
            if hits:
                found[field] = (hits[0], parsed[hits[0]][1])
                used.add(hits[0])
                break
    return found


def field_cells(frame: pd.DataFrame, headers: dict[str, tuple[Any, str]], field: str) -> list[Any]:
    """The raw cells of the column recognised as ``field`` (all None when there is none)."""
    return frame[headers[field][0]].tolist() if field in headers else [None] * len(frame)


def convert_cell(field: str, raw: Any, header_unit: str, cell_unit: str) -> float:
    """One radio cell to the normalised unit of ``field`` (NaN when blank).

    The unit written in the cell wins, then ``cell_unit`` (a unit column), then the
    header's; a unit that does not fit the field raises ``ValueError`` saying which fit.

    Examples
    --------
    >>> convert_cell("eirp_dbm", "20 W", "", ""), convert_cell("frequency_mhz", 2.1, "ghz", "")
    (43.01029995663981, 2100.0)
    """
    number, suffix = parse_quantity(raw)
    if math.isnan(number):
        return math.nan
    unit = suffix or cell_unit or header_unit
    if field == "eirp_dbm":
        unit = unit or "dbm"
        if unit not in _POWER_TO_DBM:
            raise ValueError(message("errors.unit_power", unit=unit))
        converted = _POWER_TO_DBM[unit](number)
        if math.isnan(converted):
            raise ValueError(message("errors.unit_power_positive"))
        return converted
    if field == "frequency_mhz":
        unit = unit or "mhz"
        if unit not in _FREQUENCY_TO_MHZ:
            raise ValueError(message("errors.unit_frequency", unit=unit))
        return number * _FREQUENCY_TO_MHZ[unit]
    if field == "antenna_height_m":
        if unit not in ("", "m", "met"):
            raise ValueError(message("errors.unit_height", unit=unit))
        return number
    if unit not in _DEGREE_UNITS:
        raise ValueError(message("errors.unit_angle", unit=unit))
    return number


def eirp_unit_column(
    frame: pd.DataFrame, columns: Sequence[Any], headers: dict[str, tuple[Any, str]]
) -> Any:
    """A column naming the EIRP unit per row (``W``/``dBm``...), if the table has one."""
    used = {column for column, _ in headers.values()}
    for column in columns:
        if column in used or _split_header(column)[0] not in _EIRP_UNIT_HEADERS:
            continue
        values = {plain(v).replace(" ", "") for v in frame[column].tolist() if not is_blank(v)}
        if values and values <= set(_POWER_TO_DBM):
            return column
    return None


def check_ranges(
    out: dict[str, Any], labels: list[str], headers: dict[str, tuple[Any, str]], source: str
) -> None:
    """Raise :class:`~coverage.errors.SchemaError` naming each value outside :data:`VALID_RANGES`."""
    problems = CellProblems(source)
    for field, (low, high) in VALID_RANGES.items():
        values = out[field]
        with np.errstate(invalid="ignore"):
            bad = (values < low) | (values > high)
        column = (
            headers[field][0]
            if field in headers
            else message("errors.io.default_column", field=field)
        )
        for i in np.flatnonzero(bad):
            reason = message("errors.value_range", field=field, low=f"{low:g}", high=f"{high:g}")
            problems.add(labels[i], column, f"{values[i]:g}", reason)
    problems.raise_if_any(message("errors.towers_implausible"))


# ----------------------------------------------------------------------------- OpenCelliD


OPENCELLID_COLUMNS = (
    "radio", "mcc", "net", "area", "cell", "unit", "lon", "lat",
    "range", "samples", "changeable", "created", "updated", "averageSignal",
)  # fmt: skip


def opencellid_header(first_row: Sequence[Any]) -> list[str] | None:
    """OpenCelliD's column names when ``first_row`` is a headerless OpenCelliD export row."""
    looks_like = (
        len(first_row) in (13, 14)
        and str(first_row[0]).strip().upper() in ("GSM", "UMTS", "LTE", "NR", "CDMA")
        and str(first_row[1]).strip().isdigit()
    )
    return list(OPENCELLID_COLUMNS[: len(first_row)]) if looks_like else None


def is_opencellid(columns: Sequence[Any]) -> bool:
    """True when the columns are OpenCelliD's (``radio``, ``mcc``, ``net``, ``area``, ``cell``)."""
    return {"radio", "mcc", "net", "area", "cell"} <= {plain(c) for c in columns}


def opencellid_keys(
    frame: pd.DataFrame, columns: Sequence[Any], labels: list[str], problems: CellProblems
) -> list[tuple[int, int, str, int, int] | None]:
    """(mcc, mnc, radio, area, cell) of each OpenCelliD row; None where unreadable."""
    by_name = {plain(c): c for c in columns}
    cells = {
        name: frame[by_name[name]].tolist() for name in ("radio", "mcc", "net", "area", "cell")
    }
    keys: list[tuple[int, int, str, int, int] | None] = []
    for i in range(len(frame)):
        numbers = []
        for name in ("mcc", "net", "area", "cell"):
            value = cells[name][i]
            number, unit = parse_quantity(value) if not is_blank(value) else (math.nan, "")
            if unit or not number.is_integer():
                problems.add(labels[i], by_name[name], value, message("errors.io.not_whole_number"))
            else:
                numbers.append(int(number))
        radio = cell_text(cells["radio"][i]).upper()
        keys.append(
            (numbers[0], numbers[1], radio, numbers[2], numbers[3]) if len(numbers) == 4 else None
        )
    return keys


__all__ = [
    "HEADER_ALIASES",
    "KNOWN_HEADERS",
    "OPENCELLID_COLUMNS",
    "VALID_RANGES",
    "check_ranges",
    "convert_cell",
    "eirp_unit_column",
    "field_cells",
    "is_opencellid",
    "match_headers",
    "opencellid_header",
    "opencellid_keys",
]
