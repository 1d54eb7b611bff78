"""Fibre points (points of presence a microwave backhaul link may end at): read them.

A fibre point list is a CSV, XLSX, GeoJSON or GeoPackage with one point per row: an id
(``point_id``, ``id``, ``name``, ``Mã điểm``...), coordinates (lon/lat columns as in tower
lists, or the layer's point geometry) and optionally the height of the antenna a link
would use there (``antenna_height_m``, ``Độ cao anten``...; default
:data:`DEFAULT_FIBRE_ANTENNA_HEIGHT_M`). Every source ends in
:func:`fibre_points_from_frame`, which returns:

=====================  ======================================================
``point_id``           str, unique
``antenna_height_m``   antenna height above ground, m
``geometry``           points in the file's CRS (CSV/XLSX lon/lat: EPSG:4326)
=====================  ======================================================
"""

from __future__ import annotations

import math
import os
from typing import Any

import geopandas as gpd
import pandas as pd

from coverage.errors import SchemaError
from coverage.i18n import message, term
from coverage.io.cells import CellProblems, RowLabel, cell_text, is_blank, parse_quantity, plain
from coverage.io.coordinates import points_from_frame
from coverage.io.files import VECTOR_SUFFIXES, existing_file, read_vector
from coverage.io.tables import read_table
from coverage.io.tower_fields import HEADER_ALIASES

__all__ = ["DEFAULT_FIBRE_ANTENNA_HEIGHT_M", "fibre_points_from_frame", "read_fibre_points"]

DEFAULT_FIBRE_ANTENNA_HEIGHT_M = 30.0
"""Antenna height above ground at a fibre point with none given, m (a typical rural mast)."""

_ID_HEADERS = ("point id", "point", "id", "name", "ma diem", "ten diem", "ma", "ten", "pop")
_HEIGHT_HEADERS = ("antenna height m", *HEADER_ALIASES["antenna_height_m"])
_KNOWN = (
    set(_ID_HEADERS)
    | set(_HEIGHT_HEADERS)
    | set(HEADER_ALIASES["lon"])
    | set(HEADER_ALIASES["lat"])
)


def _column(frame: pd.DataFrame, headers: tuple[str, ...]) -> Any:
    keys = {column: plain(column).strip() for column in frame.columns}
    for header in headers:
        for column, key in keys.items():
            if key == header:
                return column
    return None


