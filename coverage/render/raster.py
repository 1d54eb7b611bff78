"""Raster pictures for the map: hillshade, coverage colouring, reprojection, PNG encoding.

Pure functions (arrays in, arrays or bytes out) used by :mod:`coverage.render.map`. The one
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
from coverage.i18n import message

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
    destination, (west, south, east, north) = _warp(
        bands, transform=transform, crs=crs, dst_crs=WEB_MERCATOR, max_px=max_px
    )
    lon, lat = transform_xy(WEB_MERCATOR, WGS84, np.array([west, east]), np.array([south, north]))
    corners = ((float(lat[0]), float(lon[0])), (float(lat[1]), float(lon[1])))
    return destination, corners


def warp_to_wgs84(
    bands: np.ndarray,
    *,
    transform: Affine,
    crs: Any,
    max_px: int = MAX_IMAGE_PX,
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """Reproject float bands to a longitude/latitude (EPSG:4326) grid, as KML overlays want.

    As :func:`warp_to_web_mercator`, on a grid of equal steps in degrees (the plate carrée
    image that a KML ``GroundOverlay``'s ``LatLonBox`` stretches over the ground).

    Returns
    -------
    (numpy.ndarray, (west, south, east, north))
        float32 bands and the output's edges in degrees.

    Examples
    --------
    >>> from affine import Affine
    >>> grid = np.ones((40, 60), dtype=np.float32)
    >>> warped, (west, south, east, north) = warp_to_wgs84(grid, transform=Affine(100, 0,
    ...     400000, 0, -100, 2480000), crs="EPSG:32648", max_px=30)
    >>> max(warped.shape) <= 30, round(west, 2), round(north, 2)
    (True, 104.03, 22.42)
    """
    return _warp(bands, transform=transform, crs=crs, dst_crs=WGS84, max_px=max_px)


def _warp(
    bands: np.ndarray, *, transform: Affine, crs: Any, dst_crs: CRS, max_px: int
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """``bands`` on a north-up grid of square cells of ``dst_crs``; and its (W, S, E, N)."""
    source = np.asarray(bands, dtype=np.float32)
    squeeze = source.ndim == 2
    if squeeze:
        source = source[None]
    src_crs = rasterio.crs.CRS.from_wkt(require_crs(crs, source="raster").to_wkt())
    target = rasterio.crs.CRS.from_wkt(dst_crs.to_wkt())
    rows, cols = source.shape[1:]
    left, top = transform @ (0, 0)
    right, bottom = transform @ (cols, rows)
    west, south, east, north = rasterio.warp.transform_bounds(
        src_crs,
        target,
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
        dst_crs=target,
        dst_nodata=np.nan,
        resampling=resampling,
    )
    x1, y1 = dst_transform @ (width, height)
    return (destination[0] if squeeze else destination), (west, float(y1), float(x1), north)


def classify(values: np.ndarray, *, vmin: float, vmax: float, steps: int) -> np.ndarray:
    """Class of each value among ``steps`` equal steps from ``vmin`` to ``vmax``; 0 for NaN.

    Values below ``vmin`` or above ``vmax`` fall into the end classes.

    Parameters
    ----------
    values
        float array, any shape.
    vmin, vmax
        The value range the steps span.
    steps
        Number of classes (at most 255, so the result fits a palette image).

    Returns
    -------
    numpy.ndarray
        uint8, same shape: 1 to ``steps`` for finite values, 0 for NaN.

    Examples
    --------
    >>> classify(np.array([-5.0, 0.1, 0.6, 99.0, np.nan]), vmin=0, vmax=1, steps=4).tolist()
    [1, 1, 3, 4, 0]
    """
    if not 1 <= steps <= 255:
        raise ValueError(message("errors.render.raster_steps", steps=steps))
    values = np.asarray(values, dtype=np.float64)
    valid = np.isfinite(values)
    scaled = np.where(valid, (values - vmin) / (vmax - vmin) * steps, 0.0)
    index = np.clip(np.floor(scaled), 0, steps - 1).astype(np.uint8) + 1
    index[~valid] = 0
    return index


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
    return palette_with_transparent(lut, alpha=alpha)[
        classify(values, vmin=vmin, vmax=vmax, steps=len(lut))
    ]


def palette_with_transparent(lut: np.ndarray, *, alpha: int = 255) -> np.ndarray:
    """RGBA palette: a fully transparent entry 0, then ``lut`` (the classes of :func:`classify`).

    Examples
    --------
    >>> palette_with_transparent(np.array([[9, 9, 9]], dtype=np.uint8), alpha=200).tolist()
    [[0, 0, 0, 0], [9, 9, 9, 200]]
    """
    lut = np.asarray(lut, dtype=np.uint8)
    if lut.shape[1] == 3:
        lut = np.column_stack([lut, np.full(len(lut), alpha, dtype=np.uint8)])
    return np.vstack([np.zeros((1, 4), dtype=np.uint8), lut])


def _filter_rows(image: np.ndarray, *, adaptive: bool) -> np.ndarray:
    """PNG scanlines, each prefixed by its filter type (ISO/IEC 15948 clause 9).

    ``adaptive=False``: filter type 0 (None) on every row, what the specification
    recommends for indexed-colour images; ``adaptive=True``: per row, the one of the five
    filters whose output has the smallest sum of absolute values (taken as signed bytes),
    the heuristic of clause 12.8 for truecolour and greyscale images.
    """
    height, width, channels = image.shape
    raw = image.reshape(height, width * channels).astype(np.int16)
    if not adaptive:
        return np.hstack([np.zeros((height, 1), np.uint8), raw.astype(np.uint8)])
    left = np.zeros_like(raw)
    left[:, channels:] = raw[:, :-channels]
    up = np.zeros_like(raw)
    up[1:] = raw[:-1]
    upper_left = np.zeros_like(raw)
    upper_left[1:, channels:] = raw[:-1, :-channels]
    estimate = left + up - upper_left
    pa, pb, pc = np.abs(estimate - left), np.abs(estimate - up), np.abs(estimate - upper_left)
    paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, upper_left))
    candidates = np.stack([raw, raw - left, raw - up, raw - (left + up) // 2, raw - paeth]).astype(
        np.uint8
    )  # modulo 256
    cost = np.abs(candidates.view(np.int8).astype(np.int32)).sum(axis=2)
    best = cost.argmin(axis=0)
    rows = candidates[best, np.arange(height)]
    return np.hstack([best[:, None].astype(np.uint8), rows])


def encode_png(
    image: np.ndarray,
    *,
    palette: np.ndarray | None = None,
    transparent: int | None = None,
) -> bytes:
    """Encode a uint8 image as a PNG file's bytes, in its smallest fitting colour type.

    Written against the PNG specification (ISO/IEC 15948, W3C 2003): 8-bit samples, one
    IDAT chunk, zlib level 9; filter type 0 on every row of an indexed image, otherwise
    per row the filter the specification's heuristic picks (clause 12.8).

    Parameters
    ----------
    image
        (rows, cols): greyscale, or palette indices when ``palette`` is given;
        (rows, cols, 2): greyscale and alpha; (rows, cols, 3): RGB; (rows, cols, 4): RGBA.
    palette
        (n, 3) RGB or (n, 4) RGBA colours, n <= 256, for an indexed-colour image: one byte a
        pixel instead of four, for images of few colours (a classed coverage map).
    transparent
        For a greyscale image: the grey level drawn fully transparent (a ``tRNS`` chunk),
        e.g. 0 for "no data" in a hillshade.

    Returns
    -------
    bytes

    Examples
    --------
    >>> encode_png(np.zeros((2, 3, 4), dtype=np.uint8))[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    >>> indexed = encode_png(np.zeros((2, 3), np.uint8), palette=np.zeros((2, 4), np.uint8))
    >>> indexed[25], b"PLTE" in indexed, b"tRNS" in indexed  # colour type 3 (indexed)
    (3, True, True)
    """
    pixels = np.ascontiguousarray(image, dtype=np.uint8)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    height, width, channels = pixels.shape
    extra: list[tuple[bytes, bytes]] = []
    if palette is not None:
        colours = np.asarray(palette, dtype=np.uint8)
        if channels != 1 or not 1 <= len(colours) <= 256 or colours.shape[1] not in (3, 4):
            raise ValueError(
                message(
                    "errors.render.raster_indexed_shape",
                    image_shape=image.shape,
                    palette_shape=colours.shape,
                )
            )
        if int(pixels.max(initial=0)) >= len(colours):
            raise ValueError(
                message(
                    "errors.render.raster_index_past_palette",
                    index=int(pixels.max()),
                    n_colours=len(colours),
                )
            )
        color_type = 3
        extra.append((b"PLTE", colours[:, :3].tobytes()))
        if colours.shape[1] == 4 and (colours[:, 3] < 255).any():
            alphas = colours[:, 3]
            last = int(np.flatnonzero(alphas < 255)[-1]) + 1  # trailing entries default to 255
            extra.append((b"tRNS", alphas[:last].tobytes()))
    else:
        color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
        if transparent is not None:
            if color_type != 0:
                raise ValueError(message("errors.render.raster_transparent"))
            extra.append((b"tRNS", struct.pack(">H", int(transparent))))
    raw = _filter_rows(pixels, adaptive=palette is None).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + b"".join(chunk(kind, data) for kind, data in extra)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def png_data_uri(image: np.ndarray, **options: Any) -> str:
    """``data:image/png;base64,...`` of :func:`encode_png` (same options), to embed in HTML.

    Examples
    --------
    >>> png_data_uri(np.zeros((1, 1, 4), np.uint8))[:22]
    'data:image/png;base64,'
    """
    return png_uri(encode_png(image, **options))


def png_uri(png: bytes) -> str:
    """``data:image/png;base64,...`` of a PNG file's bytes.

    Examples
    --------
    >>> png_uri(b"\\x89PNG")
    'data:image/png;base64,iVBORw=='
    """
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
