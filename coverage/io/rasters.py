"""Raster writes: georeferenced GeoTIFFs of terrain and results, written atomically."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import rasterio
import rasterio.crs
import rasterio.errors
import rasterio.shutil
from affine import Affine
from rasterio._err import CPLE_BaseError
from rasterio.enums import Resampling
from rasterio.windows import Window

from coverage.errors import OutputWriteError
from coverage.i18n import message
from coverage.io.files import atomic_folder, atomic_output

if TYPE_CHECKING:
    from coverage.terrain import Terrain

COG_BLOCK = 256
"""Block (tile) side of every result GeoTIFF, pixels: also the size its overviews stop at.
Smaller than the COG driver's default 512 so that a site's square of a sparse band
leaves more blocks unstored."""

_GDAL_ERRORS = (rasterio.errors.RasterioError, CPLE_BaseError, OSError)
"""What GDAL raises when a file cannot be written or read back (a full disk)."""


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
    tags: Mapping[str, str] | None = None,
    resampling: str | None = None,
) -> Path:
    """Write a (bands, rows, cols) or (rows, cols) array as a Cloud-Optimized GeoTIFF.

    The file appears only once complete (temporary file, then rename).

    ``windows`` gives, per band, ``(row_off, col_off, height, width)`` outside which the
    band holds only ``nodata`` (e.g. the square around a site's radius): only the blocks
    meeting that window are written; the others are not stored and read back as
    ``nodata``. ``resampling`` names the overviews' (:func:`geotiff_writer`).

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
    return write_band_batches(
        path,
        [BandBatch(1, array, windows)],
        count=count,
        shape=(rows, cols),
        dtype=array.dtype,
        transform=transform,
        crs=crs,
        nodata=nodata,
        descriptions=descriptions,
        overwrite=overwrite,
        tags=tags,
        resampling=resampling,
    )


class BandBatch(NamedTuple):
    """Consecutive bands of a raster, computed together: what :func:`write_band_batches` writes."""

    first_band: int
    """Number (1-based) of the first band in the raster."""
    bands: np.ndarray
    """(n, rows, cols) values of bands ``first_band .. first_band + n - 1``, full grid."""
    windows: Sequence[tuple[int, int, int, int]] | None = None
    """Per band, ``(row_off, col_off, height, width)`` outside which it holds only nodata
    (the square around a site's radius), or None: every block written."""


def write_band_batches(
    path: str | os.PathLike[str],
    batches: Iterable[BandBatch],
    *,
    count: int,
    shape: tuple[int, int],
    dtype: Any,
    transform: Affine,
    crs: Any,
    nodata: float | None = None,
    descriptions: Sequence[str] | None = None,
    overwrite: bool = False,
    tags: Mapping[str, str] | None = None,
    resampling: str | None = None,
) -> Path:
    """Write a GeoTIFF of ``count`` bands from batches computed one after another.

    Only one batch is in memory at a time (e.g. eight viewsheds of a thousand sites).
    The file appears only once every batch is written; an error in the middle (a site
    outside the DEM) leaves nothing behind. Bands no batch writes read back as
    ``nodata``.

    Parameters
    ----------
    path
        Output GeoTIFF.
    batches
        :class:`BandBatch` values (or ``(first_band, bands, windows)`` tuples), any order.
    count, shape, dtype, transform, crs, nodata, descriptions, overwrite, tags, resampling
        As :func:`geotiff_writer`.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "sites.tif"
    >>> batches = (BandBatch(i + 1, np.full((1, 4, 4), i, "uint8")) for i in range(3))
    >>> _ = write_band_batches(out, batches, count=3, shape=(4, 4), dtype="uint8",
    ...                        transform=Affine(30, 0, 0, 0, -30, 120), crs="EPSG:32648")
    >>> rasterio.open(out).read()[:, 0, 0].tolist()
    [0, 1, 2]
    """
    with geotiff_writer(
        path,
        count=count,
        shape=shape,
        dtype=dtype,
        transform=transform,
        crs=crs,
        nodata=nodata,
        descriptions=descriptions,
        overwrite=overwrite,
        tags=tags,
        resampling=resampling,
    ) as writer:
        for first_band, bands, windows in batches:
            writer.write_bands(bands, first_band=first_band, windows=windows)
    return Path(path)


class GeoTiffWriter:
    """A GeoTIFF open for writing by :func:`geotiff_writer`, filled a few bands at a time."""

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset
        """The open :class:`rasterio.io.DatasetWriter`."""

    def write_bands(
        self,
        bands: np.ndarray,
        *,
        first_band: int = 1,
        windows: Sequence[tuple[int, int, int, int]] | None = None,
    ) -> None:
        """Write ``bands`` (n, rows, cols) as bands ``first_band .. first_band + n - 1``.

        With ``windows`` (one ``(row_off, col_off, height, width)`` per band; the
        writer opened with a ``nodata`` value), only the blocks meeting each band's
        window are written: the band must hold only nodata outside it.
        """
        dst = self.dataset
        count = len(bands)
        if first_band < 1 or first_band + count - 1 > dst.count:
            raise ValueError(
                message(
                    "errors.io.raster_bands_range",
                    first_band=first_band,
                    last_band=first_band + count - 1,
                    count=dst.count,
                )
            )
        if windows is None:
            dst.write(bands, indexes=list(range(first_band, first_band + count)))
            return
        if len(windows) != count or dst.nodata is None:
            raise ValueError(
                message("errors.io.raster_windows", n_windows=len(windows), count=count)
            )
        block_rows, block_cols = dst.block_shapes[0]
        rows, cols = dst.height, dst.width
        for i, (row_off, col_off, height, width) in enumerate(windows):
            # widened to whole blocks: no partly written block is read back and rewritten
            top = max(row_off, 0) // block_rows * block_rows
            left = max(col_off, 0) // block_cols * block_cols
            bottom = min(-(-(row_off + height) // block_rows) * block_rows, rows)
            right = min(-(-(col_off + width) // block_cols) * block_cols, cols)
            if bottom > top and right > left:
                dst.write(
                    bands[i, top:bottom, left:right],
                    first_band + i,
                    window=Window(left, top, right - left, bottom - top),
                )


@contextlib.contextmanager
def geotiff_writer(
    path: str | os.PathLike[str],
    *,
    count: int,
    shape: tuple[int, int],
    dtype: Any,
    transform: Affine,
    crs: Any,
    nodata: float | None = None,
    descriptions: Sequence[str] | None = None,
    overwrite: bool = False,
    tags: Mapping[str, str] | None = None,
    resampling: str | None = None,
) -> Iterator[GeoTiffWriter]:
    """Open a ZSTD-compressed Cloud-Optimized GeoTIFF of ``count`` bands to fill band by band.

    The file appears only once the ``with`` block ends without error (temporary file,
    then rename). Bands are stored one after another (band interleaving), so a band can
    be written only around its window (:meth:`GeoTiffWriter.write_bands`), or not at
    all: blocks never written are not stored and read back as ``nodata``. ``tags`` are
    written as dataset metadata (e.g. the drive-test calibration applied).

    The result is a Cloud-Optimized GeoTIFF (:func:`cloud_optimize`): tiled, with
    internal overviews made by ``resampling`` (default: ``"average"`` for float bands,
    power or loss; ``"nearest"`` for integer bands, which are categories: site rows,
    flags, masks, counts).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "two.tif"
    >>> with geotiff_writer(out, count=2, shape=(4, 4), dtype="uint8", crs="EPSG:32648",
    ...                     transform=Affine(30, 0, 0, 0, -30, 120), nodata=255) as writer:
    ...     writer.write_bands(np.ones((1, 4, 4), "uint8"), first_band=2)
    >>> rasterio.open(out).read()[:, 0, 0].tolist()
    [255, 1]
    """
    rows, cols = shape
    if descriptions is not None and len(descriptions) != count:
        raise ValueError(
            message("errors.io.raster_descriptions", n_descriptions=len(descriptions), count=count)
        )
    profile = {
        "driver": "GTiff",
        "width": cols,
        "height": rows,
        "count": count,
        "dtype": dtype,
        "crs": crs,
        "transform": transform,
        "nodata": nodata,
        # stored raw: each block is compressed once, when copied into the COG
        # (cloud_optimize: 50 viewshed bands, 0.5 s of CPU less); blocks that are entirely
        # nodata (beyond a site's radius) are not stored at all
        "sparse_ok": True,
        "tiled": rows >= COG_BLOCK and cols >= COG_BLOCK,
        "interleave": "band",
        "BIGTIFF": "IF_SAFER",
    }
    with atomic_output(path, overwrite=overwrite) as tmp:
        staging = tmp.with_name(f"{tmp.stem}.staging.tif")
        try:
            with rasterio.open(staging, "w", **profile) as dst:
                yield GeoTiffWriter(dst)
                for band, text in enumerate(descriptions or [], start=1):
                    dst.set_band_description(band, str(text))
                if tags:
                    dst.update_tags(**{str(k): str(v) for k, v in tags.items()})
            try:
                cloud_optimize(staging, tmp, resampling=resampling)
            except _GDAL_ERRORS as exc:
                raise _write_failed(Path(path), exc) from exc
        finally:
            staging.unlink(missing_ok=True)
        verify_geotiff(tmp, final=Path(path))


def overview_factors(shape: tuple[int, int], block: int = COG_BLOCK) -> list[int]:
    """Decimation factors 2, 4, 8... until the smallest overview fits in one ``block``.

    What GDAL's COG driver makes with ``OVERVIEWS=AUTO``; none for a raster that fits in
    one block.

    Examples
    --------
    >>> overview_factors((1475, 1492)), overview_factors((200, 100))
    ([2, 4, 8], [])
    """
    factors: list[int] = []
    factor = 1
    while -(-max(shape) // factor) > block:
        factor *= 2
        factors.append(factor)
    return factors


def cloud_optimize(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    resampling: str | None = None,
) -> Path:
    """Copy the GeoTIFF ``source`` to ``target`` as a Cloud-Optimized GeoTIFF.

    The layout of the COG specification (https://docs.ogc.org/is/21-026/21-026.html):
    tiled in :data:`COG_BLOCK`-pixel blocks, internal overviews down to one block
    (:func:`overview_factors`), every IFD at the start of the file, then the overviews'
    blocks, then the full resolution's. Values, nodata, band descriptions and tags are
    copied unchanged; ZSTD compression (level 1), predictor 3 for float bands; blocks
    that are only nodata stay unstored.

    Written by GDAL's GTiff driver with ``COPY_SRC_OVERVIEWS=YES``, the way GDAL's COG
    driver writes its file, but keeping band interleaving: GDAL 3.10's COG driver
    interleaves pixels, which reads every band's block to write one (200 sparse bands
    of 1500 x 1500 cells: 45 s instead of 1.7 s).

    Parameters
    ----------
    source
        A GeoTIFF; overviews are added to it (it is a staging file).
    target
        The COG to write (a new file).
    resampling
        Overview resampling (a :class:`rasterio.enums.Resampling` name): None,
        ``"average"`` for float bands and ``"nearest"`` for integer bands.

    Returns
    -------
    Path
        ``target``.
    """
    # a ZSTD source's overviews are written at level 1 (GDAL would use ZSTD's default 9:
    # 50 viewshed bands, 1.1 s of CPU instead of 0.4), a raw source's raw (geotiff_writer's
    # staging copy); either way they are copied below into the COG at level 1
    with (
        rasterio.Env(GDAL_NUM_THREADS="ALL_CPUS", ZSTD_LEVEL_OVERVIEW=1),
        rasterio.open(source, "r+") as src,
    ):
        dtype = np.dtype(src.dtypes[0])
        integer = np.issubdtype(dtype, np.integer)
        method = resampling or ("nearest" if integer else "average")
        factors = overview_factors(src.shape)
        if factors:
            src.build_overviews(factors, Resampling[method])
            src.update_tags(ns="rio_overview", resampling=method)
    rasterio.shutil.copy(
        source,
        target,
        driver="GTiff",
        copy_src_overviews=True,
        tiled=True,
        blockxsize=COG_BLOCK,
        blockysize=COG_BLOCK,
        # ZSTD level 1 on all cores: ~2.5x faster than DEFLATE for similar size
        compress="zstd",
        zstd_level=1,
        # integer results are categories (masks, site rows, flags): differencing them
        # (predictor 2) makes files larger and slower (50 viewshed bands: 0.16 -> 0.11 s)
        predictor=1 if integer else 3,
        interleave="band",
        num_threads="ALL_CPUS",
        sparse_ok=True,
        BIGTIFF="IF_SAFER",
    )
    return Path(target)


def verify_geotiff(path: Path, *, final: Path) -> None:
    """Read every band of the GeoTIFF just written at ``path`` back; raise if GDAL cannot.

    GDAL reports a full disk met while flushing compressed blocks only in its log, not as
    an error: reading the file back is what proves it whole. Raises
    :class:`~coverage.errors.OutputWriteError` naming ``final``.
    """
    try:
        with rasterio.open(path) as src:
            for band in range(1, src.count + 1):
                src.read(band)
    except _GDAL_ERRORS as exc:
        raise _write_failed(final, exc) from exc


def _write_failed(final: Path, exc: Exception) -> OutputWriteError:
    return OutputWriteError(
        message("errors.io.raster_unreadable_after_write", final=final, exc=exc)
    )


def write_coverage(
    result: Any, folder: str | os.PathLike[str], *, overwrite: bool = False
) -> list[Path]:
    """Write a :class:`coverage.model.CoverageResult` as GeoTIFFs and a layer table in ``folder``.

    Files: ``best_power_dbm.tif`` (float32, one band per operator/technology layer, NaN
    where no site reaches), ``serving_site.tif`` (int32 row in ``towers.csv``, -1 none),
    ``operators_covering.tif`` (uint8), ``validity.tif`` (uint8
    :class:`coverage.validity.Validity` flags), ``layers.csv`` (band order, thresholds).
    A drive-test calibration applied (``result.parameters["calibration"]``: its file name
    and terms) is kept as each GeoTIFF's ``calibration`` tag and a column of ``layers.csv``.
    """
    final = Path(folder)
    files = ["best_power_dbm.tif", "serving_site.tif", "operators_covering.tif", "validity.tif"]
    with atomic_folder(final, names=[*files, "layers.csv"], overwrite=overwrite) as staging:
        _write_coverage_files(result, staging)
    return [final / name for name in (files if len(result.layers) else files[2:])] + [
        final / "layers.csv"
    ]


def _write_coverage_files(result: Any, folder: Path) -> None:
    """The files of :func:`write_coverage`, in a fresh (staging) ``folder``."""
    from coverage.io.spreadsheets import write_csv  # pandas: not needed by other writes

    layers = result.layers
    names = [
        f"{op} {tech}" for op, tech in zip(layers["operator"], layers["technology"], strict=True)
    ]
    calibration = getattr(result, "parameters", {}).get("calibration")
    geo = {"transform": result.transform, "crs": result.crs,
           "tags": {"calibration": calibration} if calibration else None}  # fmt: skip
    if len(layers):  # without towers there are no per-layer bands; the counts still exist
        write_geotiff(
            folder / "best_power_dbm.tif",
            result.best_power_dbm,
            nodata=float("nan"),
            descriptions=names,
            **geo,
        )
        write_geotiff(
            folder / "serving_site.tif",
            result.serving_site,
            nodata=-1,
            descriptions=names,
            **geo,
        )
    write_geotiff(folder / "operators_covering.tif", result.operators_covering, **geo)
    write_geotiff(folder / "validity.tif", result.validity, **geo)
    table = layers.assign(band=range(1, len(layers) + 1))
    if calibration:
        table["calibration"] = calibration
    with atomic_output(folder / "layers.csv") as tmp:
        write_csv(table, tmp)


def write_terrain(
    terrain: Terrain, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write a :class:`~coverage.terrain.Terrain` as a float32 GeoTIFF; return the path.

    DEFLATE-compressed, NaN nodata, tiled when at least 256 x 256 cells; the source and the
    count of void cells are kept as tags. The file is written to a temporary name and
    renamed only when complete. Raises :class:`~coverage.errors.OutputExistsError` if
    ``path`` exists and ``overwrite`` is false.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from coverage.io.terrain import open_terrain
    >>> from coverage.terrain import Terrain
    >>> t = Terrain.from_array(np.ones((2, 2)), transform=Affine(90, 0, 0, 0, -90, 180),
    ...                        crs="EPSG:32648")
    >>> out = write_terrain(t, pathlib.Path(tempfile.mkdtemp()) / "dem.tif")
    >>> open_terrain(out).shape
    (2, 2)
    """
    path = Path(path)
    rows, cols = terrain.shape
    profile = {
        "driver": "GTiff",
        "width": cols,
        "height": rows,
        "count": 1,
        "dtype": "float32",
        "crs": rasterio.crs.CRS.from_wkt(terrain.crs.to_wkt()),
        "transform": terrain.transform,
        "nodata": float("nan"),
        "compress": "deflate",
        "predictor": 3,
    }
    if rows >= 256 and cols >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    with atomic_output(path, overwrite=overwrite) as tmp:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(terrain.elevation_m.astype(np.float32), 1)
            dst.update_tags(source=terrain.source, void_cells=str(int(terrain.void_mask.sum())))
            dst.set_band_description(1, "elevation_m")
        verify_geotiff(tmp, final=path)
    return path
