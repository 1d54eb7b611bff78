"""Point coordinates from tables: degrees as people type them, swapped axes caught.

:func:`parse_angle` reads decimal degrees (point or comma) and degrees-minutes-seconds;
:func:`points_from_frame` turns a table's coordinate columns, or a GeoDataFrame's
point geometry, into points with their CRS, and refuses coordinates that are out of
range, saying when exchanging x and y would fix them (lon/lat columns swapped, or a
Vietnamese survey's X = northing, Y = easting).
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from coverage.crs import WGS84, require_crs, transform_xy
from coverage.errors import CRSError, SchemaError
from coverage.i18n import message
from coverage.io.cells import MAX_LISTED, CellProblems, is_blank, is_number, parse_quantity

__all__ = ["parse_angle", "points_from_frame"]

_NUMBER = r"\d+(?:[.,]\d+)?"
_ANGLE = re.compile(
    rf"""^\s*(?P<h1>[NSEWnew])?\s*(?P<sign>[-+\u2212])?\s*
    (?P<deg>{_NUMBER})\s*(?:°|º|˚|deg|d)?\s*
    (?:(?P<min>{_NUMBER})\s*(?:'|′|’|‘|´|min|m)?\s*
       (?:(?P<sec>{_NUMBER})\s*(?:"|″|”|“|''|′′|’’|sec|s)?)?)?
    \s*(?P<h2>[NSEWnew])?\s*$""",
    re.VERBOSE,
)

_SWAP_MARGIN_DEG = 2.0
"""Tolerance around a projected CRS's area of use when testing x/y, degrees."""


def parse_angle(value: Any, *, axis: Literal["lon", "lat"] | None = None) -> float:
    """Decimal degrees from a coordinate as people type it.

    Accepts decimal degrees with a decimal point or comma (``104.123``, ``104,123``),
    degrees-minutes-seconds (``22°30'15.2"N``, ``104 08 30 E``, ``22d30m15s``) and
    degrees with decimal minutes (``22°30.25'``). S and W are negative. Only the last
    part may have a fraction; minutes and seconds must be below 60. With ``axis``,
    a hemisphere letter of the other axis (N on a longitude) is refused, since it
    means the columns are swapped. Blank values give NaN; anything else that cannot
    be read raises ``ValueError`` saying why.

    Examples
    --------
    >>> parse_angle("22°30'15.2\\"N")
    22.50422222222222
    >>> parse_angle("104 08 30 E"), parse_angle("22°30.25'"), parse_angle("104,5")
    (104.14166666666668, 22.504166666666666, 104.5)
    """
    if is_number(value):
        return float(value)
    if is_blank(value):
        return math.nan
    try:
        return float(value)  # the common case: decimal degrees with a point
    except ValueError:
        pass
    match = _ANGLE.match(str(value).replace("\u00a0", " "))
    if match is None:
        raise ValueError(message("errors.io.not_a_coordinate"))
    parts = [match["deg"], match["min"], match["sec"]]
    given = [p for p in parts if p is not None]
    numbers = [float(p.replace(",", ".")) for p in given]
    if any(not n.is_integer() for n in numbers[:-1]):
        raise ValueError(message("errors.io.coordinate_fraction"))
    if any(n >= 60 for n in numbers[1:]):
        raise ValueError(message("errors.io.coordinate_sixty"))
    if match["h1"] and match["h2"]:
        raise ValueError(message("errors.io.coordinate_two_hemispheres"))
    hemisphere = (match["h1"] or match["h2"] or "").upper()
    if hemisphere and match["sign"]:
        raise ValueError(message("errors.io.coordinate_sign_and_hemisphere"))
    if axis == "lon" and hemisphere in ("N", "S"):
        raise ValueError(message("errors.io.coordinate_latitude_in_lon"))
    if axis == "lat" and hemisphere in ("E", "W"):
        raise ValueError(message("errors.io.coordinate_longitude_in_lat"))
    degrees = sum(n / 60.0**i for i, n in enumerate(numbers))
    negative = match["sign"] in ("-", "\u2212") or hemisphere in ("S", "W")
    return -degrees if negative else degrees


def points_from_frame(
    frame: pd.DataFrame,
    *,
    xy_columns: tuple[Any, Any] | None,
    crs: Any,
    swap_xy: bool,
    labels: list[str],
    problems: CellProblems,
    source: str,
) -> tuple[np.ndarray, CRS]:
    """Point geometries and their CRS, from coordinate columns or a GeoDataFrame's geometry.

    Parameters
    ----------
    frame
        The table; a GeoDataFrame when ``xy_columns`` is None.
    xy_columns
        The x (longitude, easting) and y (latitude, northing) columns, or None to use
        the geometry of a GeoDataFrame.
    crs
        CRS of the coordinate columns (default EPSG:4326: degrees read with
        :func:`parse_angle`; a projected CRS reads plain metres), or of a GeoDataFrame
        that has none; must not contradict a GeoDataFrame's own CRS.
    swap_xy
        Exchange the two coordinates.
    labels, problems, source
        Row labels, the collector unreadable cells are added to, and the name of the
        input for messages.

    Returns
    -------
    (numpy.ndarray of shapely Points, pyproj.CRS)
        Points (empty ones where a cell could not be read, which ``problems`` lists).

    Raises
    ------
    CRSError
        ``crs`` contradicts the GeoDataFrame's own CRS.
    SchemaError
        Coordinates out of range; the message says when swapping x and y fits.

    Examples
    --------
    >>> import pandas as pd
    >>> from coverage.io.cells import CellProblems
    >>> table = pd.DataFrame({"lon": ["103°58'30\\"E"], "lat": ["22,48"]})
    >>> points, crs = points_from_frame(table, xy_columns=("lon", "lat"), crs=None,
    ...     swap_xy=False, labels=["row 2"], problems=CellProblems("t"), source="t")
    >>> round(points[0].x, 6), points[0].y, crs.to_epsg()
    (103.975, 22.48, 4326)
    """
    if xy_columns is None:
        x, y, geo_crs = _geometry_xy(frame, crs, labels, problems, source)
        x_name, y_name = "geometry x", "geometry y"
    else:
        geo_crs = require_crs(crs if crs is not None else "EPSG:4326", source=source)
        x_name, y_name = xy_columns
        x = np.full(len(frame), np.nan)
        y = np.full(len(frame), np.nan)
        for values, name, axis in ((x, x_name, "lon"), (y, y_name, "lat")):
            if swap_xy:
                axis = "lat" if axis == "lon" else "lon"
            for i, raw in enumerate(frame[name].tolist()):
                try:
                    values[i] = _coordinate(raw, geo_crs, axis)  # type: ignore[arg-type]
                except ValueError as exc:
                    problems.add(labels[i], name, raw, str(exc))
    if swap_xy:
        x, y = y, x
        x_name, y_name = y_name, x_name
    if not problems.lines:
        _check_axes(x, y, x_name, y_name, geo_crs, labels, source)
    return shapely.points(x, y), geo_crs


def _coordinate(raw: Any, geo_crs: CRS, axis: Literal["lon", "lat"]) -> float:
    """One coordinate cell: degrees in a geographic CRS, plain metres in a projected one."""
    if geo_crs.is_geographic:
        value = parse_angle(raw, axis=axis)
    else:
        value, unit = parse_quantity(raw)
        if unit not in ("", "m"):
            raise ValueError(message("errors.io.coordinate_unit", unit=repr(unit)))
    if math.isnan(value):
        raise ValueError(message("errors.io.coordinate_empty"))
    return value


def _geometry_xy(
    frame: Any, crs: Any, labels: list[str], problems: CellProblems, source: str
) -> tuple[np.ndarray, np.ndarray, CRS]:
    """x, y and CRS of a GeoDataFrame's points; other geometries are listed as problems."""
    if frame.crs is None:
        geo_crs = require_crs(crs, source=source)
    else:
        geo_crs = CRS.from_user_input(frame.crs)
        if crs is not None and require_crs(crs, source=source) != geo_crs:
            raise CRSError(
                message(
                    "errors.io.coordinate_crs_given",
                    source=source,
                    file_crs=geo_crs.to_string(),
                    crs=repr(crs),
                )
            )
    x = np.full(len(frame), np.nan)
    y = np.full(len(frame), np.nan)
    for i, geom in enumerate(frame.geometry.to_numpy()):
        if geom is None or geom.is_empty or geom.geom_type != "Point":
            kind = "no geometry" if geom is None or geom.is_empty else geom.geom_type
            problems.add(labels[i], "geometry", kind, message("errors.io.tower_not_point"))
        else:
            x[i], y[i] = geom.x, geom.y
    return x, y, geo_crs


def _check_axes(
    x: np.ndarray,
    y: np.ndarray,
    x_name: Any,
    y_name: Any,
    geo_crs: CRS,
    labels: list[str],
    source: str,
) -> None:
    """Refuse coordinates that are out of range, suggesting the swap when it would fit."""
    swap_hint = message("errors.io.coordinate_swap_hint")
    if geo_crs.is_geographic:
        bad = (np.abs(y) > 90) | (np.abs(x) > 180)
        if bad.any():
            rows = np.flatnonzero(bad)
            listed = ", ".join(
                message(
                    "errors.io.coordinate_out_of_range_row",
                    label=labels[i],
                    x=f"{x[i]:g}",
                    x_name=repr(str(x_name)),
                    y=f"{y[i]:g}",
                    y_name=repr(str(y_name)),
                )
                for i in rows[:MAX_LISTED]
            )
            swapped_ok = bool(np.all((np.abs(x[rows]) <= 90) & (np.abs(y[rows]) <= 180)))
            hint = swap_hint if swapped_ok else message("errors.io.coordinate_check_columns")
            raise SchemaError(
                message(
                    "errors.io.coordinate_out_of_range",
                    source=source,
                    count=len(rows),
                    listed=listed,
                    hint=hint,
                )
            )
        return
    area = geo_crs.area_of_use
    if area is None:
        return
    margin = _SWAP_MARGIN_DEG

    def inside(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            lon, lat = transform_xy(geo_crs, WGS84, xs, ys)
        return (
            np.isfinite(lon)
            & np.isfinite(lat)
            & (lon >= area.west - margin)
            & (lon <= area.east + margin)
            & (lat >= area.south - margin)
            & (lat <= area.north + margin)
        )

    outside = ~inside(x, y)
    if outside.any():
        swapped_inside = inside(y[outside], x[outside])
        if swapped_inside.all():
            rows = np.flatnonzero(outside)
            listed = ", ".join(labels[i] for i in rows[:MAX_LISTED])
            raise SchemaError(
                message(
                    "errors.io.coordinate_swapped_xy",
                    source=source,
                    count=len(rows),
                    crs_name=geo_crs.name,
                    listed=listed,
                )
            )
