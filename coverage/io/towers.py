"""Tower lists: read CSV, XLSX, GeoJSON, GeoPackage and OpenCelliD; normalise; write.

Every source ends in one pure function, :func:`towers_from_frame`, which maps the
headers Vietnamese operators and departments use (``Mã trạm``, ``Nhà mạng``,
``Kinh độ``, ``Vĩ độ``, ``Độ cao anten``, ``Công nghệ``, ``Tần số (MHz)``,
``EIRP (dBm)``, ``Hướng``...) and OpenCelliD's schema onto one normalised schema:

========================  =====================================================
``site_id``               str, unique
``operator``              Viettel, VinaPhone, MobiFone, Vietnamobile, Gmobile...
``technology``            2G, 3G, 4G or 5G
``frequency_mhz``         carrier frequency, MHz
``antenna_height_m``      antenna height above ground, m
``eirp_dbm``              total carrier EIRP in the main beam, dBm
``azimuth_deg``           sector azimuth from north, degrees; NaN = omni
``beamwidth_deg``         horizontal half-power beamwidth, degrees
``tilt_deg``              downtilt, degrees (positive = down)
``geometry``              points in the file's CRS (CSV/XLSX lon/lat: EPSG:4326)
========================  =====================================================

The file's other columns are kept after these, with their original names and raw
values; a column whose header is itself a normalised name (``lon``, ``operator``...) is
replaced by the normalised one. Empty radio fields are filled from
:data:`coverage.operators.RADIO_DEFAULTS` with one :class:`DefaultsUsedWarning`.

Power: a column headed ``EIRP`` or ``Công suất phát`` is read as the EIRP, in dBm unless
the header (``EIRP (W)``), a unit column (``Đơn vị``: W, dBm, dBW, mW, kW) or the cell
(``20 W``) says otherwise. Some lists give under ``Công suất phát`` the transmitter
output before the antenna; that understates the EIRP by the net antenna gain (typically
12-15 dB): add the gain before reading such a list.

OpenCelliD rows are *cells*, not masts: each keeps its own row, with the stable
``site_id`` ``"<mcc>-<mnc>-<radio>-<area>-<cell>"`` (e.g. ``452-04-LTE-10121-26891457``;
the radio is part of it because GSM and LTE number their cells independently).
OpenCelliD positions are estimated from crowd-sourced measurements and can sit hundreds
of metres from the real mast; its ``range`` and ``samples`` columns are kept so they can
be filtered.

The generic pieces live beside this module: which column is which field, in which unit
and range, in :mod:`coverage.io.tower_fields`; finding the header row of a CSV/XLSX in
:mod:`coverage.io.tables`, reading numbers with units in :mod:`coverage.io.cells`, and
coordinates (degrees-minutes-seconds, swapped axes) in :mod:`coverage.io.coordinates`,
whose :func:`~coverage.io.coordinates.parse_angle` is also exported here.
"""

from __future__ import annotations

import os
import re
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage import operators
from coverage.crs import WGS84, require_crs, transform_xy, working_crs_for_bounds
from coverage.errors import CoverageWarning, DefaultsUsedWarning, InputFileError, SchemaError
from coverage.i18n import message, term
from coverage.io.cells import (
    MAX_LISTED,
    CellProblems,
    RowLabel,
    cell_text,
    is_blank,
    plain,
)
from coverage.io.coordinates import parse_angle, points_from_frame
from coverage.io.files import VECTOR_SUFFIXES, atomic_output, existing_file, read_vector
from coverage.io.spreadsheets import write_csv, write_xlsx
from coverage.io.tables import read_table
from coverage.io.tower_fields import (
    HEADER_ALIASES,
    KNOWN_HEADERS,
    OPENCELLID_COLUMNS,
    VALID_RANGES,
    check_ranges,
    convert_cell,
    eirp_unit_column,
    field_cells,
    is_opencellid,
    match_headers,
    opencellid_header,
    opencellid_keys,
)

TOWER_COLUMNS = (
    "site_id",
    "operator",
    "technology",
    "frequency_mhz",
    "antenna_height_m",
    "eirp_dbm",
    "azimuth_deg",
    "beamwidth_deg",
    "tilt_deg",
)
NUMERIC_COLUMNS = TOWER_COLUMNS[3:]
REQUIRED_COLUMNS = TOWER_COLUMNS[:6]
"""Columns the engine needs; the sector fields below are optional (omni when absent)."""
OPTIONAL_COLUMNS = TOWER_COLUMNS[6:]


