"""Commands writing rasters: `viewshed`, `predict`, `itm-loss` (a band per site), `coverage`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from coverage.cli.commands.group import main
from coverage.cli.commands.jobs import (
    _calibration,
    _coverage_options,
    _progress,
    _site_frame,
    _terrain_around,
    log,
)
from coverage.cli.options import (
    CALIBRATION,
    COVERAGE_OPTIONS,
    DEM,
    EIRP,
    HEIGHT,
    ITM_FREQUENCY_MHZ,
    K_FACTOR_OPTION,
    MODEL,
    OVERWRITE,
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
    scheduler_options,
    with_options,
)
from coverage.cli.reporting import say
from coverage.cli.wording import Integer, option
from coverage.settings import FREQUENCY_MHZ


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
@scheduler_options("cli.help_coverage_scheduler", "cli.help_coverage_tile_size")
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
