"""Raster pictures for the map: hillshade, coverage colouring, reprojection, PNG encoding.

Pure functions (arrays in, arrays or bytes out) used by :mod:`coverage.render`. The one
place where rasters leave the metric working CRS: :func:`warp_to_web_mercator` puts them on
the Web Mercator (EPSG:3857) grid that Leaflet draws, so an image overlay stretched between
its corner latitudes/longitudes lands exactly on the ground it shows.
"""

from __future__ import annotations

import math
import struct
import zlib
from typing import Any

import numpy as np
import rasterio.crs
import rasterio.warp
from affine import Affine
from pyproj import CRS

from coverage.crs import WGS84, require_crs, transform_xy

WEB_MERCATOR = CRS.from_epsg(3857)

#: Longest side, in pixels, of any image embedded in a map (keeps the HTML small).
MAX_IMAGE_PX = 1500


def hillshade(
    elevation_m: np.ndarray,
    *,
    cell_size_m: float,
    azimuth_deg: float = 315.0,
    altitude_deg: float = 45.0,
    z_factor: float = 1.0,
) -> np.ndarray:
    """Shaded relief of a DEM, 1 (dark) to 255 (lit), 0 where it cannot be computed.

    Slope and aspect come from Horn's 3x3 finite differences (B. K. P. Horn, "Hill shading
    and the reflectance map", Proc. IEEE 69(1), 1981, eq. for the Sobel-like gradient),
    illuminated by a distant light from ``azimuth_deg`` (clockwise from north) at
    ``altitude_deg`` above the horizon, Lambertian:
    ``cos i = (sin alt - cos alt * (p sin az + q cos az)) / sqrt(1 + p^2 + q^2)`` with
    ``p = dz/dx`` (east) and ``q = dz/dy`` (north). Scaled as ``gdaldem hillshade`` does
    (``1 + 254 * max(cos i, 0)``), so the result matches GDAL's to rounding; the border
    cells and cells next to a NaN are 0 (no data), like ``gdaldem`` without
    ``-compute_edges``.

    Parameters
    ----------
    elevation_m
        2-D array, north-up rows, metres; NaN for voids.
    cell_size_m
        Square cell size, metres.
    azimuth_deg, altitude_deg
        Direction of the light source.
    z_factor
        Vertical exaggeration.

    Returns
    -------
    numpy.ndarray
        uint8, same shape as ``elevation_m``.

    Examples
    --------
    >>> ramp = np.tile(np.arange(5.0) * 10, (5, 1))  # 45 degree slope rising to the east
    >>> shade = hillshade(ramp, cell_size_m=10.0)
    >>> int(shade[2, 2]), int(shade[0, 0])  # west face, towards the north-west light; border
    (218, 0)
    """
    z = np.asarray(elevation_m, dtype=np.float64)
    out = np.zeros(z.shape, dtype=np.uint8)
    if z.shape[0] < 3 or z.shape[1] < 3:
        return out
    a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    d, f = z[1:-1, :-2], z[1:-1, 2:]
    g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    dz_dx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8.0 * cell_size_m) * z_factor
    dz_dy = ((a + 2 * b + c) - (g + 2 * h + i)) / (8.0 * cell_size_m) * z_factor  # north
    az = math.radians(azimuth_deg)
    alt = math.radians(altitude_deg)
    cos_i = (
        math.sin(alt) - math.cos(alt) * (dz_dx * math.sin(az) + dz_dy * math.cos(az))
    ) / np.sqrt(1.0 + dz_dx**2 + dz_dy**2)
    shade = 1.0 + 254.0 * np.clip(cos_i, 0.0, None)
    with np.errstate(invalid="ignore"):
        interior = np.where(np.isfinite(shade), np.floor(shade + 0.5), 0.0)
    out[1:-1, 1:-1] = interior.astype(np.uint8)
    out[~np.isfinite(z)] = 0
    return out


