"""The hot kernels over one shared radial plan: viewshed, diffraction and ITM on the grid.

One :func:`coverage.radial.plan.radial_plan` (rays and the cells each ray serves) and one
ray walk serve :mod:`~coverage.radial.viewshed`, :mod:`~coverage.radial.path_loss` (free
space, Hata, Bullington diffraction), :mod:`~coverage.radial.itm_grid` (ITM per pixel on
the working grid) and :mod:`~coverage.radial.itm_native` (ITM on the DEM's own grid).

What it may import: :mod:`coverage.physics`, the plain georeferenced arrays of
:mod:`coverage.terrain` and :mod:`coverage.grid`, and the bottom rooms. Never files
(no ``rasterio.open``), folium or click: callers read and write through :mod:`coverage.io`.
"""
