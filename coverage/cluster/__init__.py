"""A country on Dask: coverage computed tile by tile, each tile reading its own DEM window.

:func:`predict_tiled` (``phusong coverage --scheduler``) cuts the working grid into tiles
and runs them on a ``dask.distributed`` cluster (``"local:N"`` worker processes here, or a
scheduler address); every output pixel equals the single-machine :func:`coverage.predict`'s,
and per-commune figures are summed from the tiles. :func:`gaps_tiled` makes the ranked gap
lists from those tiles, joining pieces across tile borders, and :func:`analyse_tiled`
(``phusong gaps --scheduler``) does both.
"""

from coverage.cluster.analyse import TiledAnalysis, analyse_tiled
from coverage.cluster.gaps import gaps_tiled
from coverage.cluster.run import OUTPUTS, TiledCoverage, connect, predict_tiled

__all__ = [
    "OUTPUTS",
    "TiledAnalysis",
    "TiledCoverage",
    "analyse_tiled",
    "connect",
    "gaps_tiled",
    "predict_tiled",
]
