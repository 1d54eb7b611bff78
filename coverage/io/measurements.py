"""Drive-test measurements: read CSV/XLSX as drive-test apps and scanners export them.

Every source ends in one pure function, :func:`measurements_from_frame`, which maps the
headers of drive-test tools (G-NetTrack, NetMonster, TEMS/Nemo exports, scanner logs) and
the plain form ``lat, lon, site_id, loss_db | level_dbm`` onto one schema:

==================  ===============================================================
``time``            the time stamp as written (text), or None
``operator``        operator name (from an operator column or MCC and MNC), or ``unknown``
``technology``      2G, 3G, 4G or 5G (from a technology column, else from the level's
                    kind: RxLev 2G, RSCP 3G, RSRP 4G), or ``unknown``
``site_id``         the serving cell's identity (site id, BTS id, CI, ECI, eNB), or None:
                    matched against the towers' ``site_id``
``loss_db``         measured path loss, dB (when the file gives it)
``level_dbm``       measured level, dBm: RxLev (2G), RSCP (3G), RSRP (4G/5G)
``ground_m``        ground elevation at the point, m (NaN when not given)
``geometry``        points (EPSG:4326 for lon/lat columns)
==================  ===============================================================

Other columns are kept after these (``LAC``, ``PCI``, ``EARFCN``, a file's ``bts_*``
transmitter columns...). Rows without a position or a level, and rows with an implausible
level (the ``-999`` of a scanner without a fix), are dropped, counted in
``frame.attrs["dropped"]`` and reported in one :class:`UnusableRowsWarning`. A level in a
unit that is not a power (``RSRP (mW)`` is converted; ``RSRP (%)`` is refused) raises
:class:`SchemaError` naming the file and column.

:func:`measurement_sites` builds the tower list of a file that carries its transmitters
per row (``bts_lat``, ``bts_lon``, ``bts_height``, ``bts_eirp``, ``bts_f_dl_mhz``,
``bts_azimuth``, ``bts_tiltEle`` + ``bts_tiltMec``, ``bts_band``), as the Recife drive
test does.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage import operators
from coverage.errors import SchemaError, UnusableRowsWarning
from coverage.i18n import first_few, message, term
from coverage.io.cells import (
    MAX_LISTED,
    CellProblems,
    RowLabel,
    cell_text,
    is_blank,
    parse_quantity,
    plain,
)
from coverage.io.coordinates import points_from_frame
from coverage.io.files import existing_file
from coverage.io.tables import read_table
from coverage.io.tower_fields import HEADER_ALIASES, match_headers
from coverage.io.towers import towers_from_frame

__all__ = [
    "LEVEL_RANGE_DBM",
    "LOSS_RANGE_DB",
    "MEASUREMENT_COLUMNS",
    "measurement_sites",
    "measurements_from_frame",
    "read_measurements",
]

MEASUREMENT_COLUMNS = (
    "time", "operator", "technology", "site_id", "loss_db", "level_dbm", "ground_m",
)  # fmt: skip

LEVEL_RANGE_DBM = (-160.0, -20.0)
"""Plausible measured levels, dBm (3GPP reports RSRP -156..-31, RSCP -120..-25, RxLev to -48)."""
LOSS_RANGE_DB = (20.0, 250.0)
"""Plausible measured path losses, dB."""

#: Accepted headers per field, compared as :func:`coverage.io.tables.split_header` gives them.
ALIASES: dict[str, tuple[str, ...]] = {
    "lon": HEADER_ALIASES["lon"],
    "lat": HEADER_ALIASES["lat"],
    "time": ("time", "timestamp", "date time", "datetime", "thoi gian"),
    "operator": ("operator", "operatorname", "network", "nha mang", "carrier"),
    "mcc": ("mcc",),
    "mnc": ("mnc",),
    "technology": ("technology", "tech", "networktech", "rat", "network type", "cong nghe"),
    "site_id": ("site id", "site", "bts id", "cell id", "cellid", "cell identity", "ci", "eci",
                "cgi", "enodeb", "enb", "nodeb", "ma tram"),
    "loss_db": ("loss db", "loss", "path loss", "pathloss", "pl", "plreal", "measured loss"),
    "rxlev": ("rxlev", "rx level", "rxlevel", "rxlev sub", "rxlev full"),
    "rscp": ("rscp",),
    "rsrp": ("rsrp", "ss rsrp", "nr rsrp"),
    "level_dbm": ("level dbm", "level", "signal", "rssi", "received power", "rx power",
                  "muc thu"),
    "ground_m": ("ground m", "elev", "elevation", "ground", "altitude", "do cao"),
}  # fmt: skip
_LEVEL_FIELDS = {"rxlev": "2G", "rscp": "3G", "rsrp": "4G", "level_dbm": None}
_KNOWN = {a for names in ALIASES.values() for a in names} | {"bts lat", "bts lon"}
_POWER_TO_DBM = {"dbm": 0.0, "dbw": 30.0}
_SENTINELS = (-999.0, -9999.0, 999.0, 9999.0, 32767.0, -32768.0, 2147483647.0)


def _level_dbm(raw: Any, unit: str, field: str) -> float:
    """A level cell in dBm; ``ValueError`` for a unit that is not a power."""
    number, suffix = parse_quantity(raw)
    unit = suffix or unit
    if math.isnan(number):
        return math.nan
    if unit in _POWER_TO_DBM:
        return number + _POWER_TO_DBM[unit]
    if unit == "mw" and number > 0:
        return 10.0 * math.log10(number)
    if unit == "w" and number > 0:
        return 10.0 * math.log10(number) + 30.0
    if unit == "index" and field == "rxlev":
        return number - 110.5  # 3GPP TS 45.008 §8.1.4: RXLEV_n spans -111+n..-110+n dBm
    if unit == "":
        return number
    raise ValueError(message("errors.io.measurement_level_unit", unit=repr(unit)))


def _loss_db(raw: Any, unit: str) -> float:
    number, suffix = parse_quantity(raw)
    unit = suffix or unit
    if unit not in ("", "db"):
        raise ValueError(message("errors.io.measurement_loss_unit", unit=repr(unit)))
    return number


def measurements_from_frame(
    frame: pd.DataFrame,
    *,
    crs: Any = None,
    source: str | None = None,
    row_labels: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Normalise a table of drive-test points already in memory (the core of :func:`read_measurements`).

    Parameters
    ----------
    frame
        Raw table: position columns (``lat``/``lon``, ``Latitude``/``Longitude``...), a
        level (``RSRP``, ``RSCP``, ``RxLev``, ``level_dbm``) or a path loss (``loss_db``,
        ``PLreal``), and optionally time, operator or MCC/MNC, technology and a cell
        identity.
    crs
        CRS of the coordinate columns (default EPSG:4326 lon/lat).
    source
        Name used in messages, usually the file path (default ``"measurement table"``, in the current language).
    row_labels
        How each row is named in messages (default ``"row 2"``, ``"row 3"``...).

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`MEASUREMENT_COLUMNS`, then the frame's other columns, then ``geometry``;
        on ``frame``'s index less the dropped rows (``attrs["dropped"]``: reason -> row
        labels; ``attrs["rows_read"]``).

    Examples
    --------
    >>> table = pd.DataFrame({"Latitude": [22.5, 22.51, None], "Longitude": [103.9] * 3,
    ...     "MCC": [452] * 3, "MNC": [4] * 3, "RSRP (dBm)": ["-95", "-999", "-100"]})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     points = measurements_from_frame(table)
    >>> points[["operator", "technology", "level_dbm"]].values.tolist()
    [['Viettel', '4G', -95.0]]
    >>> points.attrs["dropped"]
    {'implausible level': ['row 3'], 'no position': ['row 4']}
    """
    source = term("measurement table") if source is None else source
    n = len(frame)
    labels: list[str] = (
        list(row_labels) if row_labels is not None else [RowLabel(i + 2) for i in range(n)]
    )
    columns = list(frame.columns)
    headers = match_headers(columns, ALIASES)
    if "lat" not in headers or "lon" not in headers:
        present = ", ".join(map(str, columns))
        raise SchemaError(
            message(
                "errors.measurements_no_position",
                source=source,
                columns=present,
                headers="Latitude/Longitude, Vĩ độ/Kinh độ",
            )
        )
    levels = [f for f in _LEVEL_FIELDS if f in headers]
    if "loss_db" not in headers and not levels:
        present = ", ".join(map(str, columns))
        raise SchemaError(message("errors.measurements_no_level", source=source, columns=present))
    problems = CellProblems(source)
    dropped: dict[str, list[int]] = {}
    loss = np.full(n, np.nan)
    level = np.full(n, np.nan)
    level_technology: list[str | None] = [None] * n
    if "loss_db" in headers:
        column, unit = headers["loss_db"]
        for i, raw in enumerate(frame[column].tolist()):
            try:
                loss[i] = _loss_db(raw, unit)
            except ValueError as exc:
                problems.add(labels[i], column, raw, str(exc))
    for field in levels:  # the first level given in a row is its level
        column, unit = headers[field]
        for i, raw in enumerate(frame[column].tolist()):
            if not np.isnan(level[i]):
                continue
            try:
                level[i] = _level_dbm(raw, unit, field)
            except ValueError as exc:
                problems.add(labels[i], column, raw, str(exc))
                continue
            if not np.isnan(level[i]):
                level_technology[i] = _LEVEL_FIELDS[field]
    problems.raise_if_any(message("errors.measurements_fix_cells"))
    _check_units(loss, level, headers, levels, labels, source)
    has_position = np.array(
        [
            not (is_blank(a) or is_blank(b))
            for a, b in zip(
                frame[headers["lon"][0]].tolist(), frame[headers["lat"][0]].tolist(), strict=True
            )
        ],
        dtype=bool,
    )
    has_value = np.isfinite(loss) | np.isfinite(level)
    with np.errstate(invalid="ignore"):
        bad_level = np.isfinite(level) & (
            (level < LEVEL_RANGE_DBM[0]) | (level > LEVEL_RANGE_DBM[1])
        )
        bad_loss = np.isfinite(loss) & ((loss < LOSS_RANGE_DB[0]) | (loss > LOSS_RANGE_DB[1]))
    for reason, mask in (
        ("implausible level", bad_level),
        ("implausible path loss", bad_loss),
        ("no level", ~has_value),
        ("no position", ~has_position),
    ):
        rows = (
            np.flatnonzero(mask & has_position) if reason != "no position" else np.flatnonzero(mask)
        )
        if len(rows):
            dropped[reason] = [int(i) for i in rows]
    keep = has_position & has_value & ~bad_level & ~bad_loss
    kept = np.flatnonzero(keep)
    sub = frame.iloc[kept]
    sub_labels = [labels[i] for i in kept]
    if len(sub) == 0:
        raise SchemaError(message("errors.measurements_no_usable_row", source=source, count=n))
    geometry, geo_crs = points_from_frame(
        sub, xy_columns=(headers["lon"][0], headers["lat"][0]), crs=crs, swap_xy=False,
        labels=sub_labels, problems=problems, source=source,
    )  # fmt: skip
    problems.raise_if_any(message("errors.measurements_fix_coordinates"))
    out = _identity(sub, headers, [level_technology[i] for i in kept], sub_labels, source)
    out["loss_db"] = loss[kept]
    out["level_dbm"] = level[kept]
    out["ground_m"] = (
        np.array([parse_quantity(v)[0] for v in sub[headers["ground_m"][0]].tolist()])
        if "ground_m" in headers
        else np.full(len(sub), np.nan)
    )
    result = pd.DataFrame({c: out[c] for c in MEASUREMENT_COLUMNS}, index=sub.index)
    used = {column for column, _ in headers.values()}
    for column in columns:
        if column not in used and column not in result.columns and column != "geometry":
            result[column] = sub[column]
    points = gpd.GeoDataFrame(result, geometry=geometry, crs=geo_crs)
    points.attrs["source"] = source
    points.attrs["rows_read"] = n
    points.attrs["row_labels"] = sub_labels
    points.attrs["dropped"] = {k: [labels[i] for i in v] for k, v in dropped.items()}
    if dropped:
        listed = "; ".join(
            f"{message(_REASONS[reason])}: {len(rows)} "
            f"({first_few((labels[i] for i in rows), MAX_LISTED)})"
            for reason, rows in dropped.items()
        )
        warnings.warn(
            message(
                "errors.io.measurement_rows_dropped",
                source=source,
                dropped=n - len(points),
                n=n,
                listed=listed,
            ),
            UnusableRowsWarning,
            stacklevel=3,
        )
    return points


