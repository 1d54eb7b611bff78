"""Raster writes: georeferenced GeoTIFFs of results, written atomically."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from rasterio.windows import Window

from coverage.io.files import atomic_output


def write_geotiff(
    path: str | os.PathLike[str],
    bands: np.ndarray,
    *,
    transform: Affine,
    crs: Any,
    nodata: float | None = None,
    descriptions: Sequence[str] | None = None,
    windows: Sequence[tuple[int, int, int, int]] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a (bands, rows, cols) or (rows, cols) array as a tiled, ZSTD-compressed GeoTIFF.

    The file appears only once complete (temporary file, then rename).

    ``windows`` gives, per band, ``(row_off, col_off, height, width)`` outside which the
    band holds only ``nodata`` (e.g. the square around a site's radius): only the blocks
    meeting that window are written; the others are not stored and read back as
    ``nodata``.

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
    if windows is not None and (len(windows) != count or nodata is None):
        raise ValueError(f"windows need nodata and one window per band: {len(windows)} for {count}")
    profile = {
        "driver": "GTiff",
        "width": cols,
        "height": rows,
        "count": count,
        "dtype": array.dtype,
        "crs": crs,
        "transform": transform,
        "nodata": nodata,
        # ZSTD level 1 on all cores: ~2.5x faster than DEFLATE for similar size; blocks
        # that are entirely nodata (beyond a site's radius) are not stored at all.
        "compress": "zstd",
        "zstd_level": 1,
        "predictor": 2 if np.issubdtype(array.dtype, np.integer) else 3,
        "num_threads": "ALL_CPUS",
        "sparse_ok": True,
        "tiled": rows >= 256 and cols >= 256,
        # with windows, each band's blocks stand alone, so unwritten ones stay nodata
        "interleave": "pixel" if windows is None else "band",
        "BIGTIFF": "IF_SAFER",
    }
    with atomic_output(path, overwrite=overwrite) as tmp, rasterio.open(tmp, "w", **profile) as dst:
        if windows is None:
            dst.write(array)
        else:
            _write_windows(dst, array, windows)
        for band, text in enumerate(descriptions or [], start=1):
            dst.set_band_description(band, str(text))
    return Path(path)


def _write_windows(
    dst: Any, array: np.ndarray, windows: Sequence[tuple[int, int, int, int]]
) -> None:
    """Write each band's window, widened to whole blocks (no partial block is rewritten)."""
    block_rows, block_cols = dst.block_shapes[0]
    _, rows, cols = array.shape
    for band, (row_off, col_off, height, width) in enumerate(windows, start=1):
        top = max(row_off, 0) // block_rows * block_rows
        left = max(col_off, 0) // block_cols * block_cols
        bottom = min(-(-(row_off + height) // block_rows) * block_rows, rows)
        right = min(-(-(col_off + width) // block_cols) * block_cols, cols)
        if bottom > top and right > left:
            dst.write(
                array[band - 1, top:bottom, left:right],
                band,
                window=Window(left, top, right - left, bottom - top),
            )


def write_coverage(
    result: Any, folder: str | os.PathLike[str], *, overwrite: bool = False
) -> list[Path]:
    """Write a :class:`coverage.model.CoverageResult` as GeoTIFFs and a layer table in ``folder``.

    Files: ``best_power_dbm.tif`` (float32, one band per operator/technology layer, NaN
    where no site reaches), ``serving_site.tif`` (int32 row in ``towers.csv``, -1 none),
    ``operators_covering.tif`` (uint8), ``validity.tif`` (uint8
    :class:`coverage.validity.Validity` flags), ``layers.csv`` (band order, thresholds).
    """
    folder = Path(folder)
    layers = result.layers
    names = [
        f"{op} {tech}" for op, tech in zip(layers["operator"], layers["technology"], strict=True)
    ]
    geo = {"transform": result.transform, "crs": result.crs, "overwrite": overwrite}
    paths = []
    if len(layers):  # without towers there are no per-layer bands; the counts still exist
        paths.append(
            write_geotiff(
                folder / "best_power_dbm.tif",
                result.best_power_dbm,
                nodata=float("nan"),
                descriptions=names,
                **geo,
            )
        )
        paths.append(
            write_geotiff(
                folder / "serving_site.tif",
                result.serving_site,
                nodata=-1,
                descriptions=names,
                **geo,
            )
        )
    paths.append(write_geotiff(folder / "operators_covering.tif", result.operators_covering, **geo))
    paths.append(write_geotiff(folder / "validity.tif", result.validity, **geo))
    table = layers.assign(band=range(1, len(layers) + 1))
    with atomic_output(folder / "layers.csv", overwrite=overwrite) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8-sig")
    paths.append(folder / "layers.csv")
    return paths