def fibre_points_from_frame(
    frame: pd.DataFrame,
    *,
    crs: Any = None,
    source: str | None = None,
    row_labels: list[str] | None = None,
    default_height_m: float = DEFAULT_FIBRE_ANTENNA_HEIGHT_M,
) -> gpd.GeoDataFrame:
    """Normalise a table (or GeoDataFrame) of fibre points.

    Parameters
    ----------
    frame
        Raw table with lon/lat columns, or a GeoDataFrame of points.
    crs
        CRS of lon/lat columns (default EPSG:4326), or of a GeoDataFrame that has none.
    source
        Name of the input, for messages (default ``"fibre points"``, in the current language).
    row_labels
        Spreadsheet label of each row (``"row 3"``), for messages.
    default_height_m
        Antenna height where the list gives none, m.

    Returns
    -------
    geopandas.GeoDataFrame
        ``point_id``, ``antenna_height_m``, ``geometry``.

    Raises
    ------
    SchemaError
        No coordinates, unreadable or negative heights, repeated ids (naming the rows).

    Examples
    --------
    >>> table = pd.DataFrame({"Mã điểm": ["POP-1"], "Kinh độ": ["103,97"], "Vĩ độ": [22.5]})
    >>> fibre_points_from_frame(table)[["point_id", "antenna_height_m"]].values.tolist()
    [['POP-1', 30.0]]
    """
    source = term("fibre points") if source is None else source
    labels: list[str] = row_labels or [RowLabel(i + 1) for i in range(len(frame))]
    problems = CellProblems(source)
    is_geo = isinstance(frame, gpd.GeoDataFrame)
    lon, lat = _column(frame, HEADER_ALIASES["lon"]), _column(frame, HEADER_ALIASES["lat"])
    if not is_geo and (lon is None or lat is None):
        raise SchemaError(
            message(
                "errors.io.fibre_no_coordinates",
                source=source,
                listed=", ".join(map(str, frame.columns)),
                lon_aliases=", ".join(HEADER_ALIASES["lon"][1:4]),
                lat_aliases=", ".join(HEADER_ALIASES["lat"][1:4]),
            )
        )
    points, geo_crs = points_from_frame(
        frame,
        xy_columns=None if is_geo else (lon, lat),
        crs=crs,
        swap_xy=False,
        labels=labels,
        problems=problems,
        source=source,
    )
    id_column = _column(frame, _ID_HEADERS)
    ids = [
        f"fibre-{i + 1}" if id_column is None or is_blank(v) else cell_text(v)
        for i, v in enumerate(frame[id_column] if id_column is not None else [None] * len(frame))
    ]
    height_column = _column(frame, _HEIGHT_HEADERS)
    heights = []
    for i, raw in enumerate(
        frame[height_column] if height_column is not None else [None] * len(frame)
    ):
        try:
            value, unit = parse_quantity(raw)
        except ValueError as exc:
            problems.add(labels[i], height_column, raw, str(exc))
            value, unit = math.nan, ""
        if unit not in ("", "m"):
            problems.add(labels[i], height_column, raw, message("errors.io.fibre_height_unit"))
        elif value < 0:
            problems.add(labels[i], height_column, raw, message("errors.io.fibre_height_negative"))
        heights.append(default_height_m if math.isnan(value) else value)
    problems.raise_if_any(message("errors.io.fibre_fix_cells"))
    repeated = pd.Series(ids)[pd.Series(ids).duplicated(keep=False)]
    if len(repeated):
        rows = ", ".join(f"{labels[i]} ({ids[i]})" for i in repeated.index[:10])
        raise SchemaError(message("errors.io.fibre_repeated_ids", source=source, rows=rows))
    return gpd.GeoDataFrame(
        {"point_id": ids, "antenna_height_m": heights}, geometry=list(points), crs=geo_crs
    )


def read_fibre_points(
    path: str | os.PathLike[str],
    *,
    crs: Any = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    default_height_m: float = DEFAULT_FIBRE_ANTENNA_HEIGHT_M,
) -> gpd.GeoDataFrame:
    """Read a fibre point list (CSV, XLSX, GeoJSON, GeoPackage) for backhaul planning.

    Parameters
    ----------
    path
        The file. CSV/XLSX need lon/lat columns (headers as in tower lists).
    crs, sheet, encoding
        As :func:`coverage.io.towers.read_towers`.
    default_height_m
        Antenna height where the list gives none, m.

    Returns
    -------
    geopandas.GeoDataFrame
        See :func:`fibre_points_from_frame`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "fibre.csv"
    >>> _ = path.write_text("id,lon,lat,height\\nPOP-1,103.97,22.5,20\\n", encoding="utf-8")
    >>> points = read_fibre_points(path)
    >>> points.point_id.tolist(), points.antenna_height_m.tolist(), points.crs.to_epsg()
    (['POP-1'], [20.0], 4326)
    """
    path = existing_file(path, what="fibre point")
    source = message("errors.source_file", what=term("fibre point"), path=path)
    if path.suffix.lower() in VECTOR_SUFFIXES:
        frame = read_vector(path, what="fibre point", layer=sheet, encoding=encoding)
        labels = [f"feature {i + 1}" for i in range(len(frame))]
    else:
        frame, labels = read_table(
            path, what="fibre point", known_headers=_KNOWN, sheet=sheet, encoding=encoding
        )
    return fibre_points_from_frame(
        frame, crs=crs, source=source, row_labels=labels, default_height_m=default_height_m
    )
