"""CSV and XLSX tables as offices export them: find the header row, keep the raw cells.

Spreadsheets from provincial departments often carry a title block above the header,
empty columns, notes sheets, a ``;`` separator and a decimal comma, or no header at
all (OpenCelliD exports). :func:`read_table` finds the header row by the headers the
caller knows, reads every cell as it stands (no type guessing) and names each row as a
spreadsheet shows it (``"row 7"``), so that later messages point at the right line.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from coverage.errors import InputFileError, SchemaError
from coverage.i18n import message, term
from coverage.io.cells import RowLabel, is_blank, plain

__all__ = ["HEADER_SEARCH_ROWS", "read_table", "split_header"]

HEADER_SEARCH_ROWS = 20
"""The header is sought among this many rows at the top of a table."""

_DELIMITERS = (",", ";", "\t")

HeaderlessColumns = Callable[[Sequence[Any]], Sequence[str] | None]
"""Column names for a table without a recognised header, from its first row (or None)."""


def split_header(header: Any) -> tuple[str, str]:
    """(plain name, plain unit in brackets) of a header.

    Examples
    --------
    >>> split_header("Tần số (MHz)"), split_header("EIRP [W]"), split_header("Mã trạm")
    (('tan so', 'mhz'), ('eirp', 'w'), ('ma tram', ''))
    """
    text = str(header)
    match = re.search(r"[(\[]([^)\]]*)[)\]]", text)
    unit = plain(match.group(1)).replace(" ", "") if match else ""
    return plain(re.sub(r"[(\[][^)\]]*[)\]]", " ", text)), unit


def read_table(
    path: Path,
    *,
    what: str,
    known_headers: Collection[str],
    sheet: str | int | None = None,
    encoding: str | None = None,
    headerless: HeaderlessColumns | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Raw table of a CSV or XLSX file and the spreadsheet label of each of its rows.

    Parameters
    ----------
    path
        A ``.xlsx``/``.xlsm`` workbook, or a text table (``,`` ``;`` or tab separated,
        found automatically; UTF-8 with or without BOM, or UTF-16 with BOM).
    what
        What the file holds, for messages (``"tower"``: "tower file ...").
    known_headers
        Plain header names (see :func:`split_header`) the caller recognises; the header
        row is the first of the top :data:`HEADER_SEARCH_ROWS` with two of them.
    sheet
        Workbook sheet name or 0-based index (default the first).
    encoding
        Text encoding of a CSV that is neither UTF-8 nor UTF-16 with BOM.
    headerless
        Column names for a table where no header row is recognised, from its first
        row; when it gives None (or is not passed), the first row is the header.

    Returns
    -------
    (pandas.DataFrame, list of str)
        Columns under their original headers (repeats get ``.1``, ``.2``...; empty
        unnamed columns dropped), cells as read (text columns as ``str``, blanks as
        None); and ``"row N"`` per data row, counting from 1 at the file's first line.

    Raises
    ------
    InputFileError
        Empty, unreadable or wrongly decoded file, missing sheet, header without rows.
    SchemaError
        A row longer than the header (usually a decimal comma in a comma-separated file).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text("Danh sách trạm\\nMã trạm;Kinh độ\\nA1;103,9\\n", encoding="utf-8")
    >>> frame, labels = read_table(path, what="tower", known_headers={"ma tram", "kinh do"})
    >>> frame.to_dict("list"), labels
    ({'Mã trạm': ['A1'], 'Kinh độ': ['103,9']}, ['row 3'])
    """
    source = message("errors.source_file", what=term(what), path=path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        records = _read_xlsx_records(path, sheet, source)
    else:
        records = _read_csv_records(path, encoding, source, what, known_headers)
    return _records_to_frame(records, source, what, known_headers, headerless)


def _header_score(row: Sequence[Any], known_headers: Collection[str]) -> int:
    return sum(1 for c in row if not is_blank(c) and split_header(c)[0] in known_headers)


def _find_header(rows: Sequence[Sequence[Any]], known_headers: Collection[str]) -> int | None:
    """Index of the header row: the first of the top rows with two recognised headers."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if _header_score(row, known_headers) >= 2:
            return index
    return None


def _unique_names(header: list[str]) -> list[str]:
    """Repeated names numbered as pandas does: ``a``, ``a.1``, ``a.2``..."""
    seen: dict[str, int] = {}
    names = []
    for name in header:
        if name in seen:
            seen[name] += 1
            names.append(f"{name}.{seen[name]}")
        else:
            seen[name] = 0
            names.append(name)
    return names


def _records_to_frame(
    records: list[list[Any]],
    source: str,
    what: str,
    known_headers: Collection[str],
    headerless: HeaderlessColumns | None,
) -> tuple[pd.DataFrame, list[str]]:
    """Raw table (original headers, raw cells) and spreadsheet row labels."""
    header_index = _find_header(records, known_headers)
    first = next((i for i, r in enumerate(records) if any(not is_blank(c) for c in r)), None)
    if first is None:
        raise InputFileError(message("errors.table_no_rows", source=source, what=term(what)))
    implied = headerless(records[first]) if header_index is None and headerless else None
    if implied is not None:
        header = list(implied)
        data_start = first
    else:
        header_index = first if header_index is None else header_index
        header = [
            str(c).strip() if not is_blank(c) else f"column_{j + 1}"
            for j, c in enumerate(records[header_index])
        ]
        data_start = header_index + 1
    header = _unique_names(header)
    width = len(header)
    rows: list[list[Any]] = []
    labels: list[str] = []
    for index in range(data_start, len(records)):
        row = list(records[index])
        if all(is_blank(c) for c in row):
            continue
        if len(row) > width and any(not is_blank(c) for c in row[width:]):
            raise SchemaError(
                message(
                    "errors.table_row_width",
                    source=source,
                    row=index + 1,
                    cells=len(row),
                    width=width,
                )
            )
        rows.append((row + [None] * width)[:width])
        labels.append(RowLabel(index + 1))
    if not rows:
        raise InputFileError(message("errors.table_header_only", source=source, what=term(what)))
    columns = {}
    for j, name in enumerate(header):
        values = [None if is_blank(r[j]) else r[j] for r in rows]
        if name.startswith("column_") and all(v is None for v in values):
            continue  # an empty, unnamed spreadsheet column
        if all(v is None or isinstance(v, str) for v in values):
            columns[name] = pd.Series(values, dtype=str)
        else:
            columns[name] = pd.Series(values)
    return pd.DataFrame(columns), labels


def _decode(path: Path, encoding: str | None, source: str) -> str:
    raw = path.read_bytes()
    if encoding is None:
        is_utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        encoding_used = "utf-16" if is_utf16 else "utf-8-sig"
    else:
        encoding_used = encoding
    try:
        return raw.decode(encoding_used)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            message(
                "errors.table_encoding",
                source=source,
                encoding=encoding_used,
                reason=exc.reason,
                start=exc.start,
            )
        ) from exc
    except LookupError as exc:
        raise InputFileError(
            message("errors.table_unknown_encoding", source=source, encoding=encoding)
        ) from exc


def _read_csv_records(
    path: Path, encoding: str | None, source: str, what: str, known_headers: Collection[str]
) -> list[list[str]]:
    text = _decode(path, encoding, source)
    lines = [line for line in text.splitlines()[:40] if line.strip()]
    if not lines:
        raise InputFileError(message("errors.table_no_rows", source=source, what=term(what)))
    best: tuple[int, int, str] | None = None
    for delimiter in _DELIMITERS:
        sample = list(csv.reader(lines, delimiter=delimiter))
        header = _find_header(sample, known_headers)
        if header is not None:
            score = (_header_score(sample[header], known_headers), len(sample[header]), delimiter)
            best = max(best, score) if best else score
    # without a recognised header (headerless OpenCelliD...), the most frequent separator
    delimiter = best[2] if best else max(_DELIMITERS, key=lines[0].count)
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_xlsx_records(path: Path, sheet: str | int | None, source: str) -> list[list[Any]]:
    import openpyxl  # only for .xlsx (saves ~0.1 s of start-up elsewhere)
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise InputFileError(message("errors.table_not_xlsx", source=source, reason=exc)) from exc
    try:
        names = book.sheetnames
        if sheet is None:
            ws = book.worksheets[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise InputFileError(
                    message(
                        "errors.table_sheet_index",
                        source=source,
                        count=len(names),
                        names=names,
                        sheet=sheet,
                    )
                )
            ws = book.worksheets[sheet]
        elif sheet in names:
            ws = book[sheet]
        else:
            raise InputFileError(
                message("errors.table_no_sheet", source=source, sheet=sheet, names=names)
            )
        records = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
        if sheet is None and not _has_content(records):
            filled = [
                name
                for name, other in zip(names[1:], book.worksheets[1:], strict=True)
                if _has_content(other.iter_rows(values_only=True))
            ]
            if filled:
                text = message(
                    "errors.table_first_sheet_empty", source=source, first=names[0], sheet=filled[0]
                )
            else:
                text = message("errors.table_every_sheet_empty", source=source, first=names[0])
            raise InputFileError(text)
        return records
    finally:
        book.close()


def _has_content(rows: Any) -> bool:
    return any(not is_blank(c) for row in rows for c in row)
