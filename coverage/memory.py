"""Memory and disk an operation will need, estimated before anything is allocated.

Each estimate is plain arithmetic on what the caller already knows (grid shape, number
of layers or sites, radius in cells) and counts the arrays the real code paths allocate:
the working grid and its masks (:func:`coverage.io.terrain.open_terrain`), the radial
plan of a site's disc (:mod:`coverage.radial.plan`: a scratch square of ``(2 R + 1)^2``
cells while it is built), a site's window arrays, the numba scratch of each thread, and
the full-grid layers of :func:`coverage.model.predict`. :func:`require_memory` compares
an estimate with the memory available and refuses with :class:`MemoryBudgetError`,
naming the figure needed, the figure available, the option responsible and a fix;
:func:`require_disk` does the same for an output file against the free disk space.

The memory available is the least of the system's available memory (``psutil``) and
what the process's cgroup (v2 ``memory.max`` less ``memory.current``; v1
``memory.limit_in_bytes`` less ``memory.usage_in_bytes``) leaves, unless the environment
variable ``PHUSONG_MEMORY_LIMIT`` (e.g. ``2GB``, ``512MiB``) sets it; ``PHUSONG_DISK_LIMIT``
sets the disk space an output may take (a quota on a shared server).

Examples
--------
>>> format_bytes(radial_plan_bytes(1e9 / 30.0))
'286 PB'
>>> parse_size("2GB"), parse_size("512 MiB")
(2000000000, 536870912)
"""

from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from coverage.errors import MemoryBudgetError, OutputWriteError
from coverage.i18n import message
from coverage.settings import OVERSAMPLE

__all__ = [
    "DISK_LIMIT_ENV",
    "MEMORY_LIMIT_ENV",
    "Budget",
    "available_disk",
    "available_memory",
    "band_file_bytes",
    "band_staging_bytes",
    "format_bytes",
    "grid_bytes",
    "itm_native_bytes",
    "parse_size",
    "population_bytes",
    "predict_bytes",
    "radial_plan_bytes",
    "require_disk",
    "require_memory",
    "require_site_memory",
    "terrain_bytes",
    "viewshed_bytes",
    "window_cells",
]

MEMORY_LIMIT_ENV = "PHUSONG_MEMORY_LIMIT"
"""Environment variable setting the memory phusong may use (``2GB``, ``512MiB``, bytes)."""

DISK_LIMIT_ENV = "PHUSONG_DISK_LIMIT"
"""Environment variable setting the disk space one output may take."""

_UNITS = {"": 1, "B": 1, "K": 1000, "M": 1000**2, "G": 1000**3, "T": 1000**4, "P": 1000**5}

_CGROUP_FILES = (
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
    (
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
        "/sys/fs/cgroup/memory/memory.usage_in_bytes",
    ),
)

# Bytes per cell of the arrays each step holds at its peak (counted in the module
# docstring's code paths; tests/test_memory.py measures them against real runs).
_TERRAIN_CELL = 12  # elevation f32, the void mask as f32 (reprojected), masks, isfinite
_SOURCE_CELL = 12  # the mosaic window read from the tiles: f32 data, a copy, void masks
_SITE_WINDOW_CELL = 40  # one site at work: path loss, line of sight, angles, distance, azimuth
_SITE_OUTPUT_CELL = 5  # a site's power f32 and flags u8, held until merged
_PREDICT_LAYER_CELL = 8  # best power f32 + serving site i32, per layer
_POPULATION_SAMPLE = 100  # per sample of a cell: source index, cell index, weights, masks
_POPULATION_SOURCE_CELL = 66  # per source pixel: values, masks, counts, areas, shares
_NATIVE_WINDOW_CELL = 42  # ITM on the DEM's grid: f64 window, loss, warnings, distance...


@dataclass(frozen=True)
class Budget:
    """Bytes available and where that figure comes from."""

    bytes: int
    """Bytes available."""
    source: str
    """How the figure was found (``psutil``, a cgroup limit, an environment variable)."""


def parse_size(text: str) -> int:
    """Bytes in ``text``: a number with an optional unit, decimal (``GB``) or binary (``GiB``).

    Examples
    --------
    >>> parse_size("1.5k"), parse_size("3 TiB") == 3 * 1024**4, parse_size("100")
    (1500, True, 100)
    """
    cleaned = str(text).strip().upper().replace(" ", "")
    binary = cleaned.endswith("IB")
    unit = cleaned.rstrip("B").removesuffix("I") if binary else cleaned.rstrip("B")
    prefix = unit[-1:] if unit[-1:].isalpha() else ""
    number = unit[: len(unit) - len(prefix)]
    try:
        value = float(number)
    except ValueError:
        value = math.nan
    if prefix not in _UNITS or not (math.isfinite(value) and value >= 0):
        raise ValueError(message("errors.memory.size_unreadable", text=repr(text)))
    scale = 1024 ** "BKMGTP".index(prefix) if binary and prefix else _UNITS[prefix]
    return int(value * scale)


