"""Line-of-sight clearance of microwave links: Fresnel zone, earth bulge, path criteria.

Pure formulas for point-to-point backhaul, in the conventions of
:mod:`coverage.physics.free_space` (metres and MHz in):

* radius of the first Fresnel zone, ITU-R P.526-15 §3 (Fresnel ellipsoids)::

      r1 = sqrt(lambda d1 d2 / d)

  which with d in km and f in GHz is the familiar ``17.3 sqrt(d1 d2 / (f d))`` m of
  ITU-R P.530-18 §2.2.2 (the exact constant is ``sqrt(c / 1e6) = 17.31``);
* earth bulge over the effective earth of radius ``k a`` (ITU-R P.310 / P.453: the
  refraction factor ``k``; standard atmosphere ``k = 4/3``): the height of the earth's
  surface above the chord between the two ends, at ``d1`` from one end and ``d2`` from
  the other, in the parabolic approximation used by path-profile methods (ITU-R P.452
  and P.526 terrain profiles)::

      h = d1 d2 / (2 k a)

  with ``a = 6371.0088 km``; with d in km and h in metres this is the textbook
  ``h = d1 d2 / (12.74 k)``. At mid-path of a 30 km hop at ``k = 4/3``:
  ``15 x 15 / (12.74 x 4/3) = 13.2 m``;
* clearance of a terrain profile below the line of sight, in units of ``r1``, and the
  path clearance criteria of ITU-R P.530-18 §2.2.2.1 as microwave path design applies
  them (Recommendation P.530's own steps ask 1.0 F1 at the median k-factor and grazing
  to 0.3 F1 at the k-factor exceeded 99.9 % of the time; the widely used engineering rule
  is at least 0.6 F1 at ``k = 4/3`` and at least grazing, 0 F1, at ``k = 2/3``):
  :data:`MEDIAN_K_FACTOR` with :data:`MEDIAN_CLEARANCE_F1`, and
  :data:`SUBREFRACTIVE_K_FACTOR` with :data:`SUBREFRACTIVE_CLEARANCE_F1`.

Each is tested in ``tests/test_fresnel.py`` against hand-worked and published values.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from coverage.physics.free_space import SPEED_OF_LIGHT_M_S, finite_or
from coverage.settings import EARTH_RADIUS_M

__all__ = [
    "MEDIAN_CLEARANCE_F1",
    "MEDIAN_K_FACTOR",
    "SUBREFRACTIVE_CLEARANCE_F1",
    "SUBREFRACTIVE_K_FACTOR",
    "clearance_f1",
    "earth_bulge_m",
    "fresnel_radius_m",
    "worst_clearance_f1",
]

MEDIAN_K_FACTOR = 4.0 / 3.0
"""Effective earth-radius factor of the standard atmosphere (ITU-R P.453)."""

MEDIAN_CLEARANCE_F1 = 0.6
"""Least clearance at :data:`MEDIAN_K_FACTOR`, as a fraction of the first Fresnel radius."""

SUBREFRACTIVE_K_FACTOR = 2.0 / 3.0
"""Effective earth-radius factor of sub-refractive conditions (beam bent towards the
ground), the k exceeded most of the time on short hops (ITU-R P.530-18 Fig. 3)."""

SUBREFRACTIVE_CLEARANCE_F1 = 0.0
"""Least clearance at :data:`SUBREFRACTIVE_K_FACTOR`: grazing (ITU-R P.530-18 §2.2.2.1)."""


@numba.vectorize(["float64(float64, float64, float64)"], cache=True)
def fresnel_radius_m(d1_m, d2_m, frequency_mhz):  # pragma: no cover - compiled
    """Radius of the first Fresnel zone at ``d1_m`` from one end and ``d2_m`` from the other, m.

    ITU-R P.526-15 §3: ``r1 = sqrt(lambda d1 d2 / (d1 + d2))``; ITU-R P.530-18 §2.2.2
    writes it ``17.3 sqrt(d1 d2 / (f d))`` m with d in km and f in GHz.

    Parameters
    ----------
    d1_m, d2_m
        Distances from the point to the two ends, m (not negative).
    frequency_mhz
        Link frequency, MHz.

    Returns
    -------
    float
        Radius, m; 0 at either end; NaN when an input is NaN, a distance negative or the
        frequency not positive.

    Examples
    --------
    >>> from coverage.physics.fresnel import fresnel_radius_m
    >>> round(float(fresnel_radius_m(500.0, 500.0, 5000.0)), 2)  # mid-path, 1 km, 5 GHz
    3.87
    """
    d1 = finite_or(d1_m, -1.0)
    d2 = finite_or(d2_m, -1.0)
    frequency = finite_or(frequency_mhz, -1.0)
    bad = d1 < 0.0 or d2 < 0.0 or frequency <= 0.0
    total = d1 + d2 if d1 + d2 > 0.0 else 1.0  # safe values: LLVM may divide before branching
    wavelength = SPEED_OF_LIGHT_M_S / ((frequency if frequency > 0.0 else 1.0) * 1e6)
    radius = math.sqrt(max(wavelength * d1 * d2 / total, 0.0))
    return math.nan if bad else radius


@numba.vectorize(["float64(float64, float64, float64)"], cache=True)
def earth_bulge_m(d1_m, d2_m, k_factor):  # pragma: no cover - compiled
    """Height of the effective earth above the chord between two ends, m: ``d1 d2 / (2 k a)``.

    The parabolic approximation of a sphere of radius ``k a`` (``a`` =
    :data:`coverage.settings.EARTH_RADIUS_M`), as path-profile methods use it; in
    microwave texts ``h = d1 d2 / (12.74 k)`` with d in km, h in m.

    Parameters
    ----------
    d1_m, d2_m
        Distances from the point to the two ends, m (not negative).
    k_factor
        Effective earth-radius factor (4/3 standard, 2/3 sub-refractive).

    Returns
    -------
    float
        Bulge, m; NaN when an input is NaN, a distance negative or ``k`` not positive.

    Examples
    --------
    >>> from coverage.physics.fresnel import earth_bulge_m
    >>> round(float(earth_bulge_m(15_000.0, 15_000.0, 4 / 3)), 1)  # mid-path of 30 km
    13.2
    """
    d1 = finite_or(d1_m, -1.0)
    d2 = finite_or(d2_m, -1.0)
    k = finite_or(k_factor, -1.0)
    bad = d1 < 0.0 or d2 < 0.0 or k <= 0.0
    bulge = d1 * d2 / (2.0 * (k if k > 0.0 else 1.0) * EARTH_RADIUS_M)
    return math.nan if bad else bulge


def clearance_f1(
    elevation_m: np.ndarray,
    path_length_m: np.ndarray | float,
    antenna_a_m: np.ndarray | float,
    antenna_b_m: np.ndarray | float,
    frequency_mhz: float,
    *,
    k_factor: float = MEDIAN_K_FACTOR,
    obstruction_height_m: float = 0.0,
) -> np.ndarray:
    """Clearance of a terrain profile below the line of sight, in first-Fresnel radii.

    At each profile point, the line of sight between the two antennas less the terrain
    raised by the earth bulge at ``k_factor`` (and by ``obstruction_height_m``: trees,
    buildings), divided by the first Fresnel radius there. 1 is a clear first Fresnel
    zone, 0 grazing, negative an obstructed line of sight.

    Parameters
    ----------
    elevation_m
        Terrain heights (m above sea level), shape ``(..., n)``: ``n >= 2`` equally spaced
        samples from end A (index 0) to end B (index ``n - 1``), one profile per link.
    path_length_m
        Length of each link, m, shape ``(...)``.
    antenna_a_m, antenna_b_m
        Antenna heights at A and B, m above sea level (ground plus mast), shape ``(...)``.
    frequency_mhz
        Link frequency, MHz.
    k_factor
        Effective earth-radius factor.
    obstruction_height_m
        Height added to every interior profile point, m.

    Returns
    -------
    numpy.ndarray
        ``(..., n)`` clearance fractions; NaN at the two ends (no Fresnel zone there) and
        where the terrain is NaN.

    Examples
    --------
    >>> profile = np.array([100.0, 100.0, 130.0, 100.0, 100.0])  # a 30 m ridge at mid-path
    >>> c = clearance_f1(profile, 4000.0, 150.0, 150.0, 7000.0, k_factor=4 / 3)
    >>> round(float(c[2]), 3)  # (150 - 130 - 0.235 bulge) / 6.54 m
    3.02
    """
    elevation = np.asarray(elevation_m, dtype=float)
    n = elevation.shape[-1]
    length = np.asarray(path_length_m, dtype=float)[..., None]
    fraction = np.linspace(0.0, 1.0, n)
    d1 = length * fraction
    d2 = length - d1
    a = np.asarray(antenna_a_m, dtype=float)[..., None]
    b = np.asarray(antenna_b_m, dtype=float)[..., None]
    sight = a + (b - a) * fraction
    obstacle = elevation + earth_bulge_m(d1, d2, k_factor) + obstruction_height_m
    radius = fresnel_radius_m(d1, d2, frequency_mhz)
    with np.errstate(divide="ignore", invalid="ignore"):
        clearance = (sight - obstacle) / radius
    clearance[..., 0] = np.nan
    clearance[..., -1] = np.nan
    return clearance


def worst_clearance_f1(
    elevation_m: np.ndarray,
    path_length_m: np.ndarray | float,
    antenna_a_m: np.ndarray | float,
    antenna_b_m: np.ndarray | float,
    frequency_mhz: float,
    *,
    k_factor: float = MEDIAN_K_FACTOR,
    obstruction_height_m: float = 0.0,
) -> np.ndarray:
    """The least clearance (first-Fresnel fraction) along each profile.

    As :func:`clearance_f1`, reduced over the profile: NaN where any interior terrain
    sample is NaN (the clearance is then unknown), ``inf`` for a profile with no interior
    point.

    Examples
    --------
    >>> profile = np.array([[100.0, 100.0, 130.0, 100.0, 100.0],
    ...                     [100.0, 100.0, 148.0, 100.0, 100.0]])
    >>> worst_clearance_f1(profile, [4000.0, 4000.0], 150.0, 150.0, 7000.0).round(3).tolist()
    [3.02, 0.27]
    """
    clearance = clearance_f1(
        elevation_m,
        path_length_m,
        antenna_a_m,
        antenna_b_m,
        frequency_mhz,
        k_factor=k_factor,
        obstruction_height_m=obstruction_height_m,
    )
    interior = clearance[..., 1:-1]
    if interior.shape[-1] == 0:
        return np.full(interior.shape[:-1], np.inf)
    return np.min(interior, axis=-1)  # a NaN sample makes the minimum NaN
