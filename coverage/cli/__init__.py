"""The `phusong` command line: thin commands over the public functions.

Coordinates given on the command line are WGS 84 longitude,latitude (EPSG:4326);
raster outputs are in the working (metric) CRS of the terrain, except `itm-loss`, which
writes on the DEM's own grid (as SPLAT! does). Logging and progress bars are set here.

What lives here: :mod:`~coverage.cli.options` (value types and the options every command
shares, with :mod:`coverage.settings`' defaults), :mod:`~coverage.cli.reporting` (every
error a user can cause as one line on stderr and an exit code) and
:mod:`~coverage.cli.commands` (the commands). It may import any room of the package;
nothing imports it.
"""

from __future__ import annotations

from coverage.cli.commands import main

__all__ = ["main"]