def format_bytes(n: float) -> str:
    """``n`` bytes in decimal units, three significant figures.

    Examples
    --------
    >>> format_bytes(999), format_bytes(1_234_567), format_bytes(2.5e15), format_bytes(3e18)
    ('999 B', '1.23 MB', '2.5 PB', '3,000 PB')
    """
    unit = "B"
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            break
        n /= 1000
    return f"{n:.3g} {unit}" if n < 100 else f"{n:,.0f} {unit}"


def _env_limit(name: str) -> Budget | None:
    text = os.environ.get(name)
    if text is None or not text.strip():
        return None
    try:
        return Budget(parse_size(text), f"{name}={text}")
    except ValueError as exc:
        raise MemoryBudgetError(message("errors.memory_variable", name=name, reason=exc)) from exc


def _cgroup_left() -> int | None:
    """Bytes the process's cgroup still allows, or None when it sets no limit."""
    for limit_file, usage_file in _CGROUP_FILES:
        try:
            limit_text = Path(limit_file).read_text().strip()
            usage = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit_text == "max" or not limit_text.isdigit() or int(limit_text) >= 1 << 60:
            return None
        return max(int(limit_text) - usage, 0)
    return None


def available_memory() -> Budget:
    """Memory phusong may use now: ``PHUSONG_MEMORY_LIMIT``, else the system's and cgroup's.

    Examples
    --------
    >>> available_memory().bytes > 0
    True
    """
    explicit = _env_limit(MEMORY_LIMIT_ENV)
    if explicit is not None:
        return explicit
    import psutil

    system = int(psutil.virtual_memory().available)
    cgroup = _cgroup_left()
    if cgroup is not None and cgroup < system:
        return Budget(cgroup, message("errors.memory_source_cgroup"))
    return Budget(system, message("errors.memory_source_system"))


def available_disk(folder: str | os.PathLike[str]) -> Budget:
    """Disk space an output under ``folder`` may take: ``PHUSONG_DISK_LIMIT``, else free space.

    Examples
    --------
    >>> available_disk(".").bytes > 0
    True
    """
    explicit = _env_limit(DISK_LIMIT_ENV)
    if explicit is not None:
        return explicit
    path = Path(folder).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return Budget(int(shutil.disk_usage(path).free), message("errors.disk_source", path=path))


def require_memory(needed: float, *, what: str, option: str, fix: str) -> None:
    """Raise :class:`MemoryBudgetError` when ``needed`` bytes exceed the memory available.

    Parameters
    ----------
    needed
        Estimated bytes (one of this module's estimates).
    what
        What needs them, e.g. ``"the radial plan of a 1e+09 m radius"``.
    option
        The option responsible, e.g. ``"--radius (radius_m=)"``.
    fix
        What to do, e.g. ``"use a smaller --radius"``.

    Examples
    --------
    >>> require_memory(1e18, what="a test", option="--radius", fix="use less")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    coverage.errors.MemoryBudgetError: a test needs about 1,000 PB of memory, but ...
    """
    budget = available_memory()
    if needed > budget.bytes:
        raise MemoryBudgetError(
            _refusal("errors.memory_refused", needed, budget, what, option, fix)
        )


def _refusal(
    message_id: str, needed: float, budget: Budget, what: str, option: str, fix: str
) -> str:
    """The one-line refusal of ``needed`` bytes over ``budget`` (memory or disk)."""
    return message(
        message_id,
        what=what,
        needed=format_bytes(needed),
        available=format_bytes(budget.bytes),
        source=budget.source,
        option=option,
        fix=fix,
    )


def require_disk(
    needed: float, folder: str | os.PathLike[str], *, what: str, option: str, fix: str
) -> None:
    """Raise :class:`~coverage.errors.OutputWriteError` when ``needed`` bytes exceed the
    disk space available under ``folder`` (:func:`available_disk`); nothing is written.

    Examples
    --------
    >>> require_disk(1.0, ".", what="a file", option="--out", fix="none needed")
    """
    budget = available_disk(folder)
    if needed > budget.bytes:
        raise OutputWriteError(_refusal("errors.disk_refused", needed, budget, what, option, fix))


