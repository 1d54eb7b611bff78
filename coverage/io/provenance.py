"""What input files say about themselves: rasters tagged ``synthetic``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import rasterio
import rasterio.errors

from coverage.errors import InputFileError
from coverage.io.dem import gdal_path

SYNTHETIC_TAG_VALUES = {"yes", "true", "1"}
"""Values of a GeoTIFF's ``synthetic`` metadata tag that mark it synthetic."""


def tagged_synthetic(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The rasters among ``paths`` whose ``synthetic`` tag says they are synthetic.

    Folders are searched for ``.tif``/``.tiff`` files; unreadable files are skipped here
    (the DEM reader reports them).

    Examples
    --------
    >>> from coverage import datasets
    >>> [p.name for p in tagged_synthetic([datasets.get_path("laocai_terrain")])]
    ['laocai_terrain.tif']
    """
    found = []
    for given in paths:
        path = Path(given)
        files = (
            sorted(p for p in path.rglob("*") if p.suffix.lower() in {".tif", ".tiff"})
            if path.is_dir()
            else [path]
        )
        for file in files:
            try:
                with rasterio.open(gdal_path(file)) as src:
                    tag = str(src.tags().get("synthetic", "")).lower()
            except (rasterio.errors.RasterioError, InputFileError):
                continue
            if tag in SYNTHETIC_TAG_VALUES:
                found.append(file)
    return found
