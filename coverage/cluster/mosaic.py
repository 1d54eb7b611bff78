"""The tiles' GeoTIFFs as one raster each: a GDAL virtual mosaic (VRT) beside the tiles.

A VRT is a small XML file naming, for every band, which window of which tile file lands
where on the whole grid; GDAL, rasterio and QGIS read it as one raster (and
``gdal_translate -of COG`` turns it into one Cloud-Optimized GeoTIFF when a single file is
wanted). Tile paths are written relative to the VRT, so the output folder can be moved.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import rasterio

from coverage.grid import Grid
from coverage.i18n import message
from coverage.io.files import atomic_output

__all__ = ["write_vrt"]

_GDAL_TYPES = {
    "float32": "Float32",
    "float64": "Float64",
    "int32": "Int32",
    "int16": "Int16",
    "uint8": "Byte",
    "uint16": "UInt16",
}


def write_vrt(
    path: str | os.PathLike[str],
    grid: Grid,
    tiles: Sequence[tuple[str | os.PathLike[str], int, int]],
) -> Path:
    """Write a VRT of ``grid`` made of tile GeoTIFFs ``(file, row0, col0)``; return its path.

    Bands, data type, nodata and band descriptions are the first tile's; every tile must
    have the same bands. Written atomically (:func:`coverage.io.files.atomic_output`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from affine import Affine
    >>> from coverage.io.rasters import write_geotiff
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> grid = Grid("EPSG:32648", Affine(30, 0, 0, 0, -30, 60), (2, 4))
    >>> for col0 in (0, 2):
    ...     _ = write_geotiff(folder / f"{col0}.tif", np.full((2, 2), col0, np.uint8),
    ...                       transform=grid.window(0, col0, 2, 2).transform, crs=grid.crs)
    >>> vrt = write_vrt(folder / "all.vrt", grid, [(folder / "0.tif", 0, 0), (folder / "2.tif", 0, 2)])
    >>> with rasterio.open(vrt) as src:
    ...     src.read(1).tolist()
    [[0, 0, 2, 2], [0, 0, 2, 2]]
    """
    path = Path(path)
    if not tiles:
        raise ValueError(message("errors.cluster.no_tiles", path=path))
    with rasterio.open(tiles[0][0]) as first:
        count, dtype, nodata = first.count, first.dtypes[0], first.nodata
        descriptions = first.descriptions
    rows, cols = grid.shape
    root = ET.Element("VRTDataset", rasterXSize=str(cols), rasterYSize=str(rows))
    ET.SubElement(root, "SRS").text = grid.crs.to_wkt()
    ET.SubElement(root, "GeoTransform").text = ", ".join(
        repr(float(v)) for v in grid.transform.to_gdal()
    )
    sizes = []
    for tile, row0, col0 in tiles:
        with rasterio.open(tile) as src:
            sizes.append((os.path.relpath(tile, path.parent), row0, col0, src.height, src.width))
    for band in range(1, count + 1):
        element = ET.SubElement(root, "VRTRasterBand", dataType=_GDAL_TYPES[dtype], band=str(band))
        if nodata is not None:
            ET.SubElement(element, "NoDataValue").text = repr(float(nodata))
        if descriptions[band - 1]:
            ET.SubElement(element, "Description").text = descriptions[band - 1]
        for name, row0, col0, height, width in sizes:
            source = ET.SubElement(element, "SimpleSource")
            ET.SubElement(source, "SourceFilename", relativeToVRT="1").text = Path(name).as_posix()
            ET.SubElement(source, "SourceBand").text = str(band)
            ET.SubElement(
                source, "SrcRect", xOff="0", yOff="0", xSize=str(width), ySize=str(height)
            )
            ET.SubElement(source, "DstRect", xOff=str(col0), yOff=str(row0), xSize=str(width),
                          ySize=str(height))  # fmt: skip
    with atomic_output(path) as tmp:
        ET.ElementTree(root).write(tmp, encoding="utf-8", xml_declaration=False)
    return path
