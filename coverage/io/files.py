"""File plumbing shared by the readers and writers: path checks, vector reads, atomic writes."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from coverage.errors import (
    CoverageError,
    InputFileError,
    MissingFileError,
    OutputExistsError,
    OutputWriteError,
)
from coverage.i18n import message, term

if TYPE_CHECKING:
    import geopandas as gpd

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".gml", ".kml")


def source_date() -> datetime:
    """The date written into file metadata: ``SOURCE_DATE_EPOCH`` when set, else 1970-01-01.

    Never the clock, so that identical runs write identical bytes (the reproducible-builds
    convention, https://reproducible-builds.org/specs/source-date-epoch/).

    Examples
    --------
    >>> source_date().tzinfo
    datetime.timezone.utc
    """
    try:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    except ValueError:
        epoch = 0
    return datetime.fromtimestamp(max(epoch, 0), tz=UTC)


def existing_file(path: str | os.PathLike[str], *, what: str) -> Path:
    """Return ``path`` as a Path, or raise naming ``what`` it was meant to be."""
    path = Path(path)
    if not path.exists():
        raise MissingFileError(message("errors.file_not_found", what=term(what), path=path))
    if path.is_dir():
        raise InputFileError(message("errors.path_is_folder", what=term(what), path=path))
    if path.stat().st_size == 0:
        raise InputFileError(message("errors.file_empty", what=term(what), path=path))
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
    import geopandas as gpd  # imported here: commands reading no vector start faster
    import pyogrio

    path = existing_file(path, what=what)
    source = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        frame = gpd.read_file(source, layer=layer, encoding=encoding, engine="pyogrio")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            message(
                "errors.vector_encoding",
                what=term(what),
                path=path,
                encoding=encoding or "UTF-8",
                reason=exc.reason,
                start=exc.start,
            )
        ) from exc
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise InputFileError(
            message("errors.vector_unreadable", what=term(what), path=path, reason=exc)
        ) from exc
    if len(frame) == 0:
        raise InputFileError(message("errors.vector_empty", what=term(what), path=path))
    return frame


def check_output(path: str | os.PathLike[str], *, overwrite: bool, folder: bool = False) -> Path:
    """Raise :class:`OutputExistsError` if ``path`` exists and ``overwrite`` is false.

    Raises :class:`OutputWriteError` if ``path`` is a folder where a file is meant
    (``folder=False``), or a file where a folder is meant. Call it before long work so
    that a run does not fail only at the end.

    Examples
    --------
    >>> import tempfile
    >>> check_output(tempfile.mkdtemp(), overwrite=True)
    Traceback (most recent call last):
    ...
    coverage.errors.OutputWriteError: ... is a folder; name a file inside it for this output.
    """
    path = Path(path)
    if path.exists() and path.is_dir() != folder:
        kind = "errors.output_is_folder" if path.is_dir() else "errors.output_is_file"
        raise OutputWriteError(message(kind, path=path))
    if path.exists() and not overwrite:
        raise OutputExistsError(message("errors.output_exists", path=path))
    return path


def _write_error(path: Path, exc: OSError) -> OutputWriteError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputWriteError(message("errors.cannot_write", path=path, reason=reason))


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block ends (a few renames that must not be split).

    Outside the main thread signals cannot be handled there, and the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, lambda n, _f: pending.append(n)) for number in held}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for received in pending:
            signal.raise_signal(received)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    Nothing is left behind when the body raises, so a failed run never leaves a
    half-written output. Raises :class:`OutputExistsError` if ``path`` exists and
    ``overwrite`` is false, :class:`OutputWriteError` (naming ``path``) when the file
    cannot be written: a full disk, a read-only folder, a folder of that name.

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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent
        )
    except OSError as exc:
        raise _write_error(path, exc) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers (GDAL, openpyxl) want to create the file themselves
    try:
        yield tmp
        os.replace(tmp, path)
    except CoverageError:
        raise
    except OSError as exc:
        raise _write_error(path, exc) from exc
    finally:
        if tmp.exists():
            tmp.unlink()


def _move_into(source: Path, target: Path) -> None:
    """Move every entry of folder ``source`` into folder ``target``, replacing same names."""
    target.mkdir(exist_ok=True)
    for entry in sorted(source.iterdir()):
        if entry.is_dir() and (target / entry.name).is_dir():
            _move_into(entry, target / entry.name)
        else:
            os.replace(entry, target / entry.name)


@contextlib.contextmanager
def atomic_folder(
    folder: str | os.PathLike[str], *, names: Sequence[str], overwrite: bool = False
) -> Iterator[Path]:
    """Yield a hidden staging folder beside ``folder``; on success move its files into ``folder``.

    A multi-file output appears complete or not at all: when the body raises (a write
    error, Ctrl-C, SIGTERM under the CLI) the staging folder is removed and ``folder``
    is untouched; the final moves are renames, made with Ctrl-C and SIGTERM held.
    ``names`` are the entries the body will write: each existing one is refused up
    front unless ``overwrite``. Other files in ``folder`` are left as they are.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> with atomic_folder(out, names=["a.txt"]) as staging:
    ...     _ = (staging / "a.txt").write_text("done")
    >>> sorted(p.name for p in out.parent.iterdir())
    ['run']
    """
    folder = check_output(folder, overwrite=True, folder=True)
    for name in names:
        check_output(folder / name, overwrite=overwrite, folder=(folder / name).is_dir())
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(
            tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent)
        )
    except OSError as exc:
        raise _write_error(folder, exc) from exc
    try:
        yield staging
        with signals_deferred():
            if folder.exists():
                _move_into(staging, folder)
            else:
                os.replace(staging, folder)
    except OutputWriteError as exc:  # name the final folder, not the staging one
        raise OutputWriteError(str(exc).replace(str(staging), str(folder))) from exc
    except CoverageError:
        raise
    except OSError as exc:
        raise _write_error(folder, exc) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