def require_site_memory(
    needed: float,
    *,
    plan: float,
    what: str,
    radius_m: float,
    resolution_m: float,
    shape: tuple[int, int],
) -> None:
    """:func:`require_memory` for work around sites, blaming the radius when its radial
    plan (``plan`` bytes of ``needed``) is the larger part, else the grid.

    Examples
    --------
    >>> require_site_memory(1e18, plan=1e18, what="predict", radius_m=1e9, resolution_m=30.0,
    ...                     shape=(100, 100))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    coverage.errors.MemoryBudgetError: predict needs ...; set by --radius (radius_m=): use a \
smaller --radius: the terrain is 3 x 3 km, but a 1e+09 m radius builds a disc of ...
    """
    rows, cols = shape
    if plan >= needed / 2:
        option = "--radius (radius_m=)"
        fix = message(
            "errors.site_memory_radius_fix",
            height=f"{rows * resolution_m / 1000:,.3g}",
            width=f"{cols * resolution_m / 1000:,.3g}",
            radius=f"{radius_m:g}",
            cells=f"{radius_m / resolution_m:,.0f}",
        )
    else:
        option = message("errors.site_memory_grid_option")
        fix = message(
            "errors.site_memory_grid_fix",
            rows=f"{rows:,}",
            cols=f"{cols:,}",
            resolution=f"{resolution_m:g}",
        )
    require_memory(needed, what=what, option=option, fix=fix)


# ---------------------------------------------------------------------------- estimates


def grid_bytes(shape: tuple[int, int], itemsize: int, layers: int = 1) -> int:
    """Bytes of ``layers`` arrays of ``shape`` with ``itemsize`` bytes per cell.

    Examples
    --------
    >>> grid_bytes((1000, 2000), 4, layers=3)
    24000000
    """
    return int(layers) * int(shape[0]) * int(shape[1]) * int(itemsize)


def window_cells(radius_cells: float, shape: tuple[int, int]) -> int:
    """Cells of a site's square window: ``2 R + 1`` a side, cut to the grid.

    Examples
    --------
    >>> window_cells(10.0, (100, 15))
    315
    """
    side = 2 * int(math.floor(radius_cells)) + 1
    return min(side, int(shape[0])) * min(side, int(shape[1]))


def _n_steps(radius_cells: float) -> int:
    return int(math.ceil(radius_cells)) + 1


def radial_plan_bytes(radius_cells: float, oversample: float = OVERSAMPLE) -> int:
    """Peak bytes of building the radial plan of a disc of ``radius_cells``.

    Both plans (:func:`coverage.radial.plan.radial_plan`,
    :func:`~coverage.radial.plan.nearest_ray_plan`) look at every cell of the square
    around the disc (25 bytes each at most: offsets, distance, ray and position) and keep
    about 90 bytes of sorting work and lookups per cell of the disc (``pi R^2``). The
    plan's size does not depend on the grid: a radius far past the terrain still builds
    its whole disc.

    Examples
    --------
    >>> radial_plan_bytes(10.0)
    31772
    """
    side = 2 * int(math.floor(radius_cells)) + 1
    disc = math.pi * radius_cells * radius_cells
    n_rays = max(8, math.ceil(2.0 * math.pi * radius_cells * oversample))
    return int(25 * side * side + 50 * disc + 40 * n_rays)


def _thread_scratch_bytes(radius_cells: float, threads: int | None) -> int:
    """The numba kernels' per-task scratch: five float64/int64 arrays of ``2 n_steps + 2``."""
    count = threads if threads is not None else _numba_threads()
    return count * 5 * 8 * (2 * _n_steps(radius_cells) + 2)


def _numba_threads() -> int:
    text = os.environ.get("NUMBA_NUM_THREADS", "")
    return int(text) if text.isdigit() and int(text) > 0 else os.cpu_count() or 1


def terrain_bytes(shape: tuple[int, int], source_cells: int = 0) -> int:
    """Peak bytes of :func:`coverage.io.terrain.open_terrain` for a working grid of
    ``shape`` read from a window of ``source_cells`` cells of the tiles.

    Examples
    --------
    >>> format_bytes(terrain_bytes((111_000, 111_000)))
    '148 GB'
    """
    return grid_bytes(shape, _TERRAIN_CELL) + _SOURCE_CELL * int(source_cells)


