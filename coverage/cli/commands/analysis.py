"""Commands over the whole analysis: `gaps` (ranked gap lists), `map` and `demo`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from coverage.cli.commands.group import main
from coverage.cli.commands.jobs import (
    _analyse,
    _analyse_tiled,
    _coverage_options,
    _progress,
)
from coverage.cli.options import (
    COVERAGE_OPTIONS,
    JOB_INPUTS,
    MIN_GAP_AREA_KM2,
    OVERWRITE,
    POSITIVE_DISTANCE,
    Number,
    lang_option,
    number_option,
    out_option,
    scheduler_options,
    with_options,
    writable_output,
)
from coverage.cli.reporting import say
from coverage.cli.wording import PathType, Text, option

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
@scheduler_options("cli.help_gaps_scheduler", "cli.help_gaps_tile_size")
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
