"""The `phusong` command line: thin commands over the public functions.

Coordinates given on the command line are WGS 84 longitude,latitude (EPSG:4326);
raster outputs are in the working (metric) CRS of the terrain.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click
import numpy as np

from coverage import __version__
from coverage.errors import CoverageError

log = logging.getLogger("coverage")


class _Group(click.Group):
    """Turns CoverageError into a one-line message and exit code 2 (no traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoverageError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(2)


def _configure_logging(verbose: int, quiet: int) -> None:
    level = logging.WARNING - 10 * verbose + 10 * quiet
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("coverage")
    logger.handlers[:] = [handler]
    logger.setLevel(max(logging.DEBUG, level))
    logging.captureWarnings(True)
    warnings_logger = logging.getLogger("py.warnings")
    warnings_logger.handlers[:] = [handler]
    warnings_logger.setLevel(logging.ERROR if quiet else logging.WARNING)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="phusong")
@click.option("-v", "--verbose", count=True, help="More messages (-vv for debug).")
@click.option("-q", "--quiet", count=True, help="Fewer messages (errors only).")
def main(verbose: int, quiet: int) -> None:
    """phusong: find people without mobile signal and the tower sites that fix it."""
    _configure_logging(verbose, quiet)


def _lonlat(text: str) -> tuple[float, float]:
    try:
        lon_text, lat_text = text.split(",")
        lon, lat = float(lon_text), float(lat_text)
    except ValueError as exc:
        raise click.BadParameter(
            f"{text!r}: expected LON,LAT in degrees, e.g. 103.42,22.66"
        ) from exc
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or abs(lon) <= 90 < abs(lat):
        raise click.BadParameter(f"{text!r}: not a WGS84 LON,LAT (is it LAT,LON?)")
    return lon, lat


def _sites(site: tuple[str, ...], sites_file: Path | None) -> tuple[list[str], np.ndarray, Any]:
    """Site labels and lon/lat (EPSG:4326) from --site options and/or a --sites tower file."""
    from coverage.io.towers import read_towers

    labels = [f"site {i + 1} ({s})" for i, s in enumerate(site)]
    lonlat = [_lonlat(s) for s in site]
    towers = None
    if sites_file is not None:
        towers = read_towers(sites_file).to_crs("EPSG:4326")
        labels += [str(s) for s in towers["site_id"]]
        lonlat += list(zip(towers.geometry.x, towers.geometry.y, strict=True))
    if not lonlat:
        raise click.UsageError("give at least one --site LON,LAT or a --sites FILE")
    return labels, np.asarray(lonlat, dtype=float), towers


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def info(path: Path) -> None:
    """What a file holds: kind, layer, CRS, rows, normalised columns, problems found."""
    from coverage.describe import describe

    click.echo(describe(path))


@main.command()
@click.option(
    "--dem",
    "dem",
    required=True,
    multiple=True,
    type=click.Path(exists=True),
    help="DEM file(s) or folder (GeoTIFF, SRTM .hgt/.hgt.zip).",
)
@click.option("--site", multiple=True, help="Site as LON,LAT (WGS84); repeat for several.")
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(exists=True, path_type=Path),
    help="Tower file (CSV/XLSX/GeoJSON/GPKG) giving the sites.",
)
@click.option(
    "--height",
    type=float,
    default=30.0,
    show_default=True,
    help="Antenna height above ground, m (ignored per site when --sites gives heights).",
)
@click.option(
    "--target-height",
    type=float,
    default=1.5,
    show_default=True,
    help="Receiver height above ground, m.",
)
@click.option("--radius", type=float, required=True, help="Maximum distance, m.")
@click.option(
    "--k-factor",
    type=float,
    default=4 / 3,
    show_default=True,
    help="Effective earth-radius factor for refraction.",
)
@click.option("--resolution", type=float, default=None, help="Working grid cell size, m.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output GeoTIFF.")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
def viewshed(
    dem: tuple[str, ...],
    site: tuple[str, ...],
    sites_file: Path | None,
    height: float,
    target_height: float,
    radius: float,
    k_factor: float,
    resolution: float | None,
    out: Path,
    overwrite: bool,
) -> None:
    """Line of sight from sites: 1 visible, 0 not, 255 outside the radius; one band per site."""
    from coverage.crs import WGS84, transform_xy
    from coverage.io.files import check_output
    from coverage.io.rasters import write_geotiff
    from coverage.terrain import open_terrain
    from coverage.viewshed import NODATA, viewsheds

    check_output(out, overwrite=overwrite)
    labels, lonlat, towers = _sites(site, sites_file)
    terrain = open_terrain(list(dem), resolution_m=resolution)
    xs, ys = transform_xy(WGS84, terrain.crs, lonlat[:, 0], lonlat[:, 1])
    heights = np.full(len(xs), height)
    if towers is not None:
        heights[len(site) :] = towers["antenna_height_m"].to_numpy(dtype=float)
    bands = viewsheds(
        terrain,
        xs,
        ys,
        tx_height_m=heights,
        rx_height_m=target_height,
        radius_m=radius,
        k_factor=k_factor,
    )
    write_geotiff(
        out,
        bands,
        transform=terrain.transform,
        crs=terrain.crs,
        nodata=NODATA,
        descriptions=labels,
        overwrite=True,
    )
    log.info("wrote %d viewshed band(s) to %s", len(labels), out)