def population_bytes(shape: tuple[int, int], samples_per_cell: int, source_cells: int) -> int:
    """Peak bytes of :func:`coverage.io.population.population_on_grid`: ``samples_per_cell``
    squared samples in each cell of ``shape``, and a window of ``source_cells`` pixels.

    Examples
    --------
    >>> format_bytes(population_bytes((3000, 3000), 4, 1_000_000))
    '14.5 GB'
    """
    cells = int(shape[0]) * int(shape[1])
    samples = cells * int(samples_per_cell) ** 2
    return _POPULATION_SAMPLE * samples + _POPULATION_SOURCE_CELL * int(source_cells)


def predict_bytes(
    shape: tuple[int, int],
    *,
    n_layers: int,
    radius_cells: float,
    batch_size: int,
    threads: int | None = None,
) -> int:
    """Peak bytes of :func:`coverage.model.predict` beyond the terrain itself.

    The best power and serving site of each layer over the whole grid, the validity
    raster, the power and flags of two batches of ``batch_size`` sites' windows (one
    merged while the next is computed), the cached radial plan, and the larger of building
    that plan and two sites' working arrays (path loss, line of sight, angles, distance,
    azimuth over their windows: two sites are computed at once).

    Examples
    --------
    >>> format_bytes(predict_bytes((2000, 2000), n_layers=6, radius_cells=667,
    ...                            batch_size=16, threads=2))
    '646 MB'
    """
    window = window_cells(radius_cells, shape)
    disc = math.pi * radius_cells * radius_cells
    return (
        grid_bytes(shape, _PREDICT_LAYER_CELL, layers=n_layers)
        + grid_bytes(shape, 1)
        + 2 * int(batch_size) * _SITE_OUTPUT_CELL * window
        + int(16 * disc)
        + max(radial_plan_bytes(radius_cells), 2 * _SITE_WINDOW_CELL * window)
        + _thread_scratch_bytes(radius_cells, threads)
    )


def viewshed_bytes(
    shape: tuple[int, int], *, n_sites: int, radius_cells: float, threads: int | None = None
) -> int:
    """Peak bytes of :func:`coverage.radial.viewshed.viewsheds` for ``n_sites`` sites at once.

    Examples
    --------
    >>> viewshed_bytes((100, 100), n_sites=8, radius_cells=10.0, threads=1)
    112732
    """
    return (
        grid_bytes(shape, 1, layers=n_sites)
        + radial_plan_bytes(radius_cells)
        + _thread_scratch_bytes(radius_cells, threads)
    )


def itm_native_bytes(dem_shape: tuple[int, int], window: tuple[int, int]) -> int:
    """Peak bytes of one site of :func:`coverage.site_rasters.itm_loss_bands`: its band on
    the DEM's whole grid (float32) and the arrays of its window of the DEM.

    Examples
    --------
    >>> itm_native_bytes((3601, 3601), (1000, 1000))
    93868804
    """
    return grid_bytes(dem_shape, 4) + _NATIVE_WINDOW_CELL * int(window[0]) * int(window[1])


def band_staging_bytes(
    n_bands: int, shape: tuple[int, int], *, radius_cells: float, itemsize: int, block: int
) -> int:
    """Bytes of the uncompressed staging copy a band-per-site GeoTIFF is written to first
    (:func:`coverage.io.rasters.geotiff_writer`): the ``block``-pixel blocks each site's
    window meets, raw, and their overviews (a third more at most).

    Examples
    --------
    >>> format_bytes(band_staging_bytes(50, (2100, 2100), radius_cells=667, itemsize=1,
    ...                                 block=256))
    '214 MB'
    """
    side = 2 * int(math.floor(radius_cells)) + 1
    reach = (math.ceil(side / block) + 1) * block  # a window meets one more block than it spans
    rows, cols = (math.ceil(int(n) / block) * block for n in shape)
    return int(n_bands * min(reach, rows) * min(reach, cols) * itemsize * 4 / 3)


def band_file_bytes(
    n_bands: int, shape: tuple[int, int], *, radius_cells: float, itemsize: int
) -> int:
    """Bytes of a GeoTIFF of one band per site: every value within each site's radius
    (``pi R^2`` cells, cut to the grid) stored once, raw.

    Cells beyond the radius are nodata and compress to almost nothing; ZSTD keeps about
    0.9 of the raw size of float32 power inside the radius (tests/test_memory.py), and
    less of uint8 viewsheds, for which this is an upper figure.

    Examples
    --------
    >>> format_bytes(band_file_bytes(100_000, (1000, 1000), radius_cells=667, itemsize=4))
    '400 GB'
    """
    cells = min(math.pi * radius_cells * radius_cells, window_cells(radius_cells, shape))
    return int(n_bands * cells * itemsize)
