"""`phusong info`: say what a file holds (kind, layers, CRS, rows, normalised columns, problems)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyogrio
import rasterio
import rasterio.errors

from coverage.errors import CoverageError, InputFileError
from coverage.i18n import message
from coverage.io.communes import read_communes
from coverage.io.dem import (
    SRTM_VOID,
    UNDECLARED_VOID,
    check_elevations,
    gdal_path,
    tagged_synthetic,
)
from coverage.io.files import existing_file
from coverage.io.towers import TOWER_COLUMNS, read_towers

RASTER_SUFFIXES = (".tif", ".tiff", ".hgt", ".vrt", ".img")
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
COMMUNE_COLUMNS = ["commune_id", "name", "district", "province"]


def _attempt(reader: Callable[[Path], Any], path: Path) -> tuple[Any, list[str], str | None]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = reader(path)
        except CoverageError as exc:
            return None, [], str(exc)
    return result, [str(w.message) for w in caught], None


def _raster_lines(path: Path) -> list[str]:
    """What a raster holds; problem lines where it cannot serve as a DEM.

    Raises :class:`InputFileError` (naming the file) when GDAL cannot read it at all.
    """
    try:
        with rasterio.open(gdal_path(path)) as src:
            resolution = src.res
            lines = [
                "kind: raster",
                f"size: {src.width} x {src.height} cells, {src.count} band(s), {src.dtypes[0]}",
                f"CRS: {src.crs.to_string() if src.crs else 'NONE (set one before use)'}",
                f"cell size: {resolution[0]:g} x {resolution[1]:g} (CRS units)",
                f"bounds: {tuple(round(b, 6) for b in src.bounds)}",
                f"nodata: {src.nodata}",
            ]
            band = src.read(1, masked=True)
            tags, band_count, declared = src.tags(), src.count, src.nodata is not None
    except rasterio.errors.RasterioError as exc:
        raise InputFileError(
            message("errors.io.describe_raster_unreadable", path=path, exc=exc)
        ) from exc
    lines.append(f"void cells: {int(band.mask.sum())} of {band.size}")
    if band.count():
        lines.append(f"values: {float(band.min()):g} .. {float(band.max()):g}")
    if tagged_synthetic(tags):
        lines.append("synthetic: yes (tagged so in the file)")
    if band_count != 1:
        lines.append("problem: more than one band; as a DEM it would be refused")
    values = band.astype(float).filled(float("nan"))
    if not declared:  # read as void, as the DEM reader does
        values[(values == SRTM_VOID) | (values == UNDECLARED_VOID)] = float("nan")
    try:
        check_elevations(values, source=path.name)
    except CoverageError as exc:
        lines.append(f"problem (as a DEM): {exc}")
    return lines


def _frame_lines(kind: str, frame: Any, columns: list[str], problems: list[str]) -> list[str]:
    crs = frame.crs.to_string() if frame.crs is not None else "NONE"
    lines = [f"kind: {kind}", f"CRS: {crs}", f"rows: {len(frame)}"]
    lines.append("normalised columns: " + ", ".join(c for c in columns if c in frame.columns))
    lines.append(
        "original columns: "
        + ", ".join(c for c in frame.columns if c not in columns and c != "geometry")
    )
    lines.append(
        f"preview: {frame[[c for c in columns if c in frame.columns]].head(3).to_dict('records')}"
    )
    lines += [f"problem (repaired or defaulted): {p}" for p in problems]
    return lines


def describe(path: str | os.PathLike[str]) -> str:
    """A human-readable report of what ``path`` holds and what is wrong with it.

    Rasters are described as they are; vector files and tables are read as communes
    and as towers, and the reading that succeeds is reported with any problem found.
    Raises :class:`InputFileError` naming the file when it can be used as none of these
    (the message holds the report).

    Examples
    --------
    >>> from coverage import datasets
    >>> print(describe(datasets.get_path("laocai_towers")).splitlines()[1])
    kind: towers
    """
    path = existing_file(path, what="input")
    header = [f"file: {path}"]
    lower = path.name.lower()
    if lower.endswith(RASTER_SUFFIXES) or lower.endswith(".hgt.zip"):
        return "\n".join(header + _raster_lines(path))
    if not lower.endswith(TABLE_SUFFIXES):
        try:
            layers = pyogrio.list_layers(f"zip://{path}" if lower.endswith(".zip") else path)
            header.append("layers: " + ", ".join(f"{name} ({geom})" for name, geom in layers))
        except pyogrio.errors.DataSourceError as exc:
            raise InputFileError(
                message("errors.io.describe_unreadable", path=path, exc=exc)
            ) from exc
        communes, problems, communes_error = _attempt(read_communes, path)
        if communes is not None:
            return "\n".join(header + _frame_lines("communes", communes, COMMUNE_COLUMNS, problems))
    else:
        communes_error = None
    towers, problems, towers_error = _attempt(read_towers, path)
    if towers is not None:
        return "\n".join(header + _frame_lines("towers", towers, list(TOWER_COLUMNS), problems))
    errors = [e for e in (communes_error, towers_error) if e]
    reasons = " / ".join(errors or [message("errors.io.describe_no_rows")])
    raise InputFileError(message("errors.io.describe_neither", path=path, reasons=reasons))
