"""`phusong info`: what a file holds."""

from __future__ import annotations

from pathlib import Path

import click

from coverage.cli.commands.group import main
from coverage.cli.options import lang_option
from coverage.cli.wording import PathType


@main.command(help_id="cli.help_command_info")
@click.argument("path", type=PathType(exists=True, path_type=Path))
@lang_option()
def info(path: Path) -> None:
    """What a file holds: kind, layer, CRS, rows, normalised columns, problems found."""
    from coverage.io.describe import describe

    click.echo(describe(path))
