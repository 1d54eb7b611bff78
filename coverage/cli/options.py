"""Value types and the options the commands share: one name, one meaning, one default.

Defaults are :mod:`coverage.settings`'; values are checked as they are parsed (a radius
of 0, a height of ``nan``, a threshold for ``LTE`` are refused before any work).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import click

from coverage.cli.reporting import LANG
from coverage.i18n import LANGUAGES, message, resolve_language, use_language
from coverage.physics.receiver import DEFAULT_THRESHOLDS_DBM
from coverage.settings import EIRP_DBM, K_FACTOR, RADIUS_M, RX_HEIGHT_M, TX_HEIGHT_M

# Kept here as literals so that `phusong --help` does not load the numba kernels (a
# second or more); tests/test_cli.py checks each against the library.
MODELS = ("diffraction", "fspl", "hata", "itm")
"""Path-loss models of :func:`coverage.model.predict` (``coverage.model.MODELS``)."""
ITM_FREQUENCY_MHZ = (20.0, 20_000.0)
"""Carriers ITM 1.2.2 accepts, MHz (outside them it refuses to compute)."""
SITE_RANGES = {
    "frequency_mhz": (100.0, 6000.0),
    "antenna_height_m": (0.0, 300.0),
    "eirp_dbm": (0.0, 90.0),
}
"""What a tower list accepts (``coverage.io.tower_fields.VALID_RANGES``): the --site options
take the same, so a value refused in a file is refused on the command line too."""
MIN_GAP_AREA_KM2 = 0.1
"""Default of ``--min-gap-area``: :func:`coverage.analysis.analyse`'s ``min_gap_area_km2``."""


