"""Raster writes: georeferenced GeoTIFFs of results, written atomically."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine

from coverage.io.files import atomic_output


def write_geotiff(
    path: str | os.PathLike[str],
    bands: np.ndarray,
    *,
    transform: Affine,
    crs: Any,
    nodata: float | None = None,
    descriptions: Sequence[str] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a (bands, rows, cols) or (rows, cols) array as a tiled, DEFLATE-compressed GeoTIFF.

    The file appears only once complete (temporary file, then rename).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "ones.tif"
    >>> _ = write_geotiff(out, np.ones((4, 4), "uint8"), transform=Affine(30, 0, 0, 0, -30, 120),
    ...                   crs="EPSG:32648", nodata=255)
    >>> rasterio.open(out).count
    1
    """
    array = np.asarray(bands)
    if array.ndim == 2:
        array = array[None]
    count, rows, cols = array.shape
    if descriptions is not None and len(descriptions) != count:
        raise ValueError(f"{len(descriptions)} descriptions for {count} bands")
    profile = {
        "driver": "GTiff",
        "width": cols,
        "height": rows,
        "count": count,
        "dtype": array.dtype,
        "crs": crs,
        "transform": transform,
        "nodata": nodata,
        "compress": "deflate",
        "predictor": 2 if np.issubdtype(array.dtype, np.integer) else 3,
        "zlevel": 1,
        "tiled": rows >= 256 and cols >= 256,
        "BIGTIFF": "IF_SAFER",
    }
    with atomic_output(path, overwrite=overwrite) as tmp, rasterio.open(tmp, "w", **profile) as dst:
        dst.write(array)
        for band, text in enumerate(descriptions or [], start=1):
            dst.set_band_description(band, str(text))
    return Path(path)