_REASONS = {
    "implausible level": "errors.io.measurement_reason_level",
    "implausible path loss": "errors.io.measurement_reason_loss",
    "no level": "errors.io.measurement_reason_no_level",
    "no position": "errors.io.measurement_reason_no_position",
}
"""Why a row is dropped (the keys of ``attrs["dropped"]``) -> its message in the warning."""


def _check_units(
    loss: np.ndarray,
    level: np.ndarray,
    headers: dict[str, tuple[Any, str]],
    levels: list[str],
    labels: list[str],
    source: str,
) -> None:
    """Refuse a column whose values are mostly out of range: a unit mistake, not bad rows."""
    for values, (low, high), column, what in (
        (
            level,
            LEVEL_RANGE_DBM,
            headers[levels[0]][0] if levels else None,
            "errors.measurements_level_unit",
        ),
        (
            loss,
            LOSS_RANGE_DB,
            headers.get("loss_db", (None, ""))[0],
            "errors.measurements_loss_unit",
        ),
    ):
        finite = values[np.isfinite(values) & ~np.isin(values, _SENTINELS)]
        if column is None or len(finite) == 0:
            continue
        outside = (finite < low) | (finite > high)
        if outside.mean() > 0.5:
            first = int(np.flatnonzero(np.isfinite(values) & ~np.isin(values, _SENTINELS))[0])
            rxlev = what == "errors.measurements_level_unit" and np.all(finite >= 0)
            raise SchemaError(
                message(
                    "errors.measurements_unknown_unit",
                    source=source,
                    column=str(column),
                    share=f"{outside.mean():.0%}",
                    low=f"{low:g}",
                    high=f"{high:g}",
                    what=message(what),
                    row=labels[first],
                    value=f"{values[first]:g}",
                    hint=message("errors.measurements_rxlev_hint") if rxlev else "",
                )
            )