def warp_to_web_mercator(
    bands: np.ndarray,
    *,
    transform: Affine,
    crs: Any,
    max_px: int = MAX_IMAGE_PX,
) -> tuple[np.ndarray, tuple[tuple[float, float], tuple[float, float]]]:
    """Reproject float bands to a Web Mercator grid no longer than ``max_px`` on a side.

    Parameters
    ----------
    bands
        float (n, rows, cols) or (rows, cols) on the grid ``transform``/``crs``; NaN is no data.
    transform, crs
        Georeferencing of ``bands`` (any CRS pyproj understands).
    max_px
        Longest side of the output; the cell size grows (averaging) to fit it.

    Returns
    -------
    (numpy.ndarray, ((south, west), (north, east)))
        float32 bands on the EPSG:3857 grid, NaN outside the source or where all inputs
        were NaN, and the output's corners in degrees (EPSG:4326), as Leaflet wants them.

    Examples
    --------
    >>> from affine import Affine
    >>> grid = np.ones((40, 60), dtype=np.float32)
    >>> warped, bounds = warp_to_web_mercator(grid, transform=Affine(100, 0, 400000, 0, -100,
    ...                                       2480000), crs="EPSG:32648", max_px=30)
    >>> max(warped.shape) <= 30, bool(np.nanmax(warped) == 1.0)
    (True, True)
    """
    source = np.asarray(bands, dtype=np.float32)
    squeeze = source.ndim == 2
    if squeeze:
        source = source[None]
    src_crs = rasterio.crs.CRS.from_wkt(require_crs(crs, source="raster").to_wkt())
    dst_crs = rasterio.crs.CRS.from_epsg(3857)
    rows, cols = source.shape[1:]
    left, top = transform @ (0, 0)
    right, bottom = transform @ (cols, rows)
    west, south, east, north = rasterio.warp.transform_bounds(
        src_crs,
        dst_crs,
        min(left, right),
        min(top, bottom),
        max(left, right),
        max(top, bottom),
        densify_pts=21,
    )
    # same number of pixels as the source, unless that is more than max_px on a side
    pixel = math.sqrt((east - west) * (north - south) / (cols * rows))
    longest = max(east - west, north - south) / pixel
    resampling = rasterio.warp.Resampling.nearest
    if longest > max_px:
        pixel *= longest / max_px
        resampling = rasterio.warp.Resampling.average
    width = max(1, math.ceil((east - west) / pixel - 1e-9))
    height = max(1, math.ceil((north - south) / pixel - 1e-9))
    dst_transform = Affine(pixel, 0.0, west, 0.0, -pixel, north)
    destination = np.full((source.shape[0], height, width), np.nan, dtype=np.float32)
    rasterio.warp.reproject(
        source,
        destination,
        src_transform=transform,
        src_crs=src_crs,
        src_nodata=np.nan,
        dst_transform=dst_transform,
        dst_crs=dst_crs,
        dst_nodata=np.nan,
        resampling=resampling,
    )
    x0, y0 = dst_transform @ (0, 0)
    x1, y1 = dst_transform @ (width, height)
    lon, lat = transform_xy(WEB_MERCATOR, WGS84, np.array([x0, x1]), np.array([y1, y0]))
    corners = ((float(lat[0]), float(lon[0])), (float(lat[1]), float(lon[1])))
    return (destination[0] if squeeze else destination), corners


def colorize(
    values: np.ndarray, lut: np.ndarray, *, vmin: float, vmax: float, alpha: int = 255
) -> np.ndarray:
    """Map float values to RGBA through a lookup table; NaN becomes fully transparent.

    Parameters
    ----------
    values
        2-D float array.
    lut
        uint8 (n, 3) or (n, 4) colours for n equal steps from ``vmin`` to ``vmax``;
        values outside are clamped to the end colours.
    vmin, vmax
        The value range the table spans.
    alpha
        Opacity of valid pixels when ``lut`` has no alpha column.

    Returns
    -------
    numpy.ndarray
        uint8 (rows, cols, 4).

    Examples
    --------
    >>> lut = np.array([[0, 0, 0], [255, 255, 255]], dtype=np.uint8)
    >>> colorize(np.array([[0.0, 1.0, np.nan]]), lut, vmin=0, vmax=1)[0, :, 0].tolist()
    [0, 255, 0]
    """
    values = np.asarray(values, dtype=np.float64)
    lut = np.asarray(lut, dtype=np.uint8)
    if lut.shape[1] == 3:
        lut = np.column_stack([lut, np.full(len(lut), alpha, dtype=np.uint8)])
    valid = np.isfinite(values)
    scaled = np.where(valid, (values - vmin) / (vmax - vmin) * len(lut), 0.0)
    index = np.clip(np.floor(scaled), 0, len(lut) - 1).astype(np.intp)
    rgba = lut[index]
    rgba[~valid] = 0
    return rgba


def encode_png(rgba: np.ndarray) -> bytes:
    """Encode an RGBA (or greyscale+alpha, or grey) uint8 image as a PNG file's bytes.

    Written against the PNG specification (ISO/IEC 15948, W3C 2003): 8-bit samples, one
    IDAT chunk, filter type 1 ("Sub") on every row, zlib level 9.

    Examples
    --------
    >>> encode_png(np.zeros((2, 3, 4), dtype=np.uint8))[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    image = np.ascontiguousarray(rgba, dtype=np.uint8)
    if image.ndim == 2:
        image = image[:, :, None]
    height, width, channels = image.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    # "Sub" filter: each byte minus the same channel of the pixel to its left (mod 256)
    filtered = image.astype(np.int16)
    filtered[:, 1:, :] -= image[:, :-1, :]
    rows = (filtered % 256).astype(np.uint8).reshape(height, width * channels)
    raw = np.hstack([np.ones((height, 1), dtype=np.uint8), rows]).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def png_data_uri(rgba: np.ndarray) -> str:
    """``data:image/png;base64,...`` for an RGBA image, to embed in HTML."""
    import base64

    return "data:image/png;base64," + base64.b64encode(encode_png(rgba)).decode("ascii")
