"""Read commune (xã/phường) boundaries into one normalised GeoDataFrame.

Known schemas are recognised without options: the 2025 units file (``ma_xa``,
``ten_xa``, ``loai``, ``dan_so``...), GADM level 3 (``GID_3``, ``NAME_3``, ``VARNAME_3``,
``NAME_2``, ``NAME_1``), and common English/Vietnamese headers (``name``, ``ten``,
``Tên xã``, ``code``, ``ma``...). The result adds ``commune_id``, ``name``, ``district``
and ``province`` in front of the file's own columns, and stays in the file's CRS.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from coverage.crs import require_crs
from coverage.errors import InputFileError, RepairWarning, SchemaError
from coverage.io.files import existing_file, read_vector
from coverage.names import normalize_name, restore_spacing, strip_diacritics

logger = logging.getLogger(__name__)

NORMALISED_COLUMNS = ("commune_id", "name", "district", "province")

# Header candidates, compared after folding case, diacritics and punctuation.
_NAME_HEADERS = (
    "ten_xa", "tenxa", "ten_xa_phuong", "ten_dvhc", "ten", "name", "commune", "commune_name",
    "ward", "ward_name", "name_vi", "xa", "xa_phuong",
)  # fmt: skip
_CODE_HEADERS = (
    "ma_xa", "maxa", "ma_dvhc", "ma", "code", "commune_id", "commune_code", "ward_code", "id",
)  # fmt: skip
_DISTRICT_HEADERS = ("district", "huyen", "ten_huyen", "quan_huyen", "district_name")
_PROVINCE_HEADERS = ("province", "tinh", "ten_tinh", "tinh_thanh", "province_name")

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Latin-1 letters that Vietnamese uses; the others (Ð, Þ, Ä, ½...) betray mis-decoded text.
_VIETNAMESE_LATIN1 = frozenset("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", strip_diacritics(str(text)).casefold())


def _find_column(columns: Sequence[str], candidates: Sequence[str]) -> str | None:
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(_header_key(column), column)
    for candidate in candidates:
        found = by_key.get(_header_key(candidate))
        if found is not None:
            return found
    return None


def _gadm_level(columns: Sequence[str]) -> int | None:
    levels = [
        int(match.group(1))
        for column in columns
        if (match := re.fullmatch(r"NAME_(\d)", column)) and f"GID_{match.group(1)}" in columns
    ]
    return max(levels) if levels and max(levels) >= 2 else None


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


def _read_frame(path: Path, *, layer: str | int | None, encoding: str | None) -> gpd.GeoDataFrame:
    """Read the file; decode single-byte Shapefile text in Python.

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
            f"communes file {path}: unknown text encoding {declared!r}; pass encoding= with a "
            "Python codec name such as 'cp1258' (Vietnamese Windows) or 'utf-8'."
        )
    if not (is_shapefile and codec and codec != "utf-8"):
        return read_vector(path, what="communes", layer=layer, encoding=encoding)
    frame = read_vector(path, what="communes", layer=layer, encoding="ISO-8859-1")

    def decode(value: Any, where: str) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return unicodedata.normalize("NFC", value.encode("latin-1").decode(codec))
        except (UnicodeDecodeError, UnicodeEncodeError) as exc:
            raise InputFileError(
                f"communes file {path}: {where} is not valid {declared} text ({exc.reason}); "
                "pass the file's real encoding with encoding=."
            ) from exc

    frame = frame.rename(columns={c: decode(c, f"column name {c!r}") for c in frame.columns})
    for column in frame.columns:
        dtype = frame[column].dtype
        if column != frame.geometry.name and (
            pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
        ):
            frame[column] = [
                decode(value, f"column {column!r}, row {row}")
                for row, value in zip(frame.index, frame[column], strict=True)
            ]
    return frame


