"""The `phusong` command line: thin commands over the public functions.

Coordinates given on the command line are WGS 84 longitude,latitude (EPSG:4326);
raster outputs are in the working (metric) CRS of the terrain, except `itm-loss`, which
writes on the DEM's own grid (as SPLAT! does).
"""

from __future__ import annotations

import functools
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
    labels = [f"site {i + 1} ({s})" for i, s in enumerate(site)]
    lonlat = [_lonlat(s) for s in site]
    towers = None
    if sites_file is not None:
        from coverage.io.towers import read_towers  # geopandas, pandas, openpyxl: only for a file

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
    from coverage.io.describe import describe

    click.echo(describe(path))


def _options(*options: Any, into: str | None = None) -> Any:
    """Apply click options; with ``into``, gather their values into one dict argument."""

    def decorate(func: Any) -> Any:
        target = func
        if into is not None:
            names = [option(lambda: None).__click_params__[0].name for option in options]

            @functools.wraps(func)
            def target(**kwargs: Any) -> Any:
                kwargs[into] = {name: kwargs.pop(name) for name in names}
                return func(**kwargs)

        for option in reversed(options):
            target = option(target)
        return target

    return decorate


_SITE_OPTIONS = (
    click.option(
        "--dem",
        required=True,
        multiple=True,
        type=click.Path(exists=True),
        help="DEM file(s) or folder (GeoTIFF, SRTM .hgt/.hgt.zip).",
    ),
    click.option("--site", multiple=True, help="Site as LON,LAT (WGS84); repeat for several."),
    click.option(
        "--sites",
        "sites_file",
        type=click.Path(exists=True, path_type=Path),
        help="Tower file (CSV/XLSX/GeoJSON/GPKG) giving the sites, with their own "
        "heights (and frequencies, EIRPs).",
    ),
)


@main.command()
@_options(*_SITE_OPTIONS)
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
    from coverage.io.rasters import geotiff_writer
    from coverage.io.terrain import open_terrain
    from coverage.radial.viewshed import NODATA, site_cells, viewsheds

    check_output(out, overwrite=overwrite)
    labels, lonlat, towers = _sites(site, sites_file)
    names = [f"{i + 1} ({s})" for i, s in enumerate(site)] + labels[len(site) :]
    terrain = open_terrain(list(dem), resolution_m=resolution)
    xs, ys = transform_xy(WGS84, terrain.crs, lonlat[:, 0], lonlat[:, 1])
    heights = np.full(len(xs), height)
    if towers is not None:
        heights[len(site) :] = towers["antenna_height_m"].to_numpy(dtype=float)
    rows, cols = site_cells(terrain, xs, ys, site_names=names)  # every site, before any work
    reach = int(radius / terrain.resolution_m) + 1  # cells beyond this square are all NODATA
    windows = [
        (r - reach, c - reach, 2 * reach + 1, 2 * reach + 1)
        for r, c in zip(rows, cols, strict=True)
    ]
    with geotiff_writer(
        out,
        count=len(xs),
        shape=terrain.shape,
        dtype=np.uint8,
        transform=terrain.transform,
        crs=terrain.crs,
        nodata=NODATA,
        descriptions=labels,
        overwrite=True,
    ) as writer:
        batch = 8  # sites at a time: full-grid bands of every site at once can be large
        for first in range(0, len(xs), batch):
            part = slice(first, first + batch)
            bands = viewsheds(
                terrain,
                xs[part],
                ys[part],
                tx_height_m=heights[part],
                rx_height_m=target_height,
                radius_m=radius,
                k_factor=k_factor,
                site_names=names[part],
            )
            writer.write_bands(bands, first_band=first + 1, windows=windows[part])
    log.info("wrote %d viewshed band(s) to %s", len(labels), out)


# ------------------------------------------------------------------ whole-job commands

_MODELS = ["diffraction", "fspl", "hata", "itm"]


