"""Text in the right encoding: Shapefile code pages, and names read with the wrong one.

GDAL mangles single-byte Vietnamese code pages (CP1258), so :func:`read_decoded_vector`
decodes them in Python; :func:`misdecoded` tells text read in the wrong encoding
(``Y TÃ½``, ``MýõÌng``) from Vietnamese as written.
"""

from __future__ import annotations

import codecs
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from coverage.errors import InputFileError
from coverage.i18n import message, term
from coverage.io.files import read_vector

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Latin-1 letters that Vietnamese uses; the others (Ð, Þ, Ä, ½...) betray mis-decoded text.
_VIETNAMESE_LATIN1 = frozenset("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")


def _codec_name(encoding: str) -> str | None:
    """Python codec for a user or .cpg encoding name ('CP1258', '1258', 'ANSI 1258')."""
    text = encoding.strip().upper().removeprefix("ANSI").strip()
    if text.isdigit():
        text = "utf-8" if text == "65001" else f"cp{text}"
    try:
        return codecs.lookup(text).name
    except LookupError:
        return None


def _shapefile_codepage(path: Path) -> tuple[bool, str | None]:
    """(is a Shapefile, the text of its .cpg file or None)."""
    suffix = path.suffix.lower()
    if suffix in (".shp", ".dbf"):
        cpg = path.with_suffix(".cpg")
        if not cpg.exists():
            cpg = path.with_suffix(".CPG")
        return True, cpg.read_text(
            encoding="ascii", errors="replace"
        ).strip() if cpg.exists() else None
    if suffix == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = archive.namelist()
            if not any(m.lower().endswith(".shp") for m in members):
                return False, None
            cpgs = [m for m in members if m.lower().endswith(".cpg")]
            if cpgs:
                return True, archive.read(cpgs[0]).decode("ascii", errors="replace").strip()
            return True, None
    return False, None


def read_decoded_vector(
    path: Path, *, what: str, layer: str | int | None = None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    """Read a vector file (``what`` names it in messages); decode Shapefile text in Python.

    GDAL's iconv conversion from CP1258 drops the last letter of every field and column
    name (``Mường Hum`` -> ``Mường Hu``), so a Shapefile in a non-UTF-8 code page is read
    byte-for-byte as ISO-8859-1 and decoded here with Python's codec, then composed to NFC
    (CP1258 stores tones as separate characters).
    """
    is_shapefile, codepage = _shapefile_codepage(path)
    declared = encoding or codepage
    codec = _codec_name(declared) if declared else None
    if declared and codec is None:
        raise InputFileError(
            message(
                "errors.io.unknown_encoding", what=term(what), path=path, declared=repr(declared)
            )
        )
    if not (is_shapefile and codec and codec != "utf-8"):
        return read_vector(path, what=what, layer=layer, encoding=encoding)
    frame = read_vector(path, what=what, layer=layer, encoding="ISO-8859-1")

    def decode(value: Any, column: Any, row: Any = None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return unicodedata.normalize("NFC", value.encode("latin-1").decode(codec))
        except (UnicodeDecodeError, UnicodeEncodeError) as exc:
            where = (
                message("errors.label_column_name", column=repr(column))
                if row is None
                else message("errors.label_column_row", column=repr(column), row=row)
            )
            raise InputFileError(
                message(
                    "errors.io.bad_encoding",
                    what=term(what),
                    path=path,
                    where=where,
                    declared=declared,
                    reason=exc.reason,
                )
            ) from exc

    frame = frame.rename(columns={c: decode(c, c) for c in frame.columns})
    for column in frame.columns:
        dtype = frame[column].dtype
        if column != frame.geometry.name and (
            pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
        ):
            frame[column] = [
                decode(value, column, row)
                for row, value in zip(frame.index, frame[column], strict=True)
            ]
    return frame


def misdecoded(text: str) -> bool:
    """True when ``text`` cannot be Vietnamese as written (text read in the wrong encoding).

    Tell-tales: the replacement character, control characters, Latin-1 letters outside
    Vietnamese (``Ð``, ``Þ``, ``½``), or a syllable carrying two tone marks (CP1258's
    separate tone bytes read as Latin-1: ``Mường`` -> ``MýõÌng``).

    Examples
    --------
    >>> misdecoded("Y TÃ½"), misdecoded("MýõÌng Hum"), misdecoded("Mường Hum")
    (True, True, False)
    """
    for char in text:
        if char == "\ufffd" or unicodedata.category(char) == "Cc":
            return True
        if "\x80" <= char <= "\xff" and char not in _VIETNAMESE_LATIN1:
            return True
    tones = 0
    previous = ""
    for char in unicodedata.normalize("NFC", text):
        if not char.isalpha() or (char.isupper() and previous.isalpha()):
            tones = 0
        tones += sum(mark in _TONE_MARKS for mark in unicodedata.normalize("NFD", char))
        if tones > 1:
            return True
        previous = char
    return False


__all__ = ["misdecoded", "read_decoded_vector"]