# --------------------------------------------------------------------------- the pure core


def towers_from_frame(
    frame: pd.DataFrame,
    *,
    crs: Any = None,
    source: str | None = None,
    row_labels: Sequence[str] | None = None,
    defaults: Mapping[str, Any] | None = None,
    swap_xy: bool = False,
    on_duplicate: Literal["error", "suffix"] = "error",
) -> gpd.GeoDataFrame:
    """Normalise a table of towers already in memory (the core of :func:`read_towers`).

    Parameters
    ----------
    frame
        A DataFrame with coordinate columns (``lon``/``lat``, ``Kinh độ``/``Vĩ độ``,
        ``x``/``y``...), or a GeoDataFrame of points (its geometry is used).
    crs
        CRS of the coordinate columns (default EPSG:4326 lon/lat), or of a
        GeoDataFrame that has none. Must not contradict a GeoDataFrame's own CRS.
    source
        Name used in messages, usually the file path (default ``"tower table"``, in the current language).
    row_labels
        How each row is named in messages (default ``"row 2"``, ``"row 3"``... as a
        spreadsheet with a header row shows them).
    defaults
        Overrides for :data:`coverage.operators.RADIO_DEFAULTS` (see
        :func:`coverage.operators.radio_defaults`), plus ``"technology"`` and
        ``"operator"`` for rows that name none.
    swap_xy
        Exchange the two coordinates (lon/lat columns holding latitude/longitude).
    on_duplicate
        ``"error"`` (default) raises :class:`SchemaError` listing repeated site ids;
        ``"suffix"`` keeps the first and renames the others ``<id>-2``, ``<id>-3``...

    Returns
    -------
    geopandas.GeoDataFrame
        The normalised columns, then the frame's other columns, on ``frame``'s index.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"Mã trạm": ["LCI001"], "Nhà mạng": ["vnpt"],
    ...     "Kinh độ": ["103°58'30\\"E"], "Vĩ độ": ["22,48"], "Công nghệ": ["LTE"],
    ...     "Tần số (MHz)": [1800], "EIRP (W)": [1000], "Độ cao anten": [35],
    ...     "Hướng": [120], "Góc nghiêng": [4], "Độ rộng búp sóng": [65]})
    >>> towers = towers_from_frame(table)
    >>> towers[["site_id", "operator", "technology", "eirp_dbm"]].values.tolist()
    [['LCI001', 'VinaPhone', '4G', 60.0]]
    >>> round(float(towers.geometry.x[0]), 4), towers.crs.to_epsg()
    (103.975, 4326)
    """
    source = term("tower table") if source is None else source
    if on_duplicate not in ("error", "suffix"):
        raise ValueError(message("errors.io.towers_on_duplicate", on_duplicate=repr(on_duplicate)))
    n = len(frame)
    labels: list[str] = (
        list(row_labels) if row_labels is not None else [RowLabel(i + 2) for i in range(n)]
    )
    defaults = dict(defaults or {})
    default_technology = operators.normalise_technology(
        defaults.pop("technology", operators.DEFAULT_TECHNOLOGY)
    )
    default_operator = str(defaults.pop("operator", operators.UNKNOWN_OPERATOR))
    table_defaults = operators.radio_defaults(defaults)

    is_geo = isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns
    columns = [c for c in frame.columns if not (is_geo and c == frame.geometry.name)]
    headers = match_headers(columns)
    problems = CellProblems(source)
    out, counts = _identity(
        frame,
        columns,
        headers,
        labels,
        problems,
        default_technology=default_technology,
        default_operator=default_operator,
    )
    unit_column = eirp_unit_column(frame, columns, headers) if "eirp_dbm" in headers else None
    out.update(_radio_fields(frame, headers, unit_column, labels, problems))
    geometry, geo_crs = _coordinates(
        frame, headers, is_geo=is_geo, crs=crs, swap_xy=swap_xy, labels=labels,
        problems=problems, source=source,
    )  # fmt: skip
    problems.raise_if_any(message("errors.towers_fix_cells"))

    counts += _fill_defaults(out, table_defaults)
    check_ranges(out, labels, headers, source)
    out["azimuth_deg"] = np.where(np.isnan(out["azimuth_deg"]), np.nan, out["azimuth_deg"] % 360.0)
    _check_unique(out, labels, source, on_duplicate)
    if +counts:
        listed = ", ".join(f"{field} {count}" for field, count in counts.items() if count)
        warnings.warn(
            message(
                "errors.io.towers_defaults_filled",
                source=source,
                n=n,
                listed=listed,
                default_technology=repr(default_technology),
                default_operator=repr(default_operator),
            ),
            DefaultsUsedWarning,
            stacklevel=3,
        )
    return _normalised_frame(frame, columns, out, headers, unit_column, geometry, geo_crs)