_MODEL_OPTIONS = (
    click.option(
        "--model",
        type=click.Choice(_MODELS),
        default="diffraction",
        show_default=True,
        help="Path-loss model.",
    ),
    click.option(
        "--radius",
        type=float,
        default=20_000.0,
        show_default=True,
        help="Largest distance computed around each site, m.",
    ),
    click.option(
        "--resolution",
        type=float,
        default=None,
        help="Working grid cell size, m (default: the DEM's).",
    ),
    click.option(
        "--rx-height",
        type=float,
        default=1.5,
        show_default=True,
        help="Handset height above ground, m.",
    ),
    click.option(
        "--threshold",
        "thresholds",
        multiple=True,
        metavar="TECH=DBM",
        help="Coverage threshold per technology, e.g. 4G=-105 (repeatable).",
    ),
)
_INPUT_OPTIONS = (
    click.option(
        "--communes",
        "communes_path",
        required=True,
        type=click.Path(exists=True, path_type=Path),
        help="Commune boundaries.",
    ),
    click.option(
        "--towers",
        "towers_path",
        required=True,
        type=click.Path(exists=True, path_type=Path),
        help="Tower list.",
    ),
    click.option(
        "--dem",
        required=True,
        multiple=True,
        type=click.Path(exists=True),
        help="DEM file(s) or folder.",
    ),
    click.option(
        "--population",
        type=click.Path(exists=True, path_type=Path),
        help="Population raster (WorldPop style), any CRS.",
    ),
    click.option(
        "--population-column",
        help="Without a raster: commune column of people, spread by area (cruder).",
    ),
    click.option(
        "--previous-communes",
        "previous",
        type=click.Path(exists=True, path_type=Path),
        help="Pre-2025 communes, to name the old commune of each gap.",
    ),
)


