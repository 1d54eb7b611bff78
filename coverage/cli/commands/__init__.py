"""The `phusong` commands: each parses its options and calls the library's public functions."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Any

import click

from coverage import __version__
from coverage.cli.options import (
    CALIBRATION,
    COVERAGE_OPTIONS,
    DEM,
    EIRP,
    HEIGHT,
    ITM_FREQUENCY_MHZ,
    JOB_INPUTS,
    K_FACTOR_OPTION,
    MEASUREMENTS,
    MIN_GAP_AREA_KM2,
    MODEL,
    OVERWRITE,
    POSITIVE_DISTANCE,
    RADIUS,
    RESOLUTION,
    RX_HEIGHT,
    SITE,
    SITE_RANGES,
    SITES,
    TOWERS,
    Number,
    lang_option,
    number_option,
    out_option,
    renamed,
    with_options,
    writable_output,
)
from coverage.cli.reporting import VERBOSE, LevelFormatter, ReportingGroup, say
from coverage.cli.wording import Choice, Integer, PathType, Text, option
from coverage.settings import FREQUENCY_MHZ, MAX_HOP_M, TILE_SIZE_CELLS

log = logging.getLogger("coverage")


# ------------------------------------------------------------------------ helpers


def _configure_logging(verbose: int, quiet: int) -> None:
    level = logging.WARNING - 10 * verbose + 10 * quiet
    handler = logging.StreamHandler()
    handler.setFormatter(LevelFormatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("coverage")
    logger.handlers[:] = [handler]
    logger.setLevel(max(logging.DEBUG, level))
    # warnings reach these loggers through cli.reporting.show_warning, one line each
    warnings_logger = logging.getLogger("py.warnings")
    warnings_logger.handlers[:] = [handler]
    warnings_logger.setLevel(logging.ERROR if quiet else logging.WARNING)


def _terminate(signum: int, _frame: Any) -> None:
    """SIGTERM ends the run as Ctrl-C does: temporary files are removed on the way out."""
    raise SystemExit(128 + signum)


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


# ----------------------------------------------------------------------- commands


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(say("cli.click_version", program="phusong", version=__version__))
        ctx.exit()


@click.group(
    cls=ReportingGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    help_id="cli.help_command_main",
)
@option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
        help_id="cli.click_version_option")  # fmt: skip
@option("-v", "--verbose", count=True, help_id="cli.help_main_verbose")
@option("-q", "--quiet", count=True, help_id="cli.help_main_quiet")
@lang_option(group=True)
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: int) -> None:
    """phusong: find people without mobile signal and the tower sites that fix it."""
    ctx.meta[VERBOSE] = verbose
    _configure_logging(verbose, quiet)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)


@main.command(help_id="cli.help_command_info")
@click.argument("path", type=PathType(exists=True, path_type=Path))
@lang_option()
def info(path: Path) -> None:
    """What a file holds: kind, layer, CRS, rows, normalised columns, problems found."""
    from coverage.io.describe import describe

    click.echo(describe(path))


@main.command(help_id="cli.help_command_viewshed")
@with_options(DEM, SITE, SITES, HEIGHT, RX_HEIGHT, RADIUS, K_FACTOR_OPTION, RESOLUTION)
@option("--target-height", hidden=True, expose_value=False, callback=renamed("--rx-height"))
@lang_option()
@out_option("cli.help_viewshed_out")
@OVERWRITE
def viewshed(
    dem: tuple[Path, ...],
    site: tuple[tuple[float, float], ...],
    sites_file: Path | None,
    height: float,
    rx_height: float,
    radius: float,
    k_factor: float,
    resolution: float | None,
    out: Path,
    overwrite: bool,
) -> None:
    """Line of sight from sites: 1 visible, 0 not, 255 outside the radius; one band per site."""
    from coverage.io.files import check_output
    from coverage.io.terrain import open_terrain
    from coverage.site_rasters import lonlat_viewshed_bands, viewshed_bands

    check_output(out, overwrite=overwrite)
    if sites_file is None and site:  # points only: no frame, no geopandas (faster start)
        terrain = open_terrain(list(dem), resolution_m=resolution)
        bands = lonlat_viewshed_bands(
            terrain, list(site), antenna_height_m=height, rx_height_m=rx_height,
            radius_m=radius, k_factor=k_factor,
        )  # fmt: skip
    else:
        sites = _site_frame(site, sites_file, antenna_height_m=height)
        terrain = open_terrain(list(dem), resolution_m=resolution)
        bands = viewshed_bands(
            terrain, sites, rx_height_m=rx_height, radius_m=radius, k_factor=k_factor
        )
    bands.to_geotiff(out, overwrite=overwrite)
    log.info("%s", say("cli.log_wrote_viewshed", count=len(bands.names), path=out))


@main.command(help_id="cli.help_command_predict")
@with_options(DEM, SITE, SITES, HEIGHT)
@number_option(
    "--frequency", Number(*SITE_RANGES["frequency_mhz"]), "MHZ", FREQUENCY_MHZ,
    "cli.help_frequency",
)  # fmt: skip
@with_options(EIRP, MODEL, RADIUS, RESOLUTION, RX_HEIGHT, K_FACTOR_OPTION, CALIBRATION)
@lang_option()
@out_option("cli.help_predict_out")
@OVERWRITE
def predict(
    dem: tuple[Path, ...],
    site: tuple[tuple[float, float], ...],
    sites_file: Path | None,
    height: float,
    frequency: float,
    eirp: float,
    model: str,
    radius: float,
    resolution: float | None,
    rx_height: float,
    k_factor: float,
    calibration: Path | None,
    out: Path,
    overwrite: bool,
) -> None:
    """Received power (dBm, float32 GeoTIFF) from each site: one band per site."""
    from coverage.io.files import check_output
    from coverage.io.terrain import open_terrain
    from coverage.site_rasters import power_bands

    # SITE_RANGES' carriers lie inside ITM's ITM_FREQUENCY_MHZ: no separate check for itm
    check_output(out, overwrite=overwrite)
    sites = _site_frame(
        site, sites_file, antenna_height_m=height, frequency_mhz=frequency, eirp_dbm=eirp
    )
    terrain = open_terrain(list(dem), resolution_m=resolution)
    bands = power_bands(
        terrain,
        sites,
        model=model,
        radius_m=radius,
        rx_height_m=rx_height,
        k_factor=k_factor,
        calibration=_calibration(calibration),
        progress=_progress(len(sites), say("cli.log_progress_sites")),
    )
    bands.to_geotiff(out, overwrite=overwrite)
    log.info("%s", say("cli.log_wrote_power", count=len(sites), path=out))


@main.command(name="itm-loss", help_id="cli.help_command_itm_loss")
@with_options(DEM, SITE, SITES, HEIGHT)
@number_option(
    "--frequency", Number(*ITM_FREQUENCY_MHZ), "MHZ", FREQUENCY_MHZ,
    "cli.help_frequency",
)  # fmt: skip
@with_options(RX_HEIGHT, RADIUS)
@option(
    "--max-profile-points",
    type=Integer(min=3),
    default=None,
    help_id="cli.help_itm_loss_max_profile_points",
)
@lang_option()
@out_option("cli.help_itm_loss_out")
@OVERWRITE
def itm_loss(
    dem: tuple[Path, ...],
    site: tuple[tuple[float, float], ...],
    sites_file: Path | None,
    height: float,
    frequency: float,
    rx_height: float,
    radius: float,
    max_profile_points: int | None,
    out: Path,
    overwrite: bool,
) -> None:
    """ITM path loss (dB) on the DEM's own grid, one band per site.

    ITM 1.2.2 with each profile read from the nearest DEM post, as SPLAT! and
    Signal-Server do: for comparing with their maps post for post. The GeoTIFF is in the
    DEM's CRS (degrees for SRTM). Heights and frequencies come from --sites when given.
    """
    from coverage.crs import grow_lonlat_bounds
    from coverage.io.dem import open_native_dem
    from coverage.io.files import check_output
    from coverage.site_rasters import itm_loss_bands

    check_output(out, overwrite=overwrite)
    sites = _site_frame(site, sites_file, antenna_height_m=height, frequency_mhz=frequency)
    # 5 % beyond the radius: the metre size of a degree is approximated
    native = open_native_dem(
        list(dem), bounds=grow_lonlat_bounds(sites.total_bounds, radius * 1.05)
    )
    bands = itm_loss_bands(
        native, sites, rx_height_m=rx_height, radius_m=radius, max_profile_points=max_profile_points
    )
    bands.to_geotiff(out, overwrite=overwrite)
    log.info("%s", say("cli.log_wrote_itm_loss", count=len(sites), path=out))


@main.command(name="coverage", help_id="cli.help_command_coverage")
@with_options(TOWERS, DEM, *COVERAGE_OPTIONS)
@lang_option()
@out_option("cli.help_coverage_out", folder=True)
@OVERWRITE
@option(
    "--scheduler",
    metavar="ADDRESS|local:N",
    default=None,
    help_id="cli.help_coverage_scheduler",
)
@option(
    "--tile-size",
    type=Integer(min=16),
    default=TILE_SIZE_CELLS,
    show_default=True,
    help_id="cli.help_coverage_tile_size",
)
def coverage_command(
    towers_path: Path,
    dem: tuple[Path, ...],
    out: Path,
    overwrite: bool,
    scheduler: str | None,
    tile_size: int,
    **options: Any,
) -> None:
    """Coverage of a whole tower list: best power per operator/technology, serving site, validity."""
    from coverage.io.rasters import write_coverage
    from coverage.io.towers import read_towers
    from coverage.model import predict as predict_power

    towers = read_towers(towers_path)
    if scheduler is not None:
        from coverage.cluster import predict_tiled

        tiled = predict_tiled(
            towers, list(dem), out, scheduler=scheduler, tile_size=tile_size,
            resolution_m=options["resolution"], overwrite=overwrite, **_coverage_options(options),
        )  # fmt: skip
        for path in [*tiled.rasters.values(), tiled.folder / "layers.csv"]:
            click.echo(str(path))
        return
    terrain = _terrain_around(dem, towers, options["radius"], options["resolution"])
    result = predict_power(
        towers,
        terrain,
        progress=_progress(len(towers), say("cli.progress_coverage")),
        **_coverage_options(options),
    )
    for path in write_coverage(result, out, overwrite=overwrite):
        click.echo(str(path))


PROVINCE = "Lào Cai"
"""The province of the embedded scenario and of the seed communes (a name, in every language)."""


@main.command(help_id="cli.help_command_gaps")
@with_options(*JOB_INPUTS, *COVERAGE_OPTIONS)
@option(
    "--communes-of-interest",
    "interest",
    multiple=True,
    help_id=Text("cli.help_gaps_interest", province=PROVINCE),
)
@number_option(
    "--min-gap-area", Number(min=0.0), "KM2", MIN_GAP_AREA_KM2,
    "cli.help_gaps_min_gap_area"
)  # fmt: skip
@lang_option("cli.help_lang_gaps")
@out_option("cli.help_gaps_out")
@OVERWRITE
@option(
    "--scheduler",
    metavar="ADDRESS|local:N",
    default=None,
    help_id="cli.help_gaps_scheduler",
)
@option(
    "--tile-size",
    type=Integer(min=16),
    default=TILE_SIZE_CELLS,
    show_default=True,
    help_id="cli.help_gaps_tile_size",
)
def gaps(
    interest: tuple[str, ...],
    min_gap_area: float,
    lang: str,
    out: Path,
    overwrite: bool,
    scheduler: str | None,
    tile_size: int,
    **job: Any,
) -> None:
    """Ranked gap lists per operator, with a per-commune summary."""
    from coverage.io.files import check_output
    from coverage.io.gaplists import write_gap_list
    from coverage.names import SEED_COMMUNES

    check_output(out, overwrite=overwrite)
    if scheduler is not None:
        analysis = _analyse_tiled(job, interest, min_gap_area, scheduler, tile_size, out, overwrite)
    else:
        analysis = _analyse(job, interest, min_gap_area_km2=min_gap_area)
    write_gap_list(
        analysis.gaps,
        analysis.communes,
        out,
        overwrite=overwrite,
        communes_of_interest=list(interest) or list(SEED_COMMUNES),
        lang=lang,
    )
    click.echo(str(out))


@main.command(name="map", help_id="cli.help_command_map")
@with_options(*JOB_INPUTS, *COVERAGE_OPTIONS)
@option("--commune", "focus", help_id="cli.help_map_commune")
@option(
    "--communes-of-interest",
    "interest",
    multiple=True,
    help_id=Text("cli.help_map_interest", province=PROVINCE),
)
@option("--offline", is_flag=True, help_id="cli.help_map_offline")
@option("--synthetic", multiple=True, help_id="cli.help_map_synthetic")
@option(
    "--proposals",
    "proposals_path",
    type=PathType(path_type=Path),
    help_id="cli.help_map_proposals",
)
@lang_option("cli.help_lang_map")
@out_option("cli.help_map_out")
@OVERWRITE
def map_command(
    lang: str,
    focus: str | None,
    interest: tuple[str, ...],
    offline: bool,
    synthetic: tuple[str, ...],
    proposals_path: Path | None,
    out: Path,
    overwrite: bool,
    **job: Any,
) -> None:
    """Interactive map (Folium) of coverage, gaps, towers and communes; or a KMZ (--out X.kmz)."""
    from coverage.io.files import check_output
    from coverage.names import seed_communes_in
    from coverage.render.map import coverage_map, save_map

    check_output(out, overwrite=overwrite)
    analysis = _analyse(job, interest)
    # named on the command line, and those whose files say so (a tagged DEM or population)
    synthetic_inputs = list(dict.fromkeys([*synthetic, *analysis.synthetic_inputs])) or None
    proposals = proposal_coverage = None
    if proposals_path is not None:
        from coverage.io.towers import read_towers
        from coverage.model import predict

        proposals = read_towers(proposals_path)
        if out.suffix.lower() != ".kmz":
            proposal_coverage = predict(proposals, analysis.terrain, **_coverage_options(job))
    if out.suffix.lower() == ".kmz":
        from coverage.render.kmz import write_kmz

        write_kmz(
            analysis.result,
            out,
            gaps=analysis.gaps,
            proposals=proposals,
            terrain=analysis.terrain,
            synthetic_inputs=synthetic_inputs,
            overwrite=overwrite,
            lang=lang,
        )
        click.echo(str(out))
        return
    m = coverage_map(
        analysis.communes,
        analysis.result,
        analysis.gaps,
        terrain=analysis.terrain,
        focus_commune=focus,
        communes_of_interest=list(interest) or seed_communes_in(analysis.communes["name"]),
        synthetic_inputs=synthetic_inputs,
        offline=offline,
        proposals=proposals,
        proposal_coverage=proposal_coverage,
        lang=lang,
    )
    save_map(m, out, offline=offline, overwrite=overwrite)
    click.echo(str(out))


@main.command(help_id=Text("cli.help_command_demo", province=PROVINCE))
@option(
    "--out",
    type=PathType(file_okay=False, path_type=Path),
    default=Path("maps"),
    show_default=True,
    callback=writable_output,
    help_id="cli.help_demo_out",
)
@OVERWRITE
@number_option(
    "--radius", POSITIVE_DISTANCE, "M", None,
    "cli.help_demo_radius",
)  # fmt: skip
@lang_option("cli.help_lang_demo", scenario="vi")
def demo(out: Path, overwrite: bool, radius: float | None, lang: str) -> None:
    """Run the whole job on the embedded Lào Cai scenario (real communes, synthetic terrain/towers)."""
    from coverage.datasets import laocai_demo
    from coverage.demo import run_demo

    scenario = laocai_demo()
    click.echo(scenario.caption())
    for path in run_demo(
        scenario, out, radius_m=radius, overwrite=overwrite, progress_factory=_progress, lang=lang
    ):
        click.echo(say("cli.wrote", path=path))


# ------------------------------------------------------------------ drive tests


def _drive_inputs(
    measurements_path: Path, towers_path: Path | None, dem: tuple[Path, ...]
) -> tuple[Any, Any, Any]:
    """Measurements, towers (the file's own bts_* sites without --towers) and terrain."""
    import geopandas as gpd
    import pandas as pd

    from coverage.io.measurements import measurement_sites, read_measurements
    from coverage.io.towers import read_towers

    points = read_measurements(measurements_path)
    towers = read_towers(towers_path) if towers_path else measurement_sites(points)
    terrain = None
    if dem:
        both = gpd.GeoDataFrame(
            geometry=pd.concat([points.geometry.to_crs(4326), towers.geometry.to_crs(4326)]),
            crs=4326,
        )
        terrain = _terrain_around(dem, both, 1000.0, None)
    else:
        click.echo(say("cli.flat_ground"))
    return points, towers, terrain


DRIVE_TOWERS = option(
    "--towers",
    "towers_path",
    type=PathType(exists=True, dir_okay=False, path_type=Path),
    help_id="cli.help_drive_towers",
)
DRIVE_DEM = option(
    "--dem",
    multiple=True,
    type=PathType(exists=True, path_type=Path),
    help_id="cli.help_drive_dem",
)
ISOTROPIC_LOSS = option(
    "--isotropic-loss",
    is_flag=True,
    help_id="cli.help_isotropic_loss",
)
COMPARE = option(
    "--compare",
    is_flag=True,
    help_id="cli.help_compare",
)


@main.command(name="accuracy", help_id="cli.help_command_accuracy")
@with_options(MEASUREMENTS, DRIVE_TOWERS, DRIVE_DEM, MODEL, COMPARE, CALIBRATION, ISOTROPIC_LOSS)
@lang_option()
@out_option("cli.help_accuracy_out")
@OVERWRITE
def accuracy_command(
    measurements_path: Path,
    towers_path: Path | None,
    dem: tuple[Path, ...],
    model: str,
    compare: bool,
    calibration: Path | None,
    isotropic_loss: bool,
    out: Path,
    overwrite: bool,
) -> None:
    """The model's error against drive-test measurements: error table and model ranking."""
    from coverage.io.files import check_output
    from coverage.measured_error import accuracy

    check_output(out, overwrite=overwrite)
    plot = out.with_suffix(".png")
    check_output(plot, overwrite=overwrite)
    points, towers, terrain = _drive_inputs(measurements_path, towers_path, dem)
    models = ("fspl", "hata", "diffraction", "itm") if compare else (model,)
    report = accuracy(points, towers, terrain, models=models, calibration=_calibration(calibration),
                      antenna_pattern=not isotropic_loss)  # fmt: skip
    click.echo(report.ranking().to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    click.echo(report.table().to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    report.to_csv(out, overwrite=overwrite)
    report.plot(plot, overwrite=overwrite)
    click.echo(str(out))
    click.echo(str(plot))


@main.command(help_id="cli.help_command_calibrate")
@with_options(MEASUREMENTS, DRIVE_TOWERS, DRIVE_DEM, MODEL, ISOTROPIC_LOSS)
@number_option(
    "--block", POSITIVE_DISTANCE, "M", 1000.0,
    "cli.help_calibrate_block",
)  # fmt: skip
@lang_option()
@out_option("cli.help_calibrate_out")
@OVERWRITE
def calibrate(
    measurements_path: Path,
    towers_path: Path | None,
    dem: tuple[Path, ...],
    model: str,
    isotropic_loss: bool,
    block: float,
    out: Path,
    overwrite: bool,
) -> None:
    """Fit offset and distance slope per operator and technology; blocked cross-validation."""
    from coverage.calibration import calibrate as fit, summary_lines
    from coverage.io.files import check_output

    check_output(out, overwrite=overwrite)
    points, towers, terrain = _drive_inputs(measurements_path, towers_path, dem)
    result = fit(points, towers, terrain, model=model, block_m=block,
                 antenna_pattern=not isotropic_loss)  # fmt: skip
    for line in summary_lines(result):
        click.echo(line)
    result.save(out, overwrite=overwrite)


@main.command(help_id="cli.help_command_plan")
@with_options(*JOB_INPUTS, *COVERAGE_OPTIONS)
@option("--operator", help_id="cli.help_plan_operator")
@option("--shared", is_flag=True, help_id="cli.help_plan_shared")
@option(
    "--new-sites",
    "n_sites",
    type=Integer(min=0),
    help_id="cli.help_plan_new_sites",
)
@number_option("--budget", Number(min=0.0), "MONEY", None, "cli.help_plan_budget")
@option(
    "--costs",
    "costs_path",
    type=PathType(exists=True, dir_okay=False, path_type=Path),
    help_id="cli.help_plan_costs",
)
@option(
    "--candidates",
    "candidates_path",
    type=PathType(exists=True, dir_okay=False, path_type=Path),
    help_id="cli.help_plan_candidates",
)
@option(
    "--solver",
    type=Choice(["greedy", "ilp"]),
    default="greedy",
    show_default=True,
    help_id="cli.help_plan_solver",
)
@option("--technology", default="4G", show_default=True, help_id="cli.help_plan_technology")
@option(
    "--require-backhaul",
    is_flag=True,
    help_id="cli.help_plan_require_backhaul",
)
@option(
    "--fibre",
    "fibre_path",
    type=PathType(exists=True, dir_okay=False, path_type=Path),
    help_id="cli.help_plan_fibre",
)
@number_option("--max-hop", Number(min=1.0), "M", MAX_HOP_M, "cli.help_plan_max_hop")
@lang_option("cli.help_lang_plan")
@out_option("cli.help_plan_out")
@OVERWRITE
def plan(
    lang: str,
    operator: str | None,
    shared: bool,
    n_sites: int | None,
    budget: float | None,
    costs_path: Path | None,
    candidates_path: Path | None,
    solver: str,
    technology: str,
    require_backhaul: bool,
    fibre_path: Path | None,
    max_hop: float,
    out: Path,
    overwrite: bool,
    **job: Any,
) -> None:
    """Which new or shared sites cover the most people still without signal."""
    from coverage.io.communes import read_communes
    from coverage.io.files import check_output
    from coverage.io.proposals import write_proposals
    from coverage.io.towers import read_towers
    from coverage.planning.costs import read_cost_table
    from coverage.planning.plan import plan_sites

    if n_sites is None and budget is None:
        raise click.UsageError(say("cli.need_budget"))
    check_output(out, overwrite=overwrite)
    communes = read_communes(job["communes_path"])
    towers = read_towers(job["towers_path"])
    terrain = _terrain_around(job["dem"], communes, job["radius"], job["resolution"])
    result = plan_sites(
        communes, towers, terrain, population=job["population"],
        population_column=job["population_column"], operator=operator, shared=shared,
        sites=n_sites, budget=budget,
        costs=read_cost_table(costs_path) if costs_path else None,
        candidates=candidates_path, solver=solver, technology=technology,
        require_backhaul=require_backhaul, fibre=fibre_path, max_hop_m=max_hop,
        **_coverage_options(job),
    )  # fmt: skip
    for note in result.notes:
        click.echo(note, err=True)
    for name, statement in result.statements().items():
        click.echo(f"{name}: {statement}", err=True)
    write_proposals(
        result.proposals, out, overwrite=overwrite, sharing=result.sharing,
        offers=result.colocation_offers, lang=lang,
    )  # fmt: skip
    click.echo(str(out))


@main.command(help_id="cli.help_command_report")
@with_options(*JOB_INPUTS, *COVERAGE_OPTIONS)
@lang_option("cli.help_lang_report", scenario="vi")
@option("--period", help_id=Text("cli.help_report_period", example="Quý 3/2025"))
@option(
    "--synthetic",
    multiple=True,
    metavar="NAME=WHAT",
    help_id="cli.help_report_synthetic",
)
@option(
    "--previous",
    "previous_run",
    type=PathType(exists=True, file_okay=False, path_type=Path),
    help_id="cli.help_report_previous",
)
@option(
    "--save-run",
    type=PathType(file_okay=False, path_type=Path),
    callback=writable_output,
    help_id="cli.help_report_save_run",
)
@option(
    "--plan",
    "plan_path",
    type=PathType(exists=True, dir_okay=False, path_type=Path),
    help_id="cli.help_report_plan",
)
@option(
    "--measurements",
    "measurements_path",
    type=PathType(exists=True, dir_okay=False, path_type=Path),
    help_id="cli.help_report_measurements",
)
@out_option("cli.help_report_out")
@OVERWRITE
def report(
    lang: str,
    period: str | None,
    synthetic: tuple[str, ...],
    previous_run: Path | None,
    save_run: Path | None,
    plan_path: Path | None,
    measurements_path: Path | None,
    out: Path,
    overwrite: bool,
    **job: Any,
) -> None:
    """The department's report (HTML or PDF, Vietnamese or English), with change since the last run."""
    from coverage.io.files import check_output
    from coverage.report.build import write_report

    if out.suffix.lower() not in (".html", ".pdf"):
        raise click.BadParameter(say("cli.report_suffix"), param_hint="--out")
    check_output(out, overwrite=overwrite)
    if plan_path is not None:  # a bad plan or drive-test file fails before the analysis
        from coverage.report.plan import read_plan

        read_plan(plan_path)
    if measurements_path is not None:
        import warnings

        from coverage.io.measurements import read_measurements

        with warnings.catch_warnings():  # said once, when the report reads it again
            warnings.simplefilter("ignore")
            read_measurements(measurements_path)
    analysis = _analyse(job)
    named = dict(item.partition("=")[::2] for item in synthetic)
    write_report(
        analysis,
        out,
        lang=lang,
        period=period,
        synthetic={name: what or "synthetic" for name, what in named.items()},
        previous=previous_run,
        plan=plan_path,
        measurements=measurements_path,
        save_run_to=save_run,
        overwrite=overwrite,
    )
    click.echo(str(out))
