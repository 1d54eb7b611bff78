"""Every read and write: communes, towers, gap lists, DEM tiles, population rasters,
GeoTIFFs, and ``describe`` (what a file holds).

Schema checks live here, and every error names the file, the column or the row, and the
fix. Writers go through :func:`coverage.io.files.atomic_output`, so a failed write never
leaves a partial file under its final name.

What it may import: the bottom rooms (errors, settings, crs, grid, names, operators) and
the plain georeferenced values of :mod:`coverage.terrain`, :mod:`coverage.population` and
:mod:`coverage.zonal`. Never physics, radial kernels, models or rendering.
"""
