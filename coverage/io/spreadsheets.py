"""Text that spreadsheets must not run: values starting with ``= + - @``, tab or CR.

A site id or commune name such as ``=HYPERLINK("http://...")`` or ``=cmd|' /C calc'!A0``
becomes a live formula when a CSV or XLSX file is opened in Excel or LibreOffice (CSV
injection, OWASP). Every table phusong writes passes through here: in CSV such text gets
a leading single quote (OWASP's advice), in XLSX it is stored as a text cell with the
quote prefix style, so it shows as written and never runs. Numbers are left alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from coverage.io.files import source_date

_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>")

__all__ = [
    "FORMULA_TRIGGERS",
    "append_row",
    "csv_safe",
    "defuse",
    "save_workbook",
    "write_csv",
    "write_xlsx",
]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)."""


def defuse(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run; else as is.

    Examples
    --------
    >>> defuse("=HYPERLINK(\\"http://x\\")"), defuse("Y Tý"), defuse("-87")
    ('\\'=HYPERLINK("http://x")', 'Y Tý', '-87')
    """
    return "'" + value if _runs(value) else value


def _runs(value: Any) -> bool:
    """Text a spreadsheet would evaluate: a trigger first, and not a plain number ("-87")."""
    if not isinstance(value, str) or not value.startswith(FORMULA_TRIGGERS):
        return False
    try:
        float(value)
    except ValueError:
        return True
    return value != value.strip()  # "\t-1": the tab is what a spreadsheet would act on


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are :func:`defuse`-d for CSV.

    Text that is a plain number ("-87") is a number to a spreadsheet, not a formula: kept.

    Examples
    --------
    >>> csv_safe(pd.DataFrame({"site_id": ["@SUM(A1)", "A"], "dbm": [-90, -80]})).to_dict("list")
    {'site_id': ["'@SUM(A1)", 'A'], 'dbm': [-90, -80]}
    """
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    safe = frame.copy()
    for column in text:
        safe[column] = safe[column].map(defuse)
    return safe.rename(columns={c: defuse(c) for c in frame.columns if isinstance(c, str)})


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write ``frame`` (no index) as CSV for Excel: UTF-8 with BOM, CRLF rows (RFC 4180).

    Text cells are :func:`csv_safe`; with CRLF row ends a carriage return inside a cell
    is quoted, so it cannot split a row.
    """
    csv_safe(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append ``values`` to an openpyxl ``sheet``; text that would run is stored as text.

    openpyxl turns a string starting with ``=`` into a formula: such cells are reset to
    the text type with Excel's quote prefix (shown as written, never evaluated).
    """
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if _runs(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True


def write_xlsx(path: str | os.PathLike[str], sheets: Sequence[tuple[str, pd.DataFrame]]) -> None:
    """Write each ``(title, frame)`` as a sheet of plain values, header first (no index).

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> write_xlsx(out, [("towers", pd.DataFrame({"site_id": ["=1+1"]}))])
    >>> cell = openpyxl.load_workbook(out)["towers"]["A2"]
    >>> cell.value, cell.data_type
    ('=1+1', 's')
    """
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, frame in sheets:
        sheet = workbook.create_sheet(title)
        append_row(sheet, [str(c) for c in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            append_row(sheet, [None if pd.isna(v) else v for v in row])
    save_workbook(workbook, path)


def save_workbook(workbook: Any, path: str | os.PathLike[str]) -> None:
    """Save an openpyxl workbook with fixed dates, so identical content gives identical bytes.

    The document's created/modified dates and every zip member's time are
    :func:`coverage.io.files.source_date`, never the clock.
    """
    import io
    import zipfile

    when = source_date().replace(tzinfo=None)
    workbook.properties.created = workbook.properties.modified = when
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    # openpyxl's save stamps the clock into docProps/core.xml's modified date: put ours back
    modified = (
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when:%Y-%m-%dT%H:%M:%SZ}</dcterms:modified>'
    )
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = member.external_attr
            data = source.read(member.filename)
            if member.filename == "docProps/core.xml":
                data = _MODIFIED.sub(modified.encode(), data)
            target.writestr(info, data)