def _thresholds(items: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for item in items:
        try:
            tech, value = item.split("=")
            out[tech.strip().upper()] = float(value)
        except ValueError as exc:
            raise click.BadParameter(f"{item!r}: expected TECH=DBM, e.g. 4G=-105") from exc
    return out


def _predict_options(model: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of coverage.model.predict from the --model ... options."""
    return {
        "model": model["model"],
        "radius_m": model["radius"],
        "rx_height_m": model["rx_height"],
        "thresholds_dbm": _thresholds(model["thresholds"]),
    }


def _progress(total: int, label: str) -> Any:
    from coverage.model import tqdm_progress

    return tqdm_progress(total, label, leave=False, disable=None)


def _terrain_for(
    dem: tuple[str, ...], frame: Any, radius_m: float, resolution: float | None
) -> Any:
    """Open the DEM cropped to the data's extent plus the radius (degrees approximated)."""
    from coverage.io.terrain import open_terrain

    bounds = _padded_bounds(frame.to_crs("EPSG:4326").total_bounds, radius_m)
    return open_terrain(list(dem), bounds=bounds, resolution_m=resolution)


def _padded_bounds(lonlat_box: Any, radius_m: float) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) in degrees grown by ``radius_m`` (degrees approximated)."""
    minx, miny, maxx, maxy = (float(v) for v in lonlat_box)
    pad_lat = radius_m / 111_320.0
    pad_lon = pad_lat / max(np.cos(np.radians((miny + maxy) / 2)), 0.1)
    return (minx - pad_lon, miny - pad_lat, maxx + pad_lon, maxy + pad_lat)


def _analyse(inputs: dict[str, Any], model: dict[str, Any], min_gap_area_km2: float = 0.1) -> Any:
    from coverage.analysis import analyse
    from coverage.io.communes import read_communes
    from coverage.io.towers import read_towers

    communes = read_communes(inputs["communes_path"])
    towers = read_towers(inputs["towers_path"])
    terrain = _terrain_for(inputs["dem"], communes, model["radius"], model["resolution"])
    previous = read_communes(inputs["previous"]) if inputs["previous"] else None
    log.info(
        "%d communes, %d towers, terrain %s at %g m",
        len(communes),
        len(towers),
        terrain.shape,
        terrain.resolution_m,
    )
    return analyse(
        communes,
        towers,
        terrain,
        population=inputs["population"],
        population_column=inputs["population_column"],
        previous_communes=previous,
        min_gap_area_km2=min_gap_area_km2,
        progress=_progress(len(towers), "coverage"),
        **_predict_options(model),
    )


@main.command()
@_options(*_SITE_OPTIONS)
@click.option("--height", type=float, default=30.0, show_default=True, help="Antenna height, m.")
@click.option("--frequency", type=float, default=1800.0, show_default=True, help="MHz.")
@click.option("--eirp", type=float, default=60.0, show_default=True, help="EIRP, dBm.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output GeoTIFF.")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
@_options(*_MODEL_OPTIONS, into="model")
def predict(
    dem: tuple[str, ...],
    site: tuple[str, ...],
    sites_file: Path | None,
    height: float,
    frequency: float,
    eirp: float,
    out: Path,
    overwrite: bool,
    model: dict[str, Any],
) -> None:
    """Received power (dBm, float32 GeoTIFF) from each site: one band per site."""
    import geopandas as gpd

    from coverage.io.files import check_output
    from coverage.io.rasters import write_geotiff
    from coverage.io.terrain import open_terrain
    from coverage.io.towers import OPTIONAL_COLUMNS
    from coverage.model import predict as predict_power

    check_output(out, overwrite=overwrite)
    labels, lonlat, towers = _sites(site, sites_file)
    frame = gpd.GeoDataFrame(
        {
            "site_id": labels,
            "operator": [f"{i:05d}" for i in range(len(labels))],  # one layer per site, in order
            "technology": "2G",  # received power as it is: no RSRP conversion
            "frequency_mhz": frequency,
            "antenna_height_m": height,
            "eirp_dbm": eirp,
            **{column: np.nan for column in OPTIONAL_COLUMNS},
        },
        geometry=gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1]),
        crs="EPSG:4326",
    )
    if towers is not None:
        radio = ["frequency_mhz", "antenna_height_m", "eirp_dbm", *OPTIONAL_COLUMNS]
        frame.loc[len(site) :, radio] = towers[radio].to_numpy()
    terrain = open_terrain(list(dem), resolution_m=model["resolution"])
    options = {
        **_predict_options(model),
        "thresholds_dbm": {t: -200.0 for t in ("2G", "3G", "4G", "5G")},
    }
    result = predict_power(
        frame, terrain, eirp_is="measured", progress=_progress(len(frame), "sites"), **options
    )
    write_geotiff(
        out,
        result.best_power_dbm,
        transform=result.transform,
        crs=result.crs,
        nodata=float("nan"),
        descriptions=labels,
        overwrite=True,
    )
    log.info("wrote received power of %d site(s) to %s", len(labels), out)


@main.command(name="itm-loss")
@_options(*_SITE_OPTIONS)
@click.option("--height", type=float, default=30.0, show_default=True, help="Antenna height, m.")
@click.option("--frequency", type=float, default=900.0, show_default=True, help="Carrier, MHz.")
@click.option("--rx-height", type=float, default=1.5, show_default=True, help="Handset height, m.")
@click.option(
    "--radius", type=float, default=20_000.0, show_default=True, help="Largest distance, m."
)
@click.option(
    "--max-profile-points",
    type=click.IntRange(min=3),
    default=None,
    help="Most samples per profile (default: one per DEM post crossed, as SPLAT!).",
)
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output GeoTIFF.")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
def itm_loss(
    dem: tuple[str, ...],
    site: tuple[str, ...],
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
    from coverage.crs import WGS84, transform_xy
    from coverage.io.dem import open_native_dem
    from coverage.io.files import check_output
    from coverage.io.rasters import geotiff_writer
    from coverage.radial.itm_native import itm_native_path_loss

    check_output(out, overwrite=overwrite)
    labels, lonlat, towers = _sites(site, sites_file)
    heights = np.full(len(labels), height)
    frequencies = np.full(len(labels), frequency)
    if towers is not None:
        heights[len(site) :] = towers["antenna_height_m"].to_numpy(dtype=float)
        frequencies[len(site) :] = towers["frequency_mhz"].to_numpy(dtype=float)
    box = (*lonlat.min(axis=0), *lonlat.max(axis=0))
    native = open_native_dem(list(dem), bounds=_padded_bounds(box, radius * 1.05))
    xs, ys = transform_xy(WGS84, native.crs, lonlat[:, 0], lonlat[:, 1])
    with geotiff_writer(
        out, count=len(labels), shape=native.shape, dtype=np.float32,
        transform=native.transform, crs=native.crs, nodata=float("nan"),
        descriptions=labels, overwrite=True,
    ) as writer:  # fmt: skip
        for i in range(len(labels)):
            result = itm_native_path_loss(
                native, float(xs[i]), float(ys[i]), tx_height_m=heights[i],
                rx_height_m=rx_height, frequency_mhz=frequencies[i], radius_m=radius,
                max_profile_points=max_profile_points,
            )  # fmt: skip
            row0 = round((result.transform.f - native.transform.f) / native.transform.e)
            col0 = round((result.transform.c - native.transform.c) / native.transform.a)
            rows, cols = result.shape
            band = np.full((1, *native.shape), np.nan, dtype=np.float32)
            band[0, row0 : row0 + rows, col0 : col0 + cols] = result.loss_db
            writer.write_bands(band, first_band=i + 1, windows=[(row0, col0, rows, cols)])
    log.info("wrote ITM path loss of %d site(s) on the DEM's grid to %s", len(labels), out)


@main.command(name="coverage")
@click.option(
    "--towers",
    "towers_path",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="Tower list.",
)
@click.option(
    "--dem",
    required=True,
    multiple=True,
    type=click.Path(exists=True),
    help="DEM file(s) or folder.",
)
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--overwrite", is_flag=True, help="Replace outputs that exist.")
@_options(*_MODEL_OPTIONS, into="model")
def coverage_command(
    towers_path: Path, dem: tuple[str, ...], out: Path, overwrite: bool, model: dict[str, Any]
) -> None:
    """Coverage of a whole tower list: best power per operator/technology, serving site, validity."""
    from coverage.io.rasters import write_coverage
    from coverage.io.towers import read_towers
    from coverage.model import predict as predict_power

    towers = read_towers(towers_path)
    terrain = _terrain_for(dem, towers, model["radius"], model["resolution"])
    result = predict_power(
        towers, terrain, progress=_progress(len(towers), "coverage"), **_predict_options(model)
    )
    for path in write_coverage(result, out, overwrite=overwrite):
        click.echo(str(path))


def _seed_communes_in(communes: Any) -> list[str]:
    """The remote seed communes (or their 2025 units) that this commune layer holds."""
    from coverage.names import SEED_COMMUNES, normalize_name, successor_commune

    present = {normalize_name(str(n)) for n in communes["name"]}
    wanted = list(SEED_COMMUNES) + [successor_commune(n) for n in SEED_COMMUNES]
    return sorted({n for n in wanted if normalize_name(n) in present})


@main.command()
@_options(*_INPUT_OPTIONS, into="inputs")
@_options(*_MODEL_OPTIONS, into="model")
@click.option(
    "--communes-of-interest",
    "interest",
    multiple=True,
    help="Communes to mark (default: Lào Cai's remote seed communes).",
)
@click.option("--min-gap-area", type=float, default=0.1, show_default=True, help="km².")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Gap list: .xlsx, .csv, .geojson or .gpkg.",
)
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
def gaps(
    inputs: dict[str, Any],
    model: dict[str, Any],
    interest: tuple[str, ...],
    min_gap_area: float,
    out: Path,
    overwrite: bool,
) -> None:
    """Ranked gap lists per operator, with a per-commune summary."""
    from coverage.io.files import check_output
    from coverage.io.gaplists import write_gap_list
    from coverage.names import SEED_COMMUNES

    check_output(out, overwrite=overwrite)
    analysis = _analyse(inputs, model, min_gap_area)
    write_gap_list(
        analysis.gaps,
        analysis.communes,
        out,
        overwrite=overwrite,
        communes_of_interest=list(interest) or list(SEED_COMMUNES),
    )
    click.echo(str(out))


@main.command(name="map")
@_options(*_INPUT_OPTIONS, into="inputs")
@_options(*_MODEL_OPTIONS, into="model")
@click.option("--commune", "focus", help="Open zoomed on this commune, with its summary panel.")
@click.option(
    "--communes-of-interest",
    "interest",
    multiple=True,
    help="Communes to outline (default: Lào Cai's remote seed communes, where present).",
)
@click.option("--offline", is_flag=True, help="One self-contained HTML file (no CDN, no network).")
@click.option("--synthetic", multiple=True, help="Name an input that is synthetic (banner).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output .html.")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
def map_command(
    inputs: dict[str, Any],
    model: dict[str, Any],
    focus: str | None,
    interest: tuple[str, ...],
    offline: bool,
    synthetic: tuple[str, ...],
    out: Path,
    overwrite: bool,
) -> None:
    """Interactive map (Folium) of coverage, gaps, towers and communes."""
    from coverage.io.files import check_output
    from coverage.render.map import coverage_map, save_map

    check_output(out, overwrite=overwrite)
    analysis = _analyse(inputs, model)
    m = coverage_map(
        analysis.communes,
        analysis.result,
        analysis.gaps,
        terrain=analysis.terrain,
        focus_commune=focus,
        communes_of_interest=list(interest) or _seed_communes_in(analysis.communes),
        synthetic_inputs=list(synthetic) or None,
        offline=offline,
    )
    save_map(m, out, offline=offline, overwrite=overwrite)
    click.echo(str(out))


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("maps"),
    show_default=True,
    help="Folder for the demo's map, gap lists and rasters.",
)
@click.option("--overwrite", is_flag=True, help="Replace outputs that exist.")
@click.option("--radius", type=float, default=15_000.0, show_default=True, help="m.")
def demo(out: Path, overwrite: bool, radius: float) -> None:
    """Run the whole job on the embedded Lào Cai scenario (real communes, synthetic terrain/towers)."""
    from coverage.datasets import laocai_demo
    from coverage.demo import run_demo

    scenario = laocai_demo()
    click.echo(scenario.caption())
    for path in run_demo(
        scenario, out, radius_m=radius, overwrite=overwrite, progress_factory=_progress
    ):
        click.echo(f"wrote {path}")
