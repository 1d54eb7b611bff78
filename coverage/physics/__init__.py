"""Path-loss physics: pure functions, metres and MHz in, dB out.

What lives here: free space (ITU-R P.525) and the conventions every formula keeps in
:mod:`~coverage.physics.free_space`, Okumura-Hata / COST-231 in :mod:`~coverage.physics.hata`,
knife-edge and terrain-profile diffraction (ITU-R P.526) in
:mod:`~coverage.physics.diffraction`, clutter (ITU-R P.2108) in
:mod:`~coverage.physics.clutter`, the sector antenna pattern, receiver power conversions,
the empirical models' validity ranges, and Longley-Rice ITM 1.2.2 in
:mod:`coverage.physics.itm`. Each formula cites its source and is tested against it.

What it may import: numpy, numba and the bottom rooms (:mod:`coverage.errors`,
:mod:`coverage.settings`, :mod:`coverage.validity`). Never files, rasterio, terrain grids,
folium or click.
"""
