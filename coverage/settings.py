"""Defaults defined once: every function, command and notebook takes its default from here.

A default that appears as a literal anywhere else is a bug: change it here and the
library, the command line and the documentation follow.

Examples
--------
>>> RX_HEIGHT_M, round(K_FACTOR, 4), RADIUS_M, FREQUENCY_MHZ
(1.5, 1.3333, 20000.0, 900.0)
"""

from __future__ import annotations

__all__ = [
    "EARTH_RADIUS_M",
    "EIRP_DBM",
    "ELEVATION_RANGE_M",
    "FREQUENCY_MHZ",
    "ITM_MAX_PROFILE_POINTS",
    "K_FACTOR",
    "MAX_HOP_M",
    "MAX_PEOPLE_PER_KM2",
    "OVERSAMPLE",
    "RADIUS_M",
    "RX_HEIGHT_M",
    "TILE_SIZE_CELLS",
    "TX_HEIGHT_M",
]

EARTH_RADIUS_M = 6_371_008.8
"""Mean earth radius (IUGG), m: curvature along radials, metres per degree. ITM keeps the
radius its own algorithm specifies (Hufford 1.2.2: 6,370 km), as part of that model."""

K_FACTOR = 4.0 / 3.0
"""Effective earth-radius factor of the standard radio atmosphere (ITU-R P.453, P.526)."""

RX_HEIGHT_M = 1.5
"""Handset height above ground, m (the height of Hata's and ITU-R's mobile)."""

TX_HEIGHT_M = 30.0
"""Antenna height above ground of a site given without one, m."""

FREQUENCY_MHZ = 900.0
"""Carrier of a site given without one, MHz: GSM/LTE 900, the band rural sites use most."""

EIRP_DBM = 60.0
"""Carrier EIRP of a site given without one, dBm."""

RADIUS_M = 20_000.0
"""Largest distance from a site at which coverage is computed, m."""

OVERSAMPLE = 2.0
"""Rays per cell of circumference at the radius, for every radial kernel."""

ITM_MAX_PROFILE_POINTS = 150
"""Most elevations handed to ITM per pixel on the working grid (site and pixel included);
longer paths are decimated (see :mod:`coverage.radial.itm_grid`)."""

MAX_HOP_M = 30_000.0
"""Longest microwave backhaul hop considered for a proposed site, m (the practical reach
of 7 GHz links in the mountains; :mod:`coverage.planning.backhaul`)."""

TILE_SIZE_CELLS = 2048
"""Side of the tiles of ``phusong coverage --scheduler`` (:mod:`coverage.cluster`), cells:
61 km at 30 m; with a 10 km radius each worker reads a window of 2,716 cells."""

# ------------------------------------------------ plausibility: what a real input can hold

ELEVATION_RANGE_M = (-500.0, 9000.0)
"""Lowest and highest ground on Earth, m, with a margin (Dead Sea shore -430 m, Everest
8,849 m). A DEM value outside is a unit error (centimetres, feet x 10) or an undeclared
nodata value, and is refused rather than read as terrain."""

MAX_PEOPLE_PER_KM2 = 1_500_000.0
"""Densest population ever recorded, people per km² (Kowloon Walled City, about 1.3
million per km² in 1987). A population raster denser than this anywhere is not a
people-per-pixel count and is refused."""
