"""Gap lists for operators' RF teams and planners: Excel, CSV, GeoJSON, GeoPackage.

The writer takes the frames :func:`coverage.gaps.gap_polygons` (one or several operators,
concatenated) and :func:`coverage.gaps.commune_coverage` return, and writes them
atomically (:func:`coverage.io.files.atomic_output`): a failed write leaves nothing.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.errors import InputFileError, SchemaError
from coverage.i18n import Translator, message
from coverage.io.files import atomic_output, source_date
from coverage.io.headers import column_headers
from coverage.io.spreadsheets import append_row, save_workbook, write_csv
from coverage.names import CommuneLookupError, normalize_name, successor_commune

log = logging.getLogger(__name__)

#: Output formats, by file suffix.
GAP_LIST_SUFFIXES = (".xlsx", ".csv", ".geojson", ".gpkg")

#: Sheet (xlsx) and layer (gpkg) holding every operator's gaps together.
ALL_OPERATORS = "all operators"

#: Sheet (xlsx) and layer (gpkg) of the per-commune summary.
SUMMARY = "summary"

# English sheet names are these (messages sheet.summary and sheet.all_operators of the
# English catalogue, checked by tests/test_i18n.py); Vietnamese ones come from the catalogue.

#: ``name`` member of the GeoJSON gap list (fixed: never the temporary file's name).
GEOJSON_NAME = "gap_list"

#: Columns matched against ``communes_of_interest`` (gap rows; summary rows use ``name``).
_NAME_COLUMNS = ("commune_name", "previous_commune_name", "name")

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def write_gap_list(
    gaps: pd.DataFrame | Mapping[str, pd.DataFrame],
    summary: pd.DataFrame | None,
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    communes_of_interest: Iterable[str] | None = None,
    lang: str = "en",
) -> Path:
    """Write ranked gap lists (and the per-commune summary) to ``path``, by its suffix.

    ``.xlsx``
        A ``summary`` sheet (``summary`` as given), an ``all operators`` sheet (every gap,
        ranked by ``people`` without signal, then area), and one sheet per value of the
        ``operator`` column (``no operator`` holds the places nobody covers). Header row
        bold and frozen; numbers stay numbers, missing values are empty cells.
    ``.csv``
        One UTF-8 file **with a byte-order mark** (so Excel shows Vietnamese text), all
        operators, with the ``operator`` column; no geometry (``centroid_lat``/``_lon``
        place each row). ``summary`` is not written.
    ``.geojson``
        All gaps, EPSG:4326 (as RFC 7946 requires). ``summary`` is not written.
    ``.gpkg``
        One layer per operator, in the gaps' CRS, plus a ``summary`` layer when
        ``summary`` is a GeoDataFrame.

    Every row gets a boolean ``of_interest`` column: True where ``commune_name``,
    ``previous_commune_name`` (gap rows) or ``name`` (summary rows) loosely matches one of
    ``communes_of_interest`` (:func:`coverage.names.normalize_name`), or the 2025 commune
    it became part of (:func:`coverage.names.successor_commune`: ``Cốc Ly`` marks
    ``Bảo Nhai``).

    Parameters
    ----------
    gaps
        Gap polygons with an ``operator`` column (e.g. ``pd.concat`` of several
        :func:`~coverage.gaps.gap_polygons` calls), or a mapping operator -> frame.
    summary
        Per-commune table (:func:`~coverage.gaps.commune_coverage`), or None.
    path
        Output file; its suffix picks the format.
    overwrite
        Replace an existing file (otherwise :class:`~coverage.errors.OutputExistsError`).
    communes_of_interest
        Names to mark, loosely written (``["Y Tý", "Mường Hum", "Cốc Ly"]``).
    lang
        Language of what a person reads in ``.xlsx`` and ``.csv`` (:mod:`coverage.i18n`):
        ``"en"`` keeps the sheet names above and the column names as headers (the schema
        scripts read); ``"vi"`` names the sheets in Vietnamese, gives every known column a
        Vietnamese header (:func:`coverage.io.headers.column_headers`) and writes ``no
        operator`` as ``Không nhà mạng nào``. ``.geojson`` and ``.gpkg``, read by GIS
        software, keep the column and layer names in every language.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> gaps = pd.DataFrame({"operator": ["Viettel"], "rank": [1], "commune_name": ["Y Tý"],
    ...                      "area_km2": [2.5], "people": [120.0]})
    >>> out = write_gap_list(gaps, None, Path(tempfile.mkdtemp()) / "gaps.csv",
    ...                      communes_of_interest=["y ty"])
    >>> out.read_bytes()[:3] == b"\\xef\\xbb\\xbf"
    True
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in GAP_LIST_SUFFIXES:
        raise InputFileError(
            message(
                "errors.io.gaplist_suffix",
                path=path,
                suffix=repr(path.suffix),
                suffixes=", ".join(GAP_LIST_SUFFIXES),
            )
        )
    t = Translator(lang)
    frame = _combine(gaps)
    keys = _interest_keys(communes_of_interest)
    frame = _mark_interest(_ranked(frame), keys)
    summary = _mark_interest(summary.copy(), keys) if summary is not None else None
    with atomic_output(path, overwrite=overwrite) as tmp:
        if suffix == ".xlsx":
            _write_xlsx(frame, summary, tmp, t)
        elif suffix == ".csv":
            write_csv(_for_people(_plain(frame), t, _operators(frame, summary)), tmp)
        elif suffix == ".geojson":
            _geo(frame, path).to_crs("EPSG:4326").to_file(
                tmp,
                layer=GEOJSON_NAME,
                driver="GeoJSON",
                engine="pyogrio",
                layer_options={"COORDINATE_PRECISION": 6},
            )
        else:
            _write_gpkg(frame, summary, tmp, path)
    log.info(message("errors.io.log_wrote_gaps", count=len(frame), path=path))
    return path