def _identity(
    frame: pd.DataFrame,
    columns: Sequence[Any],
    headers: dict[str, tuple[Any, str]],
    labels: list[str],
    problems: CellProblems,
    *,
    default_technology: str,
    default_operator: str,
) -> tuple[dict[str, Any], Counter[str]]:
    """``site_id``, ``operator`` and ``technology`` of each row, and how many were defaulted.

    OpenCelliD rows derive them from their codes (PLMN, radio, area and cell); unreadable
    cells are added to ``problems``.
    """
    n = len(frame)
    counts: Counter[str] = Counter()
    keys = opencellid_keys(frame, columns, labels, problems) if is_opencellid(columns) else None
    technology: list[str] = []
    for i, value in enumerate(field_cells(frame, headers, "technology")):
        try:
            technology.append(operators.normalise_technology(value))
        except ValueError as exc:
            if not is_blank(value):
                problems.add(labels[i], headers["technology"][0], value, str(exc))
            counts["technology"] += is_blank(value)
            technology.append(default_technology)
    site_ids: list[str] = []
    operator_names: list[str] = []
    raw_ids, raw_operators = (field_cells(frame, headers, f) for f in ("site_id", "operator"))
    for i in range(n):
        key = keys[i] if keys else None
        if not is_blank(raw_ids[i]):
            site_ids.append(cell_text(raw_ids[i]))
        elif key:
            site_ids.append(f"{key[0]}-{key[1]:02d}-{key[2]}-{key[3]}-{key[4]}")
        else:
            label = labels[i]  # a row's site id is the same in every language
            site_ids.append(
                f"row-{label.number}" if isinstance(label, RowLabel) else re.sub(r"\s+", "-", label)
            )
            counts["site_id"] += keys is None
        if not is_blank(raw_operators[i]):
            operator_names.append(operators.normalise_operator(raw_operators[i]))
        elif key:
            operator_names.append(operators.operator_from_plmn(int(key[0]), int(key[1])))
        else:
            operator_names.append(default_operator)
            counts["operator"] += keys is None
    return {"site_id": site_ids, "operator": operator_names, "technology": technology}, counts


def _radio_fields(
    frame: pd.DataFrame,
    headers: dict[str, tuple[Any, str]],
    unit_column: Any,
    labels: list[str],
    problems: CellProblems,
) -> dict[str, np.ndarray]:
    """Each of :data:`NUMERIC_COLUMNS` in its normalised unit (NaN where empty or unreadable).

    The unit comes from the cell (``20 W``), else ``unit_column`` (EIRP only), else the
    header; unreadable cells are added to ``problems``.
    """
    fields: dict[str, np.ndarray] = {}
    for field in NUMERIC_COLUMNS:
        values = np.full(len(frame), np.nan)
        if field in headers:
            column, header_unit = headers[field]
            units = frame[unit_column].tolist() if (field == "eirp_dbm" and unit_column) else None
            for i, raw in enumerate(frame[column].tolist()):
                try:
                    cell_unit = plain(units[i]).replace(" ", "") if units is not None else ""
                    values[i] = convert_cell(field, raw, header_unit, cell_unit)
                except ValueError as exc:
                    problems.add(labels[i], column, raw, str(exc))
        fields[field] = values
    return fields


def _coordinates(
    frame: pd.DataFrame,
    headers: dict[str, tuple[Any, str]],
    *,
    is_geo: bool,
    crs: Any,
    swap_xy: bool,
    labels: list[str],
    problems: CellProblems,
    source: str,
) -> tuple[Any, Any]:
    """(points, CRS) from a GeoDataFrame's geometry or the recognised lon/lat columns."""
    if not is_geo and ("lon" not in headers or "lat" not in headers):
        accepted = "; ".join(f"{f}: {', '.join(HEADER_ALIASES[f])}" for f in ("lon", "lat"))
        present = ", ".join(map(str, frame.columns))
        raise SchemaError(
            message(
                "errors.towers_no_coordinates", source=source, columns=present, accepted=accepted
            )
        )
    return points_from_frame(
        frame,
        xy_columns=None if is_geo else (headers["lon"][0], headers["lat"][0]),
        crs=crs,
        swap_xy=swap_xy,
        labels=labels,
        problems=problems,
        source=source,
    )


