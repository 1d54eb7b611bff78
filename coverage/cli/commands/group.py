"""The `phusong` group: version, verbosity, language; logging and SIGTERM set for a run."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

import click

from coverage import __version__
from coverage.cli.options import lang_option
from coverage.cli.reporting import VERBOSE, LevelFormatter, ReportingGroup, say
from coverage.cli.wording import option


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
