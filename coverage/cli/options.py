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

from coverage.cli.wording import (
    LANG,
    LANG_GIVEN,
    Choice,
    Integer,
    LangOption,
    PathType,
    Text,
    option,
)
from coverage.i18n import LANGUAGES, message, resolve_language, use_language
from coverage.physics.receiver import DEFAULT_THRESHOLDS_DBM
from coverage.settings import (
    EIRP_DBM,
    K_FACTOR,
    RADIUS_M,
    RX_HEIGHT_M,
    TILE_SIZE_CELLS,
    TX_HEIGHT_M,
)

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


def input_file_option(*decls: str, help_id: str | Text, **extra: Any) -> Any:
    """An option naming one existing file (not a folder): ``--towers``, ``--plan``..."""
    return option(
        *decls,
        type=PathType(exists=True, dir_okay=False, path_type=Path),
        help_id=help_id,
        **extra,
    )


DEM = option(
    "--dem",
    required=True,
    multiple=True,
    type=PathType(exists=True, path_type=Path),
    help_id="cli.help_dem",
)
SITE = option(
    "--site",
    multiple=True,
    type=_LonLat(),
    help_id="cli.help_site",
)
SITES = input_file_option(
    "--sites",
    "sites_file",
    help_id="cli.help_sites",
)


def number_option(
    name: str, kind: Number, unit: str, default: float | None, help_id: str | Text, **extra: Any
) -> Any:
    """An option taking a finite number of ``kind`` in ``unit`` (shown as its metavar)."""
    return option(
        name,
        type=kind,
        metavar=unit,
        default=default,
        show_default=extra.pop("show_default", default is not None),
        help_id=help_id,
        **extra,
    )


def scheduler_options(scheduler_help: str, tile_size_help: str) -> Any:
    """``--scheduler ADDRESS|local:N`` and ``--tile-size N``: a command run tile by tile on Dask."""
    return with_options(
        option("--scheduler", metavar="ADDRESS|local:N", default=None, help_id=scheduler_help),
        option(
            "--tile-size",
            type=Integer(min=16),
            default=TILE_SIZE_CELLS,
            show_default=True,
            help_id=tile_size_help,
        ),
    )


HEIGHT = number_option(
    "--height", Number(*SITE_RANGES["antenna_height_m"]), "M", TX_HEIGHT_M,
    "cli.help_height",
)  # fmt: skip
RX_HEIGHT = number_option(
    "--rx-height", HEIGHT_ABOVE_GROUND, "M", RX_HEIGHT_M,
    "cli.help_rx_height",
)  # fmt: skip
RADIUS = number_option(
    "--radius", POSITIVE_DISTANCE, "M", RADIUS_M,
    "cli.help_radius",
)  # fmt: skip
K_FACTOR_OPTION = number_option(
    "--k-factor", Number(min=0.0, min_open=True), "K", K_FACTOR,
    "cli.help_k_factor",
    show_default="4/3",
)  # fmt: skip
EIRP = number_option(
    "--eirp", Number(*SITE_RANGES["eirp_dbm"]), "DBM", EIRP_DBM,
    "cli.help_eirp",
)  # fmt: skip
RESOLUTION = number_option(
    "--resolution", Number(min=1.0), "M", None,
    "cli.help_resolution",
)  # fmt: skip
MODEL = option(
    "--model",
    type=Choice(MODELS),
    default="diffraction",
    show_default=True,
    help_id="cli.help_model",
)
THRESHOLD = option(
    "--threshold",
    "thresholds",
    multiple=True,
    type=_Threshold(),
    help_id=Text(
        "cli.help_threshold",
        defaults=", ".join(f"{tech} {dbm:g}" for tech, dbm in DEFAULT_THRESHOLDS_DBM.items()),
    ),
)
OVERWRITE = option(
    "--overwrite",
    is_flag=True,
    help_id="cli.help_overwrite",
)
TOWERS = input_file_option(
    "--towers",
    "towers_path",
    required=True,
    help_id="cli.help_towers",
)
JOB_INPUTS = (
    option(
        "--communes",
        "communes_path",
        required=True,
        type=PathType(exists=True, path_type=Path),
        help_id="cli.help_communes",
    ),
    TOWERS,
    DEM,
    input_file_option(
        "--population",
        help_id="cli.help_population",
    ),
    option(
        "--population-column",
        help_id="cli.help_population_column",
    ),
    option(
        "--previous-communes",
        "previous",
        type=PathType(exists=True, path_type=Path),
        help_id="cli.help_previous_communes",
    ),
)
CALIBRATION = input_file_option(
    "--calibration",
    default=None,
    help_id="cli.help_calibration",
)
COVERAGE_OPTIONS = (MODEL, RADIUS, RESOLUTION, RX_HEIGHT, K_FACTOR_OPTION, THRESHOLD, CALIBRATION)
MEASUREMENTS = input_file_option(
    "--measurements",
    "measurements_path",
    required=True,
    help_id="cli.help_measurements",
)


def lang_option(
    what: str | None = None, *, scenario: str | None = None, group: bool = False
) -> Any:
    """``--lang vi|en``: the language of ``what`` (a message id) and of the command's messages.

    Not given: ``PHUSONG_LANG``, else ``scenario`` (the data's own language: ``vi`` for the
    Lào Cai demo and the province's report), else the locale (``LC_ALL``, ``LC_MESSAGES``,
    ``LANG``), else English (:func:`coverage.i18n.resolve_language`). The language was
    decided from the arguments before parsing (:func:`coverage.cli.wording.command_language`,
    the same rule); the option checks it (a wrong ``PHUSONG_LANG`` is refused here) and sets
    the library's. ``group``: the option of ``phusong`` itself, for every command.
    """

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
        # not given here: a --lang given before the command (the group's) still counts
        lang = resolve_language(value or ctx.meta.get(LANG_GIVEN), default=scenario)
        if not group:  # the group leaves the choice to its command's scenario
            ctx.meta[LANG] = lang
            use_language(lang)  # the library's errors too (the group restores it afterwards)
        return lang

    fallback = (
        Text("cli.help_lang_fallback_scenario", scenario=scenario)
        if scenario
        else Text("cli.help_lang_fallback")
    )
    help_text = (
        Text("cli.help_lang", what=Text(what), fallback=fallback)
        if what
        else Text("cli.help_lang_messages", fallback=fallback)
    )
    return option(
        "--lang",
        cls=LangOption,
        scenario=scenario,
        type=Choice(LANGUAGES),
        default=None,
        is_eager=True,
        expose_value=what is not None and not group,  # a command of messages only: not passed
        callback=remember,
        help_id=help_text,
    )


def out_option(help_id: str, *, folder: bool = False) -> Any:
    return option(
        "--out",
        required=True,
        type=PathType(file_okay=not folder, dir_okay=folder, path_type=Path),
        callback=writable_output,
        help_id=help_id,
    )


def with_options(*options: Any) -> Any:
    """Apply several click options, in the order given (as on the help page)."""

    def decorate(func: Any) -> Any:
        for each in reversed(options):
            func = each(func)
        return func

    return decorate
