"""Read commune (xã/phường) boundaries into one normalised GeoDataFrame.

Known schemas are recognised without options: the 2025 units file (``ma_xa``,
``ten_xa``, ``loai``, ``dan_so``...), GADM level 3 (``GID_3``, ``NAME_3``, ``VARNAME_3``,
``NAME_2``, ``NAME_1``), and common English/Vietnamese headers (``name``, ``ten``,
``Tên xã``, ``code``, ``ma``...). The result adds ``commune_id``, ``name``, ``district``
and ``province`` in front of the file's own columns, and stays in the file's CRS.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from coverage.crs import require_crs
from coverage.errors import InputFileError, RepairWarning, SchemaError
from coverage.i18n import message, term
from coverage.io.codepages import misdecoded, read_decoded_vector
from coverage.io.files import existing_file
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


def _schema_hint(
    columns: Sequence[str], keyword: str, what: str, source: str, headers: Sequence[str]
) -> SchemaError:
    return SchemaError(
        message(
            "errors.communes_which_column",
            source=source,
            what=term(what),
            columns=list(columns),
            headers=", ".join(headers),
            keyword=keyword,
        )
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

    Reads the file (decoding a Shapefile's code page), then normalises the table with
    :func:`communes_from_frame`.

    Parameters
    ----------
    path
        The file. A zipped Shapefile is read from inside the ``.zip``.
    name_column, code_column, district_column, province_column, province, crs
        See :func:`communes_from_frame`.
    layer
        Layer of a multi-layer file (GeoPackage).
    encoding
        Text encoding of the attributes, e.g. ``"cp1258"`` for Vietnamese Windows files;
        by default UTF-8 or what the Shapefile's ``.cpg`` says. Text that reads as another
        encoding's bytes is refused unless this is given.

    Returns
    -------
    geopandas.GeoDataFrame
        See :func:`communes_from_frame`; in the file's own CRS.

    Raises
    ------
    InputFileError
        Unreadable or empty file, or text in the wrong encoding.
    SchemaError, CRSError
        See :func:`communes_from_frame`.

    Warns
    -----
    RepairWarning
        Invalid polygons were repaired (see :func:`communes_from_frame`).

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
    result = communes_from_frame(
        read_decoded_vector(path, what="communes", layer=layer, encoding=encoding),
        name_column=name_column,
        code_column=code_column,
        district_column=district_column,
        province_column=province_column,
        province=province,
        crs=crs,
        source=message("errors.source_file", what=term("communes"), path=path),
        check_encoding=encoding is None,
    )
    logger.info(
        message("errors.io.log_read_communes", count=len(result), path=path, crs=result.crs.name)
    )
    return result


def communes_from_frame(
    frame: gpd.GeoDataFrame,
    *,
    name_column: str | None = None,
    code_column: str | None = None,
    district_column: str | None = None,
    province_column: str | None = None,
    province: str | None = None,
    crs: Any = None,
    source: str | None = None,
    check_encoding: bool = True,
) -> gpd.GeoDataFrame:
    """Normalise commune boundaries already in memory (the core of :func:`read_communes`).

    Parameters
    ----------
    frame
        A GeoDataFrame of commune polygons; it is not modified.
    name_column, code_column, district_column, province_column
        Columns holding the commune name, its unique code, its district and province,
        when they cannot be recognised (see the module docstring for the known headers).
    province
        With a province column: keep only the communes of this province (matched
        loosely, so ``"Lao Cai"`` finds GADM's ``LàoCai``). Without one: the province
        written into every row.
    crs
        CRS of the coordinates (EPSG code, WKT...). Sets it for a frame without one and
        overrides a wrong one; the coordinates are never transformed.
    source
        Name used in messages, usually the file (default ``"communes table"``, in the current language).
    check_encoding
        Refuse names that read as text decoded with the wrong encoding (``Y TÃ½``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``commune_id`` (str, unique), ``name`` (NFC, spaced: GADM's ``YTý`` becomes
        ``Y Tý``), ``district`` and ``province`` (None where unknown), then every other
        column (one that clashes with these names and differs is kept as
        ``<name>_original``), and the polygon geometry, in the frame's own CRS, on its
        own index.

    Raises
    ------
    InputFileError
        Names that read as text in the wrong encoding (with ``check_encoding``).
    SchemaError
        Name or code column not found (says which keyword to pass), duplicate codes,
        missing names or codes, null, empty or non-polygon geometries (rows named).
    CRSError
        The frame has no CRS and ``crs=`` was not given.

    Warns
    -----
    RepairWarning
        Invalid polygons (self-intersections, bow-ties) were made valid with
        :func:`shapely.make_valid`; the message gives the count and ids.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> gadm = gpd.GeoDataFrame({"GID_3": ["VNM.39.2.10_1"], "NAME_3": ["YTý"],
    ...     "VARNAME_3": ["Y Ty"], "GID_2": ["VNM.39.2_1"], "NAME_2": ["BátXát"],
    ...     "NAME_1": ["LàoCai"]}, geometry=[box(103.5, 22.6, 103.6, 22.7)], crs=4326)
    >>> communes = communes_from_frame(gadm, province="Lao Cai")
    >>> communes[["commune_id", "name", "district", "province"]].values.tolist()
    [['VNM.39.2.10_1', 'Y Tý', 'Bát Xát', 'Lào Cai']]
    """
    source = term("communes table") if source is None else source
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(
            message("errors.io.communes_not_frame", source=source, kind=type(frame).__name__)
        )
    columns = [c for c in frame.columns if c != frame.geometry.name]
    found = _find_columns(
        columns,
        name_column=name_column,
        code_column=code_column,
        district_column=district_column,
        province_column=province_column,
        source=source,
    )
    if crs is not None:
        frame = frame.set_crs(
            require_crs(crs, source=message("errors.io.crs_for", source=source)),
            allow_override=True,
        )
    require_crs(frame.crs, source=source)
    _check_degrees(frame, source=source)

    normalised = _normalised_columns(frame, found)
    if check_encoding:
        _check_encoding(normalised, frame, found, source=source)
    if province is not None:
        frame, normalised = _filter_province(frame, normalised, province, found, source=source)
    _check_values(normalised, frame, source=source, code_column=found.code, name_column=found.name)
    frame = _check_geometry(frame, normalised, source=source)
    return _with_originals(frame, normalised)


@dataclass(frozen=True)
class _Columns:
    """The columns found for each normalised field (None where the frame has none)."""

    name: str
    code: str
    district: str | None
    province: str | None
    ascii_name: str | None  # GADM's VARNAME_<level>: the name without diacritics, spaced
    gadm: bool  # names written without spaces (``YTý``), to be spaced again


def _find_columns(
    columns: Sequence[str],
    *,
    name_column: str | None,
    code_column: str | None,
    district_column: str | None,
    province_column: str | None,
    source: str,
) -> _Columns:
    """The given columns (checked), else GADM's, else those recognised by their headers."""
    for keyword, given in (
        ("name_column", name_column),
        ("code_column", code_column),
        ("district_column", district_column),
        ("province_column", province_column),
    ):
        if given is not None and given not in columns:
            raise SchemaError(
                message(
                    "errors.communes_not_a_column",
                    source=source,
                    keyword=keyword,
                    given=given,
                    columns=columns,
                )
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
        raise _schema_hint(
            columns, "name_column", "commune names", source, ("ten_xa", "name", "commune_name")
        )
    if code_column is None:
        raise _schema_hint(
            columns, "code_column", "unique commune codes", source, ("ma_xa", "commune_id", "code")
        )
    return _Columns(
        name=name_column,
        code=code_column,
        district=district_column,
        province=province_column,
        ascii_name=hint_column if hint_column in columns else None,
        gadm=gadm is not None,
    )


def _normalised_columns(frame: gpd.GeoDataFrame, found: _Columns) -> pd.DataFrame:
    """``commune_id``, ``name``, ``district`` and ``province``: clean text, GADM spaced."""

    def spaced(column: str | None, ascii_hints: pd.Series | None = None) -> list[str | None]:
        if column is None:
            return [None] * len(frame)
        values = [_clean_text(v) for v in frame[column]]
        if not found.gadm:
            return values
        hint_values = [None] * len(frame) if ascii_hints is None else list(ascii_hints)
        return [
            None if v is None else restore_spacing(v, ascii_hint=_clean_text(h))
            for v, h in zip(values, hint_values, strict=True)
        ]

    hints = frame[found.ascii_name] if found.ascii_name is not None else None
    return pd.DataFrame(
        {
            "commune_id": [_as_id(v) for v in frame[found.code]],
            "name": spaced(found.name, hints),
            "district": spaced(found.district),
            "province": spaced(found.province),
        },
        index=frame.index,
    )


def _check_encoding(
    normalised: pd.DataFrame, frame: pd.DataFrame, found: _Columns, *, source: str
) -> None:
    """Refuse names, districts or provinces that read as text in the wrong encoding."""
    for column, original in (
        ("name", found.name),
        ("district", found.district),
        ("province", found.province),
    ):
        bad = normalised[column].map(lambda text: isinstance(text, str) and misdecoded(text))
        if bad.any():
            first = frame.index[bad.to_numpy()][0]
            raise InputFileError(
                message(
                    "errors.communes_misdecoded",
                    source=source,
                    column=original,
                    row=first,
                    text=frame.at[first, original],
                )
            )


def _filter_province(
    frame: gpd.GeoDataFrame,
    normalised: pd.DataFrame,
    province: str,
    found: _Columns,
    *,
    source: str,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Keep the communes of ``province``; without a province column, write it in every row."""
    if found.province is None:
        normalised = normalised.assign(
            province=" ".join(unicodedata.normalize("NFC", province).split())
        )
        return frame, normalised
    key = normalize_name(province)
    keep = normalised["province"].map(lambda p: p is not None and normalize_name(p) == key)
    if not keep.any():
        present = sorted({p for p in normalised["province"] if p is not None})
        raise SchemaError(
            message(
                "errors.communes_no_province",
                source=source,
                province=province,
                column=found.province,
                present=present[:20],
            )
        )
    return frame.loc[keep.to_numpy()], normalised.loc[keep.to_numpy()]


def _with_originals(frame: gpd.GeoDataFrame, normalised: pd.DataFrame) -> gpd.GeoDataFrame:
    """The normalised columns, then the frame's own (``<name>_original`` where they clash)."""
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
    return gpd.GeoDataFrame(
        pd.concat([normalised, originals], axis=1),
        geometry=frame.geometry.rename("geometry"),
        crs=frame.crs,
    )


def _check_values(
    normalised: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    source: str,
    code_column: str,
    name_column: str,
) -> None:
    missing_id = normalised["commune_id"].isna()
    if missing_id.any():
        rows = _describe_rows(frame, missing_id.to_numpy())
        raise SchemaError(
            message("errors.communes_empty_code", source=source, column=code_column, rows=rows)
        )
    missing_name = normalised["name"].isna()
    if missing_name.any():
        rows = _describe_rows(frame, missing_name.to_numpy())
        raise SchemaError(
            message("errors.communes_empty_name", source=source, column=name_column, rows=rows)
        )
    duplicated = normalised["commune_id"].duplicated(keep=False)
    if duplicated.any():
        groups = normalised[duplicated].groupby("commune_id").groups
        described = "; ".join(
            f"{code!r} at rows {', '.join(str(r) for r in rows)}"
            for code, rows in list(groups.items())[:10]
        )
        raise SchemaError(
            message(
                "errors.communes_repeated_codes",
                source=source,
                column=code_column,
                count=len(groups),
                described=described,
            )
        )


def _check_degrees(frame: gpd.GeoDataFrame, *, source: str) -> None:
    """Refuse coordinates that cannot be degrees in a geographic CRS: swapped axes, wrong CRS."""
    crs = frame.crs
    if crs is None or not crs.is_geographic or frame.geometry.isna().all():
        return
    left, bottom, right, top = (float(v) for v in frame.geometry.total_bounds)
    lon, lat = max(abs(left), abs(right)), max(abs(bottom), abs(top))
    if 90 < lat <= 180 and lon <= 90:
        raise SchemaError(
            message("errors.communes_swapped", source=source, lat=f"{lat:.4g}", lon=f"{lon:.4g}")
        )
    if lon > 180 or lat > 90:
        span = ", ".join(f"{v:.6g}" for v in (left, bottom, right, top))
        raise SchemaError(
            message("errors.communes_not_degrees", source=source, span=span, crs=crs.name)
        )


def _check_geometry(
    frame: gpd.GeoDataFrame, normalised: pd.DataFrame, *, source: str
) -> gpd.GeoDataFrame:
    geometry = frame.geometry.array
    missing = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    if missing.any():
        labels = [f"{i} ({normalised.at[i, 'name']!s})" for i in frame.index[missing][:10]]
        raise SchemaError(
            message(
                "errors.communes_no_geometry",
                source=source,
                count=int(missing.sum()),
                rows=", ".join(labels),
            )
        )
    types = shapely.get_type_id(geometry)
    polygonal = (types == 3) | (types == 6)
    if not polygonal.all():
        labels = [f"{i} ({normalised.at[i, 'name']!s})" for i in frame.index[~polygonal][:10]]
        kinds = sorted(set(shapely.get_type_id(geometry[~polygonal])))
        raise SchemaError(
            message(
                "errors.communes_not_polygons", source=source, rows=", ".join(labels), kinds=kinds
            )
        )
    invalid = ~shapely.is_valid(geometry)
    if not invalid.any():
        return frame
    repaired = shapely.make_valid(geometry[invalid])
    polygons = [_polygonal_part(g) for g in repaired]
    lost = [i for i, g in zip(frame.index[invalid], polygons, strict=True) if g is None]
    if lost:
        raise SchemaError(message("errors.communes_no_area", source=source, rows=lost))
    frame = frame.copy()
    column = frame.geometry.name
    frame.loc[frame.index[invalid], column] = gpd.GeoSeries(
        polygons, index=frame.index[invalid], crs=frame.crs
    )
    ids = normalised.loc[frame.index[invalid], "commune_id"].tolist()
    warnings.warn(
        message(
            "errors.io.communes_repaired",
            source=source,
            count=int(invalid.sum()),
            ids=ids[:10],
            more=" ..." if len(ids) > 10 else "",
        ),
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


__all__ = ["NORMALISED_COLUMNS", "communes_from_frame", "read_communes"]