def _identity(
    frame: pd.DataFrame,
    headers: dict[str, tuple[Any, str]],
    level_technology: list[str | None],
    labels: list[str],
    source: str,
) -> dict[str, Any]:
    """time, operator, technology and serving-cell identity per row."""
    problems = CellProblems(source)
    n = len(frame)

    def cells(field: str) -> list[Any]:
        return frame[headers[field][0]].tolist() if field in headers else [None] * n

    operator: list[str] = []
    for i, (name, mcc, mnc) in enumerate(
        zip(cells("operator"), cells("mcc"), cells("mnc"), strict=True)
    ):
        if not is_blank(name):
            operator.append(operators.normalise_operator(name))
        elif not (is_blank(mcc) or is_blank(mnc)):
            try:
                operator.append(operators.operator_from_plmn(int(float(mcc)), int(float(mnc))))
            except ValueError:
                problems.add(
                    labels[i], headers["mcc"][0], f"{mcc}-{mnc}", message("errors.io.not_mcc_mnc")
                )
                operator.append(operators.UNKNOWN_OPERATOR)
        else:
            operator.append(operators.UNKNOWN_OPERATOR)
    technology: list[str] = []
    for i, raw in enumerate(cells("technology")):
        if is_blank(raw):
            technology.append(level_technology[i] or "unknown")
            continue
        try:
            technology.append(operators.normalise_technology(raw))
        except ValueError as exc:
            problems.add(labels[i], headers["technology"][0], raw, str(exc))
            technology.append("unknown")
    problems.raise_if_any(message("errors.measurements_fix_technologies"))
    return {
        "time": [None if is_blank(v) else str(v) for v in cells("time")],
        "operator": operator,
        "technology": technology,
        "site_id": [None if is_blank(v) else cell_text(v) for v in cells("site_id")],
    }


