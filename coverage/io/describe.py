"""`phusong info`: say what a file holds (kind, layers, CRS, rows, normalised columns, problems)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyogrio
import rasterio

from coverage.errors import CoverageError
from coverage.io.communes import read_communes
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
    source = f"/vsizip/{path}" if path.name.lower().endswith(".hgt.zip") else str(path)
    with rasterio.open(source) as src:
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
        lines.append(f"void cells: {int(band.mask.sum())} of {band.size}")
        if band.count():
            lines.append(f"values: {float(band.min()):g} .. {float(band.max()):g}")
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
            return "\n".join(
                header + [f"problem: cannot be read as raster, vector or table: {exc}"]
            )
        communes, problems, communes_error = _attempt(read_communes, path)
        if communes is not None:
            return "\n".join(header + _frame_lines("communes", communes, COMMUNE_COLUMNS, problems))
    else:
        communes_error = None
    towers, problems, towers_error = _attempt(read_towers, path)
    if towers is not None:
        return "\n".join(header + _frame_lines("towers", towers, list(TOWER_COLUMNS), problems))
    errors = [e for e in (communes_error, towers_error) if e]
    return "\n".join(header + ["kind: unrecognised"] + [f"problem: {e}" for e in errors])
