"""What the commands share: inputs read, terrain cropped, options turned into the library's.

Each command is the library's function minus argument parsing; these helpers read the
files the options name and call :func:`coverage.analysis.analyse` for `gaps`, `map` and
`report`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from coverage.cli.reporting import say

log = logging.getLogger("coverage")


def _progress(total: int, label: str) -> Any:
    from coverage.model import tqdm_progress

    return tqdm_progress(total, label, leave=False, disable=None)


def _site_frame(
    site: tuple[tuple[float, float], ...], sites_file: Path | None, **radio: float
) -> Any:
    """The --site points and the --sites list as one frame (:func:`site_frame`)."""
    from coverage.site_rasters import site_frame

    if not site and sites_file is None:
        raise click.UsageError(say("cli.need_site"))
    towers = None
    if sites_file is not None:
        from coverage.io.towers import read_towers

        towers = read_towers(sites_file)
    return site_frame(list(site), towers=towers, **radio)


def _terrain_around(
    dem: tuple[Path, ...], frame: Any, radius_m: float, resolution_m: float | None
) -> Any:
    """The DEM cropped to the data's extent grown by the radius, on the working grid."""
    from coverage.crs import WGS84, grow_lonlat_bounds
    from coverage.io.terrain import open_terrain

    bounds = grow_lonlat_bounds(frame.to_crs(WGS84).total_bounds, radius_m)
    return open_terrain(list(dem), bounds=bounds, resolution_m=resolution_m)


def _coverage_options(options: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of :func:`coverage.model.predict` from the coverage options."""
    return {
        "model": options["model"],
        "radius_m": options["radius"],
        "rx_height_m": options["rx_height"],
        "k_factor": options["k_factor"],
        "thresholds_dbm": dict(options["thresholds"]),
        "calibration": _calibration(options.get("calibration")),
    }


def _calibration(path: Path | None) -> Any:
    from coverage.calibration import read_calibration

    return read_calibration(path) if path is not None else None


def _analyse(job: dict[str, Any], interest: tuple[str, ...] = (), **options: Any) -> Any:
    """:func:`coverage.analysis.analyse` of the files and options of `gaps` and `map`.

    Each name in ``interest`` must find a commune (checked before the long work).
    """
    from coverage.analysis import analyse
    from coverage.io.communes import read_communes
    from coverage.io.towers import read_towers
    from coverage.names import find_commune

    communes = read_communes(job["communes_path"])
    for name in interest:
        find_commune(communes, name)
    towers = read_towers(job["towers_path"])
    terrain = _terrain_around(job["dem"], communes, job["radius"], job["resolution"])
    previous = read_communes(job["previous"]) if job["previous"] else None
    rows, columns = terrain.shape
    log.info(
        "%s",
        say(
            "cli.inputs",
            communes=len(communes),
            towers=len(towers),
            rows=rows,
            columns=columns,
            resolution=f"{terrain.resolution_m:g}",
        ),
    )
    return analyse(
        communes,
        towers,
        terrain,
        population=job["population"],
        population_column=job["population_column"],
        previous_communes=previous,
        progress=_progress(len(towers), say("cli.progress_coverage")),
        **options,
        **_coverage_options(job),
    )


def _analyse_tiled(
    job: dict[str, Any],
    interest: tuple[str, ...],
    min_gap_area: float,
    scheduler: str,
    tile_size: int,
    out: Path,
    overwrite: bool,
) -> Any:
    """:func:`coverage.cluster.analyse.analyse_tiled` of `gaps --scheduler`'s files and options."""
    from coverage.cluster.analyse import analyse_tiled
    from coverage.errors import SchemaError
    from coverage.i18n import message
    from coverage.io.communes import read_communes
    from coverage.io.towers import read_towers
    from coverage.names import find_commune

    if job["population_column"]:
        raise SchemaError(message("errors.cluster_gaps_population_column"))
    communes = read_communes(job["communes_path"])
    for name in interest:
        find_commune(communes, name)
    return analyse_tiled(
        communes, read_towers(job["towers_path"]), list(job["dem"]),
        out.with_name(f"{out.stem}_tiles"), scheduler=scheduler, tile_size=tile_size,
        population=job["population"], min_gap_area_km2=min_gap_area,
        previous_communes=read_communes(job["previous"]) if job["previous"] else None,
        resolution_m=job["resolution"], overwrite=overwrite, **_coverage_options(job),
    )  # fmt: skip
