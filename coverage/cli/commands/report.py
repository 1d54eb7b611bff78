"""`phusong report`: the department's report, with change since the last run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from coverage.cli.commands.group import main
from coverage.cli.commands.jobs import _analyse
from coverage.cli.options import (
    COVERAGE_OPTIONS,
    JOB_INPUTS,
    OVERWRITE,
    input_file_option,
    lang_option,
    out_option,
    with_options,
    writable_output,
)
from coverage.cli.reporting import say
from coverage.cli.wording import PathType, Text, option


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
@input_file_option("--plan", "plan_path", help_id="cli.help_report_plan")
@input_file_option("--measurements", "measurements_path", help_id="cli.help_report_measurements")
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