def _misdecoded(text: str) -> bool:
    """True when ``text`` cannot be Vietnamese as written (text read in the wrong encoding).

    Tell-tales: the replacement character, control characters, Latin-1 letters outside
    Vietnamese (``Ð``, ``Þ``, ``½``), or a syllable carrying two tone marks (CP1258's
    separate tone bytes read as Latin-1: ``Mường`` -> ``MýõÌng``).
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


def _clean_text(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return text or None


def _as_id(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _describe_rows(frame: pd.DataFrame, mask: Any, *, limit: int = 10) -> str:
    rows = frame.index[mask]
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"{shown}{more}"


def _schema_hint(columns: Sequence[str], keyword: str, what: str, path: Path) -> SchemaError:
    return SchemaError(
        f"communes file {path}: cannot tell which column holds the {what}. Columns: "
        f"{list(columns)}. Pass {keyword}='<column>' to read_communes "
        f"(CLI: --{keyword.replace('_', '-')})."
    )


def read_communes(
    path: str | os.PathLike[str],
    *,
    name_column: str | None = None,
    code_column: str | None = None,
    district_column: str | None = None,
    province_column: str | None = None,
    province: str | None = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    crs: Any = None,
) -> gpd.GeoDataFrame:
    """Read commune boundaries (GeoJSON, GeoPackage, Shapefile, zipped Shapefile).

    Parameters
    ----------
    path
        The file. A zipped Shapefile is read from inside the ``.zip``.
    name_column, code_column, district_column, province_column
        Columns holding the commune name, its unique code, its district and province,
        when they cannot be recognised (see the module docstring for the known headers).
    province
        With a province column: keep only the communes of this province (matched
        loosely, so ``"Lao Cai"`` finds GADM's ``LàoCai``). Without one: the province
        written into every row.
    layer
        Layer of a multi-layer file (GeoPackage).
    encoding
        Text encoding of the attributes, e.g. ``"cp1258"`` for Vietnamese Windows files;
        by default UTF-8 or what the Shapefile's ``.cpg`` says.
    crs
        CRS of the coordinates (EPSG code, WKT...). Sets it for a file without one and
        overrides a wrong one; the coordinates are never transformed.

    Returns
    -------
    geopandas.GeoDataFrame
        ``commune_id`` (str, unique), ``name`` (NFC, spaced: GADM's ``YTý`` becomes
        ``Y Tý``), ``district`` and ``province`` (None where unknown), then every column
        of the file (a file column that clashes with these names and differs is kept as
        ``<name>_original``), and the polygon geometry, in the file's own CRS.

    Raises
    ------
    InputFileError
        Unreadable or empty file, or text in the wrong encoding.
    SchemaError
        Name or code column not found (says which keyword to pass), duplicate codes,
        missing names or codes, null, empty or non-polygon geometries (rows named).
    CRSError
        The file has no CRS and ``crs=`` was not given.

    Warns
    -----
    RepairWarning
        Invalid polygons (self-intersections, bow-ties) were made valid with
        :func:`shapely.make_valid`; the message gives the count and ids.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from shapely.geometry import box
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.geojson"
    >>> gpd.GeoDataFrame({"ma_xa": ["02686"], "ten_xa": ["Y  Tý"]},
    ...     geometry=[box(103.5, 22.6, 103.6, 22.7)], crs="EPSG:4326").to_file(path)
    >>> communes = read_communes(path, province="Lào Cai")
    >>> communes[["commune_id", "name", "province"]].values.tolist()
    [['02686', 'Y Tý', 'Lào Cai']]
    >>> communes.crs.to_epsg()
    4326
    """
    path = existing_file(path, what="communes")
    frame = _read_frame(path, layer=layer, encoding=encoding)
    columns = [c for c in frame.columns if c != frame.geometry.name]

    for keyword, given in (
        ("name_column", name_column),
        ("code_column", code_column),
        ("district_column", district_column),
        ("province_column", province_column),
    ):
        if given is not None and given not in columns:
            raise SchemaError(
                f"communes file {path}: {keyword}={given!r} is not a column. Columns: {columns}."
            )

    gadm = _gadm_level(columns)
    hint_column = None
    if gadm is not None:
        name_column = name_column or f"NAME_{gadm}"
        code_column = code_column or f"GID_{gadm}"
        if gadm >= 3:
            district_column = district_column or f"NAME_{gadm - 1}"
        province_column = province_column or "NAME_1"
        hint_column = f"VARNAME_{gadm}" if name_column == f"NAME_{gadm}" else None
    name_column = name_column or _find_column(columns, _NAME_HEADERS)
    code_column = code_column or _find_column(columns, _CODE_HEADERS)
    district_column = district_column or _find_column(columns, _DISTRICT_HEADERS)
    province_column = province_column or _find_column(columns, _PROVINCE_HEADERS)
    if name_column is None:
        raise _schema_hint(columns, "name_column", "commune names", path)
    if code_column is None:
        raise _schema_hint(columns, "code_column", "unique commune codes", path)

    if crs is not None:
        frame = frame.set_crs(require_crs(crs, source=f"crs= for {path}"), allow_override=True)
    require_crs(frame.crs, source=f"communes file {path}")

    gadm_spacing = gadm is not None
    hints = frame[hint_column] if hint_column in frame.columns else None

    def spaced(column: str | None, ascii_hints: pd.Series | None = None) -> list[str | None]:
        if column is None:
            return [None] * len(frame)
        values = [_clean_text(v) for v in frame[column]]
        if not gadm_spacing:
            return values
        hint_values = [None] * len(frame) if ascii_hints is None else list(ascii_hints)
        return [
            None if v is None else restore_spacing(v, ascii_hint=_clean_text(h))
            for v, h in zip(values, hint_values, strict=True)
        ]

    normalised = pd.DataFrame(
        {
            "commune_id": [_as_id(v) for v in frame[code_column]],
            "name": spaced(name_column, hints),
            "district": spaced(district_column),
            "province": spaced(province_column),
        },
        index=frame.index,
    )
    if encoding is None:
        for column, source in (
            ("name", name_column),
            ("district", district_column),
            ("province", province_column),
        ):
            bad = normalised[column].map(lambda text: isinstance(text, str) and _misdecoded(text))
            if bad.any():
                first = frame.index[bad.to_numpy()][0]
                raise InputFileError(
                    f"communes file {path}: column {source!r} row {first} reads "
                    f"{frame.at[first, source]!r}, which is not Vietnamese text as written: the "
                    "file is probably in another encoding. Pass encoding='cp1258' (Vietnamese "
                    "Windows) or the file's real encoding, or add a .cpg file beside the .shp."
                )
    if province is not None:
        if province_column is None:
            normalised["province"] = " ".join(unicodedata.normalize("NFC", province).split())
        else:
            key = normalize_name(province)
            keep = normalised["province"].map(lambda p: p is not None and normalize_name(p) == key)
            if not keep.any():
                found = sorted({p for p in normalised["province"] if p is not None})
                raise SchemaError(
                    f"communes file {path}: no row has province {province!r} in column "
                    f"{province_column!r}; provinces present: {found[:20]}."
                )
            frame = frame.loc[keep.to_numpy()]
            normalised = normalised.loc[keep.to_numpy()]

    _check_values(normalised, frame, path=path, code_column=code_column, name_column=name_column)
    frame = _check_geometry(frame, normalised, path=path)

    originals = frame.drop(columns=frame.geometry.name)
    renames = {}
    for column in NORMALISED_COLUMNS:
        if column in originals.columns:
            same = all(
                (a is None and b is None) or a == b
                for a, b in zip(
                    (None if _clean_text(v) is None else v for v in originals[column]),
                    normalised[column],
                    strict=True,
                )
            )
            if same:
                originals = originals.drop(columns=column)
            else:
                renames[column] = f"{column}_original"
    originals = originals.rename(columns=renames)
    result = gpd.GeoDataFrame(
        pd.concat([normalised, originals], axis=1),
        geometry=frame.geometry.rename("geometry"),
        crs=frame.crs,
    )
    logger.info("read %d communes from %s (%s)", len(result), path, result.crs.name)
    return result


def _check_values(
    normalised: pd.DataFrame, frame: pd.DataFrame, *, path: Path, code_column: str, name_column: str
) -> None:
    missing_id = normalised["commune_id"].isna()
    if missing_id.any():
        raise SchemaError(
            f"communes file {path}: column {code_column!r} is empty at rows "
            f"{_describe_rows(frame, missing_id.to_numpy())}; every commune needs a code."
        )
    missing_name = normalised["name"].isna()
    if missing_name.any():
        raise SchemaError(
            f"communes file {path}: column {name_column!r} is empty at rows "
            f"{_describe_rows(frame, missing_name.to_numpy())}; fill in the names or pass "
            "name_column= for another column."
        )
    duplicated = normalised["commune_id"].duplicated(keep=False)
    if duplicated.any():
        groups = normalised[duplicated].groupby("commune_id").groups
        described = "; ".join(
            f"{code!r} at rows {', '.join(str(r) for r in rows)}"
            for code, rows in list(groups.items())[:10]
        )
        raise SchemaError(
            f"communes file {path}: commune codes in column {code_column!r} must be unique, "
            f"but {len(groups)} repeat: {described}. Fix the file, or pass code_column= for "
            "a unique column."
        )


def _check_geometry(
    frame: gpd.GeoDataFrame, normalised: pd.DataFrame, *, path: Path
) -> gpd.GeoDataFrame:
    geometry = frame.geometry.array
    missing = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    if missing.any():
        labels = [f"{i} ({normalised.at[i, 'name']!s})" for i in frame.index[missing][:10]]
        raise SchemaError(
            f"communes file {path}: {int(missing.sum())} rows have no geometry (null or empty): "
            f"rows {', '.join(labels)}. Draw their boundaries or delete the rows."
        )
    types = shapely.get_type_id(geometry)
    polygonal = (types == 3) | (types == 6)
    if not polygonal.all():
        labels = [f"{i} ({normalised.at[i, 'name']!s})" for i in frame.index[~polygonal][:10]]
        raise SchemaError(
            f"communes file {path}: commune boundaries must be polygons, but rows "
            f"{', '.join(labels)} are {sorted(set(shapely.get_type_id(geometry[~polygonal])))} "
            "(shapely type ids); give the boundary file, not a point or line layer."
        )
    invalid = ~shapely.is_valid(geometry)
    if not invalid.any():
        return frame
    repaired = shapely.make_valid(geometry[invalid])
    polygons = [_polygonal_part(g) for g in repaired]
    lost = [i for i, g in zip(frame.index[invalid], polygons, strict=True) if g is None]
    if lost:
        raise SchemaError(
            f"communes file {path}: rows {lost} have invalid geometry with no area left after "
            "repair; redraw them."
        )
    frame = frame.copy()
    column = frame.geometry.name
    frame.loc[frame.index[invalid], column] = gpd.GeoSeries(
        polygons, index=frame.index[invalid], crs=frame.crs
    )
    ids = normalised.loc[frame.index[invalid], "commune_id"].tolist()
    warnings.warn(
        f"communes file {path}: repaired {int(invalid.sum())} invalid polygons with "
        f"shapely.make_valid (commune ids {ids[:10]}{' ...' if len(ids) > 10 else ''}).",
        RepairWarning,
        stacklevel=3,
    )
    return frame


def _polygonal_part(geometry: Any) -> Any:
    """The polygon or multipolygon in a make_valid result; None when nothing has area."""
    parts = [
        part
        for part in shapely.get_parts(geometry)
        if shapely.get_type_id(part) in (3, 6) and not part.is_empty
    ]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


__all__ = ["NORMALISED_COLUMNS", "read_communes"]