def _fill_defaults(out: dict[str, Any], table_defaults: Mapping[str, Any]) -> Counter[str]:
    """Fill empty radio fields in place from the row's technology defaults; count per field.

    An empty azimuth stays NaN (omni), and an omni row's empty beamwidth becomes
    :data:`~coverage.operators.OMNI_BEAMWIDTH_DEG`.
    """
    counts: Counter[str] = Counter()
    for field in NUMERIC_COLUMNS:
        if field == "azimuth_deg":
            continue
        values = out[field]
        empty = np.isnan(values)
        if not empty.any():
            continue
        for row in np.flatnonzero(empty):
            if field == "beamwidth_deg" and np.isnan(out["azimuth_deg"][row]):
                values[row] = operators.OMNI_BEAMWIDTH_DEG
            else:
                values[row] = getattr(table_defaults[out["technology"][row]], field)
        counts[field] = int(empty.sum())
    return counts


def _normalised_frame(
    frame: pd.DataFrame,
    columns: Sequence[Any],
    out: dict[str, Any],
    headers: dict[str, tuple[Any, str]],
    unit_column: Any,
    geometry: Any,
    crs: Any,
) -> gpd.GeoDataFrame:
    """The normalised columns, then the frame's other columns, on ``frame``'s index.

    A source column whose header is itself a normalised name (``lon``, ``operator``...) is
    replaced by the normalised column or the geometry.
    """
    used_columns = {column for column, _ in headers.values()}
    if unit_column is not None:
        used_columns.add(unit_column)
    result = pd.DataFrame(
        {
            "site_id": pd.Series(out["site_id"], dtype=str, index=frame.index),
            "operator": pd.Series(out["operator"], dtype=str, index=frame.index),
            "technology": pd.Series(out["technology"], dtype=str, index=frame.index),
            **{f: pd.Series(out[f], dtype="float64", index=frame.index) for f in NUMERIC_COLUMNS},
        }
    )
    canonical_names = {*TOWER_COLUMNS, "lon", "lat", "geometry"}
    for column in columns:
        if column in canonical_names:
            continue  # replaced by the normalised column or the geometry
        if column in used_columns and plain(column).replace(" ", "_") in canonical_names:
            continue
        result[column] = frame[column]
    return gpd.GeoDataFrame(result, geometry=geometry, crs=crs)


def _check_unique(out: dict[str, Any], labels: list[str], source: str, on_duplicate: str) -> None:
    ids: list[str] = out["site_id"]
    seen: dict[str, list[int]] = {}
    for i, site in enumerate(ids):
        seen.setdefault(site, []).append(i)
    repeated = {site: rows for site, rows in seen.items() if len(rows) > 1}
    if not repeated:
        return
    if on_duplicate == "error":
        listed = "; ".join(
            message("errors.value_at_rows", value=site, rows=", ".join(labels[i] for i in rows))
            for site, rows in list(repeated.items())[:MAX_LISTED]
        )
        raise SchemaError(
            message("errors.towers_repeated_ids", source=source, count=len(repeated), listed=listed)
        )
    taken = set(ids)
    for site, rows in repeated.items():
        k = 2
        for i in rows[1:]:
            while f"{site}-{k}" in taken:
                k += 1
            ids[i] = f"{site}-{k}"
            taken.add(ids[i])


