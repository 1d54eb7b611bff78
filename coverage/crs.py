"""Coordinate reference systems: require one, pick a metric working CRS, transform.

Distances and areas are computed in a metric CRS, by default the UTM zone of the data
(Lào Cai: WGS 84 / UTM zone 48N, EPSG:32648). Only :mod:`coverage.render.map` goes back to
EPSG:4326 for display.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from pyproj import CRS, Transformer

from coverage.errors import CRSError
from coverage.i18n import message, term

WGS84 = CRS.from_epsg(4326)


def require_crs(crs: Any, *, source: str) -> CRS:
    """Return ``crs`` as a :class:`pyproj.CRS`, or raise :class:`CRSError` saying how to set one.

    Parameters
    ----------
    crs
        Anything pyproj understands (EPSG code, WKT, rasterio CRS...), or None.
    source
        What the CRS belongs to, named in the error (usually a file path; a word such as
        ``"towers"`` is written in the current language).

    Examples
    --------
    >>> require_crs("EPSG:4326", source="x").to_epsg()
    4326
    """
    if crs is not None and not isinstance(crs, CRS) and hasattr(crs, "to_wkt"):
        crs = crs.to_wkt() or None  # a rasterio CRS; an empty one means "no CRS"
    source = term(source)
    if crs is None or crs == "":
        raise CRSError(message("errors.crs.missing", source=source))
    try:
        return CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises its own CRSError; re-raise ours with the source
        raise CRSError(
            message("errors.crs.unreadable", source=source, crs=repr(crs), exc=exc)
        ) from exc


def utm_crs_for(lon_deg: float, lat_deg: float) -> CRS:
    """The WGS 84 UTM zone containing a point given in degrees (EPSG:4326).

    Examples
    --------
    >>> utm_crs_for(103.8, 22.4).to_epsg()  # Lào Cai
    32648
    """
    if not (-180.0 <= lon_deg <= 180.0 and -80.0 <= lat_deg <= 84.0):
        raise CRSError(message("errors.crs.no_utm_zone", lon=lon_deg, lat=lat_deg))
    zone = int((lon_deg + 180.0) // 6.0) % 60 + 1
    return CRS.from_epsg((32600 if lat_deg >= 0 else 32700) + zone)


def working_crs_for_bounds(bounds: tuple[float, float, float, float], crs: Any) -> CRS:
    """Metric working CRS for data with ``bounds`` (minx, miny, maxx, maxy) in ``crs``.

    A projected metric CRS is kept as it is; a geographic one gets the UTM zone of the
    bounds' centre.
    """
    crs = require_crs(crs, source=message("errors.crs.data"))
    if crs.is_projected and crs.axis_info and crs.axis_info[0].unit_name in ("metre", "meter"):
        return crs
    minx, miny, maxx, maxy = bounds
    lon, lat = transform_xy(
        crs, WGS84, np.array([(minx + maxx) / 2]), np.array([(miny + maxy) / 2])
    )
    return utm_crs_for(float(lon[0]), float(lat[0]))


def transform_xy(
    from_crs: Any, to_crs: Any, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinate arrays, always in (x=easting/longitude, y=northing/latitude) order."""
    transformer = Transformer.from_crs(from_crs, to_crs, always_xy=True)
    out_x, out_y = transformer.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(out_x), np.asarray(out_y)


def crs_label(crs: CRS) -> str:
    """A CRS as people read it: its name and, when it has one, its EPSG code.

    Examples
    --------
    >>> crs_label(CRS.from_epsg(32648))
    'WGS 84 / UTM zone 48N (EPSG:32648)'
    """
    epsg = crs.to_epsg()
    return f"{crs.name} (EPSG:{epsg})" if epsg else crs.name


METRES_PER_DEGREE_LAT = 111_320.0
"""Approximate length of one degree of latitude, m (a degree of the WGS 84 equator)."""


def grow_lonlat_bounds(
    bounds: Sequence[float], distance_m: float
) -> tuple[float, float, float, float]:
    """A longitude/latitude box (degrees, EPSG:4326) grown by about ``distance_m`` on every side.

    Degrees of longitude shrink with latitude: the box grows by ``distance_m /
    (111320 cos(latitude))`` degrees east and west, at the box's mean latitude (at most
    ten times the north-south margin, near the poles). Enough to crop a DEM to data plus
    a radius; not a geodesic buffer.

    Parameters
    ----------
    bounds
        (min lon, min lat, max lon, max lat), degrees, e.g. ``frame.to_crs(4326).total_bounds``.
    distance_m
        Margin, m (>= 0).

    Returns
    -------
    tuple of float
        The grown box, same order.

    Examples
    --------
    >>> [round(v, 4) for v in grow_lonlat_bounds((103.0, 22.0, 104.0, 23.0), 11_132.0)]
    [102.8918, 21.9, 104.1082, 23.1]
    """
    if not (math.isfinite(distance_m) and distance_m >= 0):
        raise ValueError(message("errors.crs.distance", distance_m=distance_m))
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    pad_lat = distance_m / METRES_PER_DEGREE_LAT
    pad_lon = pad_lat / max(float(np.cos(np.radians((miny + maxy) / 2))), 0.1)
    return (minx - pad_lon, miny - pad_lat, maxx + pad_lon, maxy + pad_lat)