# --------------------------------------------------------------------------- helpers


def _combine(gaps: pd.DataFrame | Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One frame with an ``operator`` column, from a frame or a mapping of frames."""
    if isinstance(gaps, Mapping):
        parts = [frame.assign(operator=str(name)) for name, frame in gaps.items()]
        if not parts:
            raise SchemaError(message("errors.io.gaplist_none"))
        crs = next((p.crs for p in parts if isinstance(p, gpd.GeoDataFrame)), None)
        combined = pd.concat(parts, ignore_index=True)
        if "geometry" in combined.columns:
            return gpd.GeoDataFrame(combined, geometry="geometry", crs=crs)
        return combined
    if "operator" not in gaps.columns:
        raise SchemaError(message("errors.io.gaplist_no_operator"))
    return gaps.copy()


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """Sorted by people without signal (missing last), then area, largest first."""
    keys = [c for c in ("people", "area_km2") if c in frame.columns]
    if not keys:
        return frame.reset_index(drop=True)
    return frame.sort_values(keys, ascending=False, na_position="last", kind="stable").reset_index(
        drop=True
    )


def _interest_keys(names: Iterable[str] | None) -> set[str]:
    """Loose keys of the names of interest and of the 2025 communes they became part of."""
    keys: set[str] = set()
    for name in names or ():
        keys.add(normalize_name(name))
        try:
            keys.add(normalize_name(successor_commune(name)))
        except CommuneLookupError:
            log.info(message("errors.io.log_no_successor", name=repr(name)))
    keys.discard("")
    return keys


def _mark_interest(frame: pd.DataFrame, keys: set[str]) -> pd.DataFrame:
    flags = np.zeros(len(frame), dtype=bool)
    if keys:
        for column in _NAME_COLUMNS:
            if column in frame.columns:
                flags |= np.array(
                    [isinstance(v, str) and normalize_name(v) in keys for v in frame[column]],
                    dtype=bool,
                )
    frame["of_interest"] = flags
    return frame


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without geometry, as a plain DataFrame."""
    columns = [c for c in frame.columns if c != "geometry" and not _is_geometry(frame[c])]
    return pd.DataFrame(frame[columns])


def _operators(frame: pd.DataFrame, summary: pd.DataFrame | None) -> list[str]:
    """Operator names as written: the gap rows' and those present in the summary."""
    names = [str(v) for v in frame["operator"].dropna().unique()]
    if summary is not None and "operators_present" in summary.columns:
        for present in summary["operators_present"].dropna().astype(str):
            names += [n for n in present.split(", ") if n]
    return list(dict.fromkeys(names))


def _for_people(table: pd.DataFrame, t: Translator, operators: list[str]) -> pd.DataFrame:
    """``table`` with headers (and the ``no operator`` label) in ``t``'s language."""
    if t.lang == "en":
        return table
    table = table.copy()
    if "operator" in table.columns:
        table["operator"] = table["operator"].replace({"no operator": t("common.no_operator")})
    if "synthetic_inputs" in table.columns:  # input names, e.g. "terrain, population"
        table["synthetic_inputs"] = table["synthetic_inputs"].map(
            lambda names: ", ".join(t.get(f"map.input_{n}", n) for n in str(names).split(", ")),
            na_action="ignore",
        )
    if "kind" in table.columns:
        table["kind"] = table["kind"].map(
            lambda kind: t(f"map.gap_kind_{kind}"), na_action="ignore"
        )
    table.columns = column_headers(table.columns, lang=t.lang, operators=operators)
    return table


def _is_geometry(column: pd.Series) -> bool:
    return isinstance(column.dtype, gpd.array.GeometryDtype)


def _geo(frame: pd.DataFrame, path: Path) -> gpd.GeoDataFrame:
    if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
        raise SchemaError(message("errors.io.gaplist_no_crs", path=path))
    return frame


def _write_gpkg(frame: pd.DataFrame, summary: pd.DataFrame | None, tmp: Path, path: Path) -> None:
    frame = _geo(frame, path)
    layers = [(ALL_OPERATORS, frame)] if frame.empty else []
    layers += [(_own_name(str(op)), part) for op, part in frame.groupby("operator", sort=True)]
    if isinstance(summary, gpd.GeoDataFrame) and summary.crs is not None:
        layers.append((SUMMARY, summary))
    elif summary is not None:
        log.info(message("errors.io.log_summary_no_crs", path=path))
    taken: set[str] = set()
    with _fixed_gpkg_date():
        for i, (name, layer) in enumerate(layers):
            gpd.GeoDataFrame(layer).to_file(
                tmp,
                layer=_unique(name, taken, limit=255),
                driver="GPKG",
                engine="pyogrio",
                append=i > 0,
            )


@contextmanager
def _fixed_gpkg_date() -> Iterator[None]:
    """GeoPackage ``last_change`` dates from :func:`~coverage.io.files.source_date`, not the clock.

    GDAL's ``OGR_CURRENT_DATE``, set for the write and restored after it.
    """
    import pyogrio

    stamp = source_date().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def _own_name(operator: str) -> str:
    """An operator's sheet or layer name: prefixed when it would take a reserved one.

    >>> _own_name("Viettel"), _own_name("Summary"), _own_name("all operators")
    ('Viettel', 'operator Summary', 'operator all operators')
    """
    return _sheet_name(operator, Translator("en"))


def _unique(name: str, taken: set[str], *, limit: int) -> str:
    """``name`` cut to ``limit`` characters, numbered if taken (case-insensitively)."""
    title, n = name[:limit], 2
    while title.casefold() in taken:
        tail = f" ({n})"
        title, n = name[: limit - len(tail)] + tail, n + 1
    taken.add(title.casefold())
    return title


def _sheet_title(name: str, taken: set[str]) -> str:
    """Excel sheet name: no []:*?/\\, at most 31 characters, unique (case-insensitive)."""
    return _unique(_SHEET_FORBIDDEN.sub("_", name).strip("'") or "sheet", taken, limit=31)


def _cell(value: Any) -> Any:
    """A value openpyxl stores natively: numbers stay numbers, missing is empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (bool, int, float, str, datetime, date)):
        return value
    return str(value)


def _write_xlsx(
    frame: pd.DataFrame, summary: pd.DataFrame | None, tmp: Path, t: Translator
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    sheets: list[tuple[str, pd.DataFrame]] = []
    if summary is not None:
        sheets.append((t("sheet.summary"), _plain(summary)))
    sheets.append((t("sheet.all_operators"), _plain(frame)))
    operators = sorted(frame["operator"].dropna().astype(str).unique(), key=_operator_order)
    sheets += [
        (_sheet_name(op, t), _plain(frame[frame["operator"].astype(str) == op])) for op in operators
    ]
    names = _operators(frame, summary)
    sheets = [(name, _for_people(table, t, names)) for name, table in sheets]
    bold = Font(bold=True)
    for name, table in sheets:
        sheet = workbook.create_sheet(_sheet_title(name, taken))
        append_row(sheet, [str(c) for c in table.columns])
        for cell in sheet[1]:
            cell.font = bold
        for row in table.itertuples(index=False, name=None):
            append_row(sheet, [_cell(v) for v in row])
        sheet.freeze_panes = "A2"
        for i, column in enumerate(table.columns, start=1):
            width = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
            sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(40, width + 2)
    save_workbook(workbook, tmp)


def _sheet_name(operator: str, t: Translator) -> str:
    """An operator's sheet name in ``t``'s language (``no operator`` translated, reserved
    names prefixed).

    >>> _sheet_name("no operator", Translator("vi")), _sheet_name("Tóm tắt theo xã", Translator("vi"))
    ('Không nhà mạng nào', 'nhà mạng Tóm tắt theo xã')
    >>> _sheet_name("Summary", Translator("en"))
    'operator Summary'
    """
    if operator == "no operator":
        return t("sheet.no_operator")
    if operator.casefold() in {t("sheet.summary").casefold(), t("sheet.all_operators").casefold()}:
        return t("sheet.operator_prefix", name=operator)
    return operator


def _operator_order(name: str) -> tuple[int, str]:
    """``no operator`` first (places nobody covers), then operators alphabetically."""
    return (0 if name == "no operator" else 1, name.casefold())


__all__ = ["ALL_OPERATORS", "GAP_LIST_SUFFIXES", "SUMMARY", "write_gap_list"]