def read_towers(
    path: str | os.PathLike[str],
    *,
    crs: Any = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    defaults: Mapping[str, Any] | None = None,
    swap_xy: bool = False,
    on_duplicate: Literal["error", "suffix"] = "error",
) -> gpd.GeoDataFrame:
    """Read a tower list into the normalised tower GeoDataFrame.

    Parameters
    ----------
    path
        CSV (``,`` ``;`` or tab separated, found automatically; UTF-8 with or without
        BOM, or UTF-16 with BOM), XLSX, GeoJSON or GeoPackage. OpenCelliD exports are
        recognised with or without their header row.
    crs
        CRS of CSV/XLSX coordinates (default EPSG:4326 lon/lat; a projected CRS such as
        VN-2000 ``"EPSG:9210"`` reads plain metres). For GeoJSON/GPKG only fills a
        missing CRS.
    sheet
        XLSX sheet name or 0-based index (default the first), or GeoPackage layer.
    encoding
        Text encoding of a CSV when it is not UTF-8, e.g. ``"cp1258"``.
    defaults, swap_xy, on_duplicate
        See :func:`towers_from_frame`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`TOWER_COLUMNS`, the file's other columns, then ``geometry``.

    Raises
    ------
    InputFileError
        Missing, empty or unreadable file; header without rows; wrong encoding.
    SchemaError
        No coordinate columns, unreadable or implausible values (naming the spreadsheet
        row, the column and the value), swapped lon/lat, repeated site ids.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tram.csv"
    >>> _ = path.write_text(
    ...     "Mã trạm;Nhà mạng;Kinh độ;Vĩ độ;Công nghệ;Tần số (MHz);EIRP (dBm);Độ cao anten;"
    ...     "Hướng;Góc nghiêng;Độ rộng búp sóng\\n"
    ...     "LCI001;Viettel;103,975;22,48;4G;1800;60;35;120;4;65\\n", encoding="utf-8-sig")
    >>> towers = read_towers(path)
    >>> towers[["site_id", "operator", "frequency_mhz"]].values.tolist()
    [['LCI001', 'Viettel', 1800.0]]
    """
    path = existing_file(path, what="tower")
    suffix = path.suffix.lower()
    source = message("errors.source_file", what=term("tower"), path=path)
    if suffix in VECTOR_SUFFIXES:
        frame = read_vector(path, what="tower", layer=sheet, encoding=encoding)
        labels = [f"feature {i + 1}" for i in range(len(frame))]
    else:
        frame, labels = read_table(
            path,
            what="tower",
            known_headers=KNOWN_HEADERS,
            sheet=sheet,
            encoding=encoding,
            headerless=opencellid_header,
        )
    return towers_from_frame(
        frame,
        crs=crs,
        source=source,
        row_labels=labels,
        defaults=defaults,
        swap_xy=swap_xy,
        on_duplicate=on_duplicate,
    )


def _flat_table(towers: gpd.GeoDataFrame) -> pd.DataFrame:
    """Towers as a plain table: normalised columns, lon/lat (EPSG:4326), other columns."""
    lon, lat = transform_xy(towers.crs, WGS84, towers.geometry.x.to_numpy(), towers.geometry.y)
    table = pd.DataFrame(towers[list(TOWER_COLUMNS)])
    table["lon"] = lon
    table["lat"] = lat
    for column in towers.columns:
        if column not in table.columns and column != towers.geometry.name:
            table[column] = towers[column]
    return table


