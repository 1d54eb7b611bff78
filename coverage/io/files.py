"""File plumbing shared by the readers and writers: path checks, vector reads, atomic writes."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pyogrio

from coverage.errors import InputFileError, MissingFileError, OutputExistsError

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".gml", ".kml")


def existing_file(path: str | os.PathLike[str], *, what: str) -> Path:
    """Return ``path`` as a Path, or raise naming ``what`` it was meant to be."""
    path = Path(path)
    if not path.exists():
        raise MissingFileError(f"{what} file not found: {path}. Check the path and spelling.")
    if path.is_dir():
        raise InputFileError(f"{what} path {path} is a folder; give the file inside it.")
    if path.stat().st_size == 0:
        raise InputFileError(f"{what} file {path} is empty (0 bytes); re-export it.")
    return path


def read_vector(
    path: str | os.PathLike[str],
    *,
    what: str,
    layer: str | int | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector file (GeoJSON, GeoPackage, Shapefile or zipped Shapefile) with pyogrio.

    Raises :class:`InputFileError` naming the file when GDAL cannot read it, when it
    holds no rows, or when its text is not in the expected encoding.
    """
    path = existing_file(path, what=what)
    source = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        frame = gpd.read_file(source, layer=layer, encoding=encoding, engine="pyogrio")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{what} file {path}: text is not valid {encoding or 'UTF-8'} ({exc.reason} at byte "
            f"{exc.start}); pass encoding='cp1258' (Vietnamese Windows) or the file's real encoding."
        ) from exc
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise InputFileError(
            f"{what} file {path} cannot be read as a vector layer ({exc}). Supported: "
            "GeoJSON, GeoPackage, Shapefile (with .shx/.dbf/.prj, or zipped)."
        ) from exc
    if len(frame) == 0:
        raise InputFileError(f"{what} file {path} holds no features; check the layer name.")
    return frame


def check_output(path: str | os.PathLike[str], *, overwrite: bool) -> Path:
    """Raise :class:`OutputExistsError` if ``path`` exists and ``overwrite`` is false.

    Call it before long work so that a run does not fail only at the end.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(
            f"{path} exists; pass overwrite=True (CLI: --overwrite) to replace it."
        )
    return path


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    Nothing is left behind when the body raises, so a failed run never leaves a
    half-written output. Raises :class:`OutputExistsError` if ``path`` exists and
    ``overwrite`` is false.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_output(out) as tmp:
    ...     _ = tmp.write_text("done")
    >>> out.read_text()
    'done'
    """
    path = check_output(path, overwrite=overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers (GDAL, openpyxl) want to create the file themselves
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
