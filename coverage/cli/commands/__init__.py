"""The `phusong` commands: each parses its options and calls the library's public functions.

What lives here: ``group`` (the ``main`` group: version, verbosity, language, logging),
``jobs`` (what the commands share: inputs read, terrain cropped, the analysis run), and one
module per family of commands, registered on ``main`` in this order: ``info``, ``rasters``
(`viewshed`, `predict`, `itm-loss`, `coverage`), ``analysis`` (`gaps`, `map`, `demo`),
``drive_tests`` (`accuracy`, `calibrate`), ``planning`` (`plan`) and ``report`` (`report`).
"""

from __future__ import annotations

# importing each module registers its commands on `main`, in the order of `main.commands`
# isort: off
from coverage.cli.commands import info  # noqa: F401
from coverage.cli.commands import rasters  # noqa: F401
from coverage.cli.commands import analysis  # noqa: F401
from coverage.cli.commands import drive_tests  # noqa: F401
from coverage.cli.commands import planning  # noqa: F401
from coverage.cli.commands import report  # noqa: F401

# isort: on
from coverage.cli.commands.group import main

__all__ = ["main"]