def read_measurements(
    path: str | os.PathLike[str],
    *,
    crs: Any = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a drive-test or scanner export (CSV/XLSX) into normalised measurement points.

    Parameters
    ----------
    path
        CSV (``,`` ``;`` or tab separated, found automatically) or XLSX; the header row
        is found among the top rows (a title block above it is skipped).
    crs
        CRS of the coordinate columns (default EPSG:4326 lon/lat).
    sheet, encoding
        As :func:`coverage.read_towers`.

    Returns
    -------
    geopandas.GeoDataFrame
        See :func:`measurements_from_frame`.

    Raises
    ------
    InputFileError
        Missing, empty or unreadable file.
    SchemaError
        No position columns, no level or loss column, a level in an unknown unit,
        unreadable cells (naming the row, column and value).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "drive.csv"
    >>> _ = path.write_text("lat,lon,site_id,loss_db\\n22.5,103.9,A,120.5\\n", encoding="utf-8")
    >>> read_measurements(path)[["site_id", "loss_db"]].values.tolist()
    [['A', 120.5]]
    """
    path = existing_file(path, what="measurement")
    frame, labels = read_table(
        path, what="measurement", known_headers=_KNOWN, sheet=sheet, encoding=encoding
    )
    return measurements_from_frame(
        frame,
        crs=crs,
        source=message("errors.source_file", what=term("measurement"), path=path),
        row_labels=labels,
    )


_BTS_FIELDS = {
    "site_id": ("bts id",),
    "lat": ("bts lat",),
    "lon": ("bts lon",),
    "antenna_height_m": ("bts height",),
    "eirp_dbm": ("bts eirp",),
    "frequency_mhz": ("bts f dl mhz", "bts frequency", "bts freq"),
    "azimuth_deg": ("bts azimuth",),
    "beamwidth_deg": ("bts beamwidth",),
    "technology": ("bts band", "bts technology"),
    "operator": ("bts operator",),
}
_BTS_TILTS = ("bts tiltele", "bts tiltmec", "bts tilt")


def measurement_sites(measurements: pd.DataFrame) -> gpd.GeoDataFrame:
    """The tower list named by a measurement file's per-row transmitter (``bts_*``) columns.

    One tower per ``BTS_ID`` (or ``site_id``): position ``bts_lat``/``bts_lon``, height
    ``bts_height`` (m), EIRP ``bts_eirp`` (dBm), frequency ``bts_f_dl_mhz``, azimuth
    ``bts_azimuth``, downtilt ``bts_tiltEle`` + ``bts_tiltMec``, technology ``bts_band``;
    normalised by :func:`coverage.io.towers.towers_from_frame` (missing radio fields get
    its documented defaults, with its warning).

    Raises
    ------
    SchemaError
        Without ``bts_lat``/``bts_lon`` columns, or when one site has two positions.

    Examples
    --------
    >>> points = pd.DataFrame({"site_id": ["S1", "S1"], "bts_lat": [-8.07, -8.07],
    ...     "bts_lon": [-34.89, -34.89], "bts_height": [41, 41], "bts_eirp": [70.1, 70.1],
    ...     "bts_f_dl_mhz": [1835.2, 1835.2], "bts_azimuth": [220, 220], "bts_band": ["GSM1800"] * 2,
    ...     "bts_tiltEle": [8, 8], "bts_tiltMec": [0, 0], "bts_beamwidth": [65, 65],
    ...     "bts_operator": ["Viettel"] * 2})
    >>> measurement_sites(points)[["site_id", "technology", "tilt_deg"]].values.tolist()
    [['S1', '2G', 8.0]]
    """
    source = str(measurements.attrs.get("source", "measurements"))
    by_plain = {plain(c): c for c in measurements.columns}
    if "bts lat" not in by_plain or "bts lon" not in by_plain:
        raise SchemaError(message("errors.measurements_no_transmitters", source=source))
    table = pd.DataFrame(index=measurements.index)
    for field, aliases in _BTS_FIELDS.items():
        column = next((by_plain[a] for a in aliases if a in by_plain), None)
        if column is not None:
            table[field] = measurements[column]
    if "site_id" not in table:
        table["site_id"] = measurements["site_id"]
    tilts = [by_plain[t] for t in _BTS_TILTS if t in by_plain]
    if tilts:
        table["tilt_deg"] = sum(pd.to_numeric(measurements[t], errors="coerce") for t in tilts)
    table["site_id"] = table["site_id"].map(cell_text)
    sites = table.drop_duplicates()
    repeated = sites["site_id"][sites["site_id"].duplicated()].unique().tolist()
    if repeated:
        raise SchemaError(
            message("errors.measurements_bts_differ", source=source, sites=repeated[:MAX_LISTED])
        )
    return towers_from_frame(sites.reset_index(drop=True), source=f"{source} (bts_* columns)")
