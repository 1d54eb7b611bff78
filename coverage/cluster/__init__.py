"""A country on Dask: coverage computed tile by tile, each tile reading its own DEM window.

:func:`predict_tiled` (``phusong coverage --scheduler``) cuts the working grid into tiles
and runs them on a ``dask.distributed`` cluster (``"local:N"`` worker processes here, or a
scheduler address); every output pixel equals the single-machine :func:`coverage.predict`'s,
and per-commune figures are summed from the tiles.
"""

from coverage.cluster.run import OUTPUTS, TiledCoverage, connect, predict_tiled

__all__ = ["OUTPUTS", "TiledCoverage", "connect", "predict_tiled"]