def write_towers(
    towers: gpd.GeoDataFrame, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write normalised towers to CSV, XLSX, GeoJSON or GeoPackage, atomically.

    CSV is UTF-8 with a BOM (so Excel shows Vietnamese text) and XLSX has one sheet
    ``towers``; both carry ``lon``/``lat`` in EPSG:4326 after the normalised columns.
    GeoJSON and GeoPackage (layer ``towers``) keep the towers' CRS. :func:`read_towers`
    of the output gives back an equal frame (CSV/XLSX: in EPSG:4326; XLSX stores numbers
    with 16 significant digits, as Excel does: coordinates agree to about 1e-13 degrees).

    Raises :class:`OutputExistsError` if ``path`` exists and ``overwrite`` is false.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd
    >>> towers = gpd.GeoDataFrame({"site_id": ["A"], "operator": ["Viettel"],
    ...     "technology": ["4G"], "frequency_mhz": [1800.0], "antenna_height_m": [30.0],
    ...     "eirp_dbm": [60.0], "azimuth_deg": [float("nan")], "beamwidth_deg": [360.0],
    ...     "tilt_deg": [3.0]}, geometry=gpd.points_from_xy([103.97], [22.48]), crs=4326)
    >>> out = write_towers(towers, pathlib.Path(tempfile.mkdtemp()) / "towers.csv")
    >>> read_towers(out).equals(towers)
    True
    """
    path = Path(path)
    suffix = path.suffix.lower()
    writers = (".csv", ".xlsx", ".geojson", ".json", ".gpkg")
    if suffix not in writers:
        raise InputFileError(
            message("errors.io.towers_suffix", path=path, writers=", ".join(writers))
        )
    missing = [c for c in TOWER_COLUMNS if c not in towers.columns]
    if missing or not isinstance(towers, gpd.GeoDataFrame):
        raise SchemaError(message("errors.io.towers_not_normalised", missing=missing))
    require_crs(towers.crs, source="towers")
    with atomic_output(path, overwrite=overwrite) as tmp:
        if suffix == ".csv":
            write_csv(_flat_table(towers), tmp)
        elif suffix == ".xlsx":
            write_xlsx(tmp, [("towers", _flat_table(towers))])
        elif suffix == ".gpkg":
            towers.to_file(tmp, driver="GPKG", layer="towers", engine="pyogrio")
        else:
            towers.to_file(tmp, driver="GeoJSON", engine="pyogrio")
    return path


def check_towers_within(
    towers: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    on_outside: Literal["raise", "warn", "ignore"] = "warn",
    buffer_m: float = 0.0,
) -> pd.Series:
    """Which towers stand inside (or within ``buffer_m`` of) at least one commune.

    A tower outside every commune may be real (a neighbouring province's mast serving
    the border) or a mistake: lon/lat swapped, a sign lost, a typo landing in another
    country. Outside towers are listed with their distance to the nearest commune and,
    when exchanging their two coordinates would put them inside, the hint to pass
    ``swap_xy=True`` to :func:`read_towers`.

    Parameters
    ----------
    towers, communes
        GeoDataFrames with a CRS (any; compared in a metric working CRS).
    on_outside
        ``"warn"`` (default, :class:`CoverageWarning`), ``"raise"``
        (:class:`SchemaError`) or ``"ignore"``.
    buffer_m
        Tolerance around the communes, metres.

    Returns
    -------
    pandas.Series
        bool on ``towers.index``, named ``within_communes``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> communes = gpd.GeoDataFrame(geometry=[box(103.5, 22.0, 104.5, 22.8)], crs=4326)
    >>> towers = gpd.GeoDataFrame({"site_id": ["A"]},
    ...     geometry=gpd.points_from_xy([103.9], [22.4]), crs=4326)
    >>> check_towers_within(towers, communes).tolist()
    [True]
    """
    if on_outside not in ("raise", "warn", "ignore"):
        raise ValueError(message("errors.io.towers_on_outside", on_outside=repr(on_outside)))
    require_crs(towers.crs, source="towers")
    require_crs(communes.crs, source="communes")
    working = working_crs_for_bounds(tuple(communes.total_bounds), communes.crs)
    area = communes.to_crs(working).geometry.union_all()
    if buffer_m > 0:
        area = area.buffer(buffer_m)
    points = towers.to_crs(working).geometry
    within = pd.Series(points.covered_by(area).to_numpy(), index=towers.index)
    within.name = "within_communes"
    outside = np.flatnonzero(~within.to_numpy())
    if len(outside) == 0 or on_outside == "ignore":
        return within
    own = towers.geometry.iloc[outside]
    swapped = gpd.GeoSeries(shapely.points(own.y, own.x), crs=towers.crs)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        swapped_in = swapped.to_crs(working).covered_by(area).to_numpy()
    ids = towers["site_id"] if "site_id" in towers.columns else pd.Series(towers.index)
    lines = []
    for k, i in enumerate(outside[:MAX_LISTED]):
        distance_km = points.iloc[i].distance(area) / 1000.0
        hint = message("errors.towers_outside_swapped") if swapped_in[k] else ""
        lines.append(
            message(
                "errors.towers_outside_line",
                site=ids.iloc[i],
                x=f"{own.iloc[k].x:g}",
                y=f"{own.iloc[k].y:g}",
                km=f"{distance_km:.1f}",
                hint=hint,
            )
        )
    extra = len(outside) - MAX_LISTED
    more = message("errors.cells_more", count=extra) if extra > 0 else ""
    text = message(
        "errors.towers_outside",
        count=len(outside),
        total=len(towers),
        lines="\n  ".join(lines),
        more=more,
    )
    if on_outside == "raise":
        raise SchemaError(text)
    warnings.warn(text, CoverageWarning, stacklevel=2)
    return within


__all__ = [
    "HEADER_ALIASES",
    "NUMERIC_COLUMNS",
    "OPENCELLID_COLUMNS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "TOWER_COLUMNS",
    "VALID_RANGES",
    "check_towers_within",
    "parse_angle",
    "read_towers",
    "towers_from_frame",
    "write_towers",
]