class Number(click.FloatRange):
    """A finite float within a range (click's FloatRange lets nan and inf through)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        # click's checks, with its messages in the command's language
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(message("errors.not_a_number", value=value), param, ctx)
        below = self.min is not None and (
            number <= self.min if self.min_open else number < self.min
        )
        above = self.max is not None and (
            number >= self.max if self.max_open else number > self.max
        )
        if below or above:
            range_text = self._describe_range()
            self.fail(message("errors.out_of_range", value=number, range=range_text), param, ctx)
        if not math.isfinite(number):
            self.fail(message("errors.not_finite", value=value), param, ctx)
        return number


class _LonLat(click.ParamType):
    """``LON,LAT`` in degrees (WGS 84) as a (lon, lat) tuple."""

    name = "LON,LAT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        try:
            lon, lat = (float(part) for part in str(value).split(","))
        except ValueError:
            self.fail(message("errors.lonlat_format", value=value), param, ctx)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            self.fail(message("errors.lonlat_range", value=value), param, ctx)
        return lon, lat


_THRESHOLD_DBM = Number(-160.0, -20.0)  # 3GPP reports RSRP -140..-44, RSCP -120..-25 dBm


class _Threshold(click.ParamType):
    """``TECH=DBM`` as a (technology, dBm) tuple, for a technology with a default threshold."""

    name = "TECH=DBM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        technology, equals, dbm = str(value).partition("=")
        technology = technology.strip().upper()
        if not equals:
            self.fail(message("errors.threshold_format", value=value), param, ctx)
        if technology not in DEFAULT_THRESHOLDS_DBM:
            choices = ", ".join(DEFAULT_THRESHOLDS_DBM)
            text = message(
                "errors.threshold_technology", value=value, technology=technology, choices=choices
            )
            self.fail(text, param, ctx)
        try:
            return technology, _THRESHOLD_DBM.convert(dbm.strip(), param, ctx)
        except click.BadParameter as exc:
            self.fail(f"{value!r}: {exc.message}", param, ctx)


def writable_output(ctx: click.Context, param: click.Parameter, value: Path | None) -> Any:
    """Refuse, before any work, an output whose folder cannot be written."""
    if value is None:
        return value
    folder = value.absolute() if value.is_dir() else value.absolute().parent
    while not folder.exists():
        folder = folder.parent
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or exc
        text = message("errors.cannot_write_in", folder=folder, reason=reason)
        raise click.BadParameter(text, ctx, param) from exc
    return value


def renamed(new: str) -> Any:
    def refuse(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None:
            raise click.BadParameter(message("errors.renamed", new=new), ctx, param)

    return refuse


POSITIVE_DISTANCE = Number(min=0.0, min_open=True)
HEIGHT_ABOVE_GROUND = Number(min=0.0)

DEM = click.option(
    "--dem",
    required=True,
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Elevation model: GeoTIFF or SRTM (.hgt, .hgt.zip) tiles, or a folder of them; "
    "repeat for several.",
)
SITE = click.option(
    "--site",
    multiple=True,
    type=_LonLat(),
    help="A site as LON,LAT in degrees (WGS 84), e.g. 103.42,22.66; repeat for several.",
)
SITES = click.option(
    "--sites",
    "sites_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tower list (CSV, XLSX, GeoJSON, GPKG) giving more sites, each with its own "
    "antenna height, frequency and EIRP.",
)


def number_option(
    name: str, kind: Number, unit: str, default: float | None, help_text: str, **extra: Any
) -> Any:
    """An option taking a finite number of ``kind`` in ``unit`` (shown as its metavar)."""
    return click.option(
        name,
        type=kind,
        metavar=unit,
        default=default,
        show_default=extra.pop("show_default", default is not None),
        help=help_text,
        **extra,
    )


HEIGHT = number_option(
    "--height", Number(*SITE_RANGES["antenna_height_m"]), "M", TX_HEIGHT_M,
    "Antenna height above the ground of each --site, m (a --sites list gives its own).",
)  # fmt: skip
RX_HEIGHT = number_option(
    "--rx-height", HEIGHT_ABOVE_GROUND, "M", RX_HEIGHT_M,
    "Receiver (handset) height above ground, m.",
)  # fmt: skip
RADIUS = number_option(
    "--radius", POSITIVE_DISTANCE, "M", RADIUS_M,
    "Largest distance from a site that is computed, m.",
)  # fmt: skip
K_FACTOR_OPTION = number_option(
    "--k-factor", Number(min=0.0, min_open=True), "K", K_FACTOR,
    "Effective earth-radius factor: how far radio bends beyond the horizon (4/3 is the "
    "standard atmosphere).",
    show_default="4/3",
)  # fmt: skip
EIRP = number_option(
    "--eirp", Number(*SITE_RANGES["eirp_dbm"]), "DBM", EIRP_DBM,
    "Power each --site radiates (EIRP), dBm, predicted as it is (no conversion to RSRP or "
    "RSCP); a --sites list gives its own.",
)  # fmt: skip
RESOLUTION = number_option(
    "--resolution", Number(min=1.0), "M", None,
    "Cell size of the working grid, m (default: the DEM's own spacing).",
)  # fmt: skip
MODEL = click.option(
    "--model",
    type=click.Choice(MODELS),
    default="diffraction",
    show_default=True,
    help="Path-loss model: diffraction (free space plus knife-edge diffraction over the "
    "terrain), fspl (free space only), hata (Okumura-Hata/COST-231, no terrain), itm "
    "(Longley-Rice).",
)
THRESHOLD = click.option(
    "--threshold",
    "thresholds",
    multiple=True,
    type=_Threshold(),
    help="Weakest signal counted as coverage for a technology, dBm of RxLev (2G), RSCP "
    "(3G) or RSRP (4G, 5G), e.g. 4G=-105; repeatable (defaults: "
    + ", ".join(f"{tech} {dbm:g}" for tech, dbm in DEFAULT_THRESHOLDS_DBM.items())
    + ").",
)
OVERWRITE = click.option(
    "--overwrite",
    is_flag=True,
    help="Replace outputs that exist (otherwise an existing output is refused before any work).",
)
TOWERS = click.option(
    "--towers",
    "towers_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tower list (CSV, XLSX, GeoJSON, GPKG): sites, operators, technologies, radio parameters.",
)
JOB_INPUTS = (
    click.option(
        "--communes",
        "communes_path",
        required=True,
        type=click.Path(exists=True, path_type=Path),
        help="Commune boundaries (GeoJSON, GPKG, Shapefile): the areas gaps are counted in.",
    ),
    TOWERS,
    DEM,
    click.option(
        "--population",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Population raster (people per cell, WorldPop style), any CRS.",
    ),
    click.option(
        "--population-column",
        help="Without a raster: the commune column of people, spread evenly by area (cruder).",
    ),
    click.option(
        "--previous-communes",
        "previous",
        type=click.Path(exists=True, path_type=Path),
        help="Pre-2025 commune boundaries, to name the old commune of each gap too.",
    ),
)
CALIBRATION = click.option(
    "--calibration",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Drive-test calibration (JSON from `phusong calibrate`) added to each site's loss "
    "by operator and technology; it must be for the same --model.",
)
COVERAGE_OPTIONS = (MODEL, RADIUS, RESOLUTION, RX_HEIGHT, K_FACTOR_OPTION, THRESHOLD, CALIBRATION)
MEASUREMENTS = click.option(
    "--measurements",
    "measurements_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Drive-test or scanner export (CSV, XLSX): position, level (RSRP/RSCP/RxLev, dBm) "
    "or path loss (dB), and optionally operator or MCC/MNC, technology, cell identity.",
)


def lang_option(what: str, *, scenario: str | None = None) -> Any:
    """``--lang vi|en``: the language of ``what`` and of the command's own messages.

    Not given: ``PHUSONG_LANG``, else ``scenario`` (the data's own language: ``vi`` for the
    Lào Cai demo and the province's report), else the locale (``LC_ALL``, ``LC_MESSAGES``,
    ``LANG``), else English (:func:`coverage.i18n.resolve_language`). Parsed first, so that
    every later message of the command is in that language.
    """

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
        lang = resolve_language(value, default=scenario)
        ctx.meta[LANG] = lang
        use_language(lang)  # the library's errors too (the group restores it after the command)
        return lang

    fallback = (
        f"PHUSONG_LANG, else {scenario}" if scenario else "PHUSONG_LANG, else the locale, else en"
    )
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default=None,
        is_eager=True,
        callback=remember,
        help=f"Language of {what} and of the messages: Vietnamese or English (default: {fallback}).",
    )


def out_option(help_text: str, *, folder: bool = False) -> Any:
    return click.option(
        "--out",
        required=True,
        type=click.Path(file_okay=not folder, dir_okay=folder, path_type=Path),
        callback=writable_output,
        help=help_text,
    )


def with_options(*options: Any) -> Any:
    """Apply several click options, in the order given (as on the help page)."""

    def decorate(func: Any) -> Any:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate
