"""`phusong plan`: which new or shared sites cover the most people still without signal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from coverage.cli.commands.group import main
from coverage.cli.commands.jobs import (
    _coverage_options,
    _terrain_around,
)
from coverage.cli.options import (
    COVERAGE_OPTIONS,
    JOB_INPUTS,
    OVERWRITE,
    Number,
    input_file_option,
    lang_option,
    number_option,
    out_option,
    with_options,
)
from coverage.cli.reporting import say
from coverage.cli.wording import Choice, Integer, option
from coverage.settings import MAX_HOP_M


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
@input_file_option("--costs", "costs_path", help_id="cli.help_plan_costs")
@input_file_option("--candidates", "candidates_path", help_id="cli.help_plan_candidates")
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
@input_file_option("--fibre", "fibre_path", help_id="cli.help_plan_fibre")
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
