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
            crs = src.crs.to_string() if src.crs else message("cli.describe_no_crs_raster")
            lines = [
                message("cli.describe_kind_raster"),
                message(
                    "cli.describe_size",
                    width=src.width,
                    height=src.height,
                    bands=src.count,
                    dtype=src.dtypes[0],
                ),
                message("cli.describe_crs", crs=crs),
                message("cli.describe_cell_size", x=f"{resolution[0]:g}", y=f"{resolution[1]:g}"),
                message("cli.describe_bounds", bounds=tuple(round(b, 6) for b in src.bounds)),
                message("cli.describe_nodata", nodata=src.nodata),
            ]
            band = src.read(1, masked=True)
            tags, band_count, declared = src.tags(), src.count, src.nodata is not None
    except rasterio.errors.RasterioError as exc:
        raise InputFileError(
            message("errors.io.describe_raster_unreadable", path=path, exc=exc)
        ) from exc
    lines.append(message("cli.describe_void", void=int(band.mask.sum()), total=band.size))
    if band.count():
        lines.append(
            message(
                "cli.describe_values", low=f"{float(band.min()):g}", high=f"{float(band.max()):g}"
            )
        )
    if tagged_synthetic(tags):
        lines.append(message("cli.describe_synthetic"))
    if band_count != 1:
        lines.append(message("cli.describe_many_bands"))
    values = band.astype(float).filled(float("nan"))
    if not declared:  # read as void, as the DEM reader does
        values[(values == SRTM_VOID) | (values == UNDECLARED_VOID)] = float("nan")
    try:
        check_elevations(values, source=path.name)
    except CoverageError as exc:
        lines.append(message("cli.describe_dem_problem", problem=exc))
    return lines


def _frame_lines(kind_id: str, frame: Any, columns: list[str], problems: list[str]) -> list[str]:
    """The lines of a vector file or table read as what ``kind_id`` (a message id) names."""
    crs = frame.crs.to_string() if frame.crs is not None else message("cli.describe_no_crs")
    shown = [c for c in columns if c in frame.columns]
    original = [c for c in frame.columns if c not in columns and c != "geometry"]
    lines = [
        message(kind_id),
        message("cli.describe_crs", crs=crs),
        message("cli.describe_rows", rows=len(frame)),
        message("cli.describe_normalised", columns=", ".join(shown)),
        message("cli.describe_original", columns=", ".join(original)),
        message("cli.describe_preview", records=frame[shown].head(3).to_dict("records")),
    ]
    lines += [message("cli.describe_repaired", problem=p) for p in problems]
    return lines


def describe(path: str | os.PathLike[str]) -> str:
    """A human-readable report of what ``path`` holds and what is wrong with it.

    Rasters are described as they are; vector files and tables are read as communes
    and as towers, and the reading that succeeds is reported with any problem found.
    Raises :class:`InputFileError` naming the file when it can be used as none of these
    (the message holds the report). The report is written in the current language
    (:func:`coverage.i18n.language`; ``phusong info --lang``).

    Examples
    --------
    >>> from coverage import datasets
    >>> from coverage.i18n import language
    >>> print(describe(datasets.get_path("laocai_towers")).splitlines()[1])
    kind: towers
    >>> with language("vi"):
    ...     print(describe(datasets.get_path("laocai_towers")).splitlines()[1])
    loại: danh sách trạm
    """
    path = existing_file(path, what="input")
    header = [message("cli.describe_file", path=path)]
    lower = path.name.lower()
    if lower.endswith(RASTER_SUFFIXES) or lower.endswith(".hgt.zip"):
        return "\n".join(header + _raster_lines(path))
    if not lower.endswith(TABLE_SUFFIXES):
        try:
            layers = pyogrio.list_layers(f"zip://{path}" if lower.endswith(".zip") else path)
            listed = ", ".join(f"{name} ({geom})" for name, geom in layers)
            header.append(message("cli.describe_layers", layers=listed))
        except pyogrio.errors.DataSourceError as exc:
            raise InputFileError(
                message("errors.io.describe_unreadable", path=path, exc=exc)
            ) from exc
        communes, problems, communes_error = _attempt(read_communes, path)
        if communes is not None:
            return "\n".join(
                header
                + _frame_lines("cli.describe_kind_communes", communes, COMMUNE_COLUMNS, problems)
            )
    else:
        communes_error = None
    towers, problems, towers_error = _attempt(read_towers, path)
    if towers is not None:
        return "\n".join(
            header + _frame_lines("cli.describe_kind_towers", towers, list(TOWER_COLUMNS), problems)
        )
    errors = [e for e in (communes_error, towers_error) if e]
    reasons = " / ".join(errors or [message("errors.io.describe_no_rows")])
    raise InputFileError(message("errors.io.describe_neither", path=path, reasons=reasons))
