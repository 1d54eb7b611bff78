"""Free-space propagation (ITU-R P.525), and the conventions every physics formula keeps.

No geometry, no files, no rasters. Every function of :mod:`coverage.physics` that takes
scalars is compiled with numba and can be called both from Python (on scalars or numpy
arrays, with broadcasting) and from inside ``numba.njit`` code with float scalars, so the
terrain-walking kernels in :mod:`coverage.radial.path_loss` use exactly the formulas
tested here. Beside this module: Okumura-Hata / COST-231 in
:mod:`coverage.physics.hata`, knife-edge and terrain-profile diffraction (ITU-R P.526)
in :mod:`coverage.physics.diffraction`, clutter (ITU-R P.2108) in
:mod:`coverage.physics.clutter`.

Each formula cites its source; ``tests/test_free_space.py`` and its siblings check it
against the source's own published numbers.

Conventions
-----------
* Distances in metres, frequencies in MHz, heights in metres, losses in dB (positive
  is loss).
* NaN in, NaN out: a NaN distance, height or frequency never yields a finite loss.
  :func:`finite_or` and :func:`is_finite` are the quiet NaN tests the ufuncs share.
* Distances below 1 m are clamped to 1 m (the far-field formulas are meaningless
  closer than that); that keeps a receiver in the tower's own cell finite.
"""

from __future__ import annotations

import math

import numba

__all__ = [
    "MIN_DISTANCE_M",
    "SPEED_OF_LIGHT_M_S",
    "finite_or",
    "free_space_loss_db",
    "is_finite",
    "wavelength_m",
]

SPEED_OF_LIGHT_M_S = 299_792_458.0
"""Speed of light in vacuum, m/s."""

MIN_DISTANCE_M = 1.0
"""Distances below this are clamped to it by the distance-based models, m."""


@numba.njit(cache=True)
def finite_or(value, fallback):
    """``value``, or ``fallback`` when it is NaN or infinite.

    The ufuncs of :mod:`coverage.physics` compare only cleaned values: an ordered
    comparison that meets a NaN raises the FP "invalid" flag (numpy then warns), and
    LLVM may evaluate a comparison before the NaN check that guards it.
    """
    return fallback if (math.isnan(value) or math.isinf(value)) else value


@numba.njit(cache=True)
def is_finite(value):
    """Neither NaN nor infinite (quiet tests only: no FP-invalid flag)."""
    return not (math.isnan(value) or math.isinf(value))


@numba.vectorize(["float64(float64)"], cache=True)
def wavelength_m(frequency_mhz):  # pragma: no cover - compiled
    """Free-space wavelength, m: ``c / f``.

    Examples
    --------
    >>> from coverage.physics.free_space import wavelength_m
    >>> round(float(wavelength_m(900.0)), 4)
    0.3331
    """
    return SPEED_OF_LIGHT_M_S / (frequency_mhz * 1e6)


@numba.vectorize(["float64(float64, float64)"], cache=True)
def free_space_loss_db(distance_m, frequency_mhz):  # pragma: no cover - compiled
    """Free-space basic transmission loss between isotropic antennas, dB.

    ITU-R P.525-4 §2.2, eq. (6)::

        L_bf = 32.4 + 20 log10(f_MHz) + 20 log10(d_km)

    evaluated with the exact constant ``20 log10(4 pi 1e9 / c) = 32.45`` dB.

    Parameters
    ----------
    distance_m
        Path length, m. Values below 1 m are clamped to 1 m.
    frequency_mhz
        Frequency, MHz.

    Returns
    -------
    float
        Loss, dB; NaN when an input is NaN or the frequency is not positive.

    Examples
    --------
    >>> from coverage.physics.free_space import free_space_loss_db
    >>> round(float(free_space_loss_db(1000.0, 900.0)), 2)
    91.53
    """
    distance = max(finite_or(distance_m, MIN_DISTANCE_M), MIN_DISTANCE_M)
    frequency = finite_or(frequency_mhz, -1.0)
    bad = math.isnan(distance_m) or frequency <= 0.0
    frequency = frequency if frequency > 0.0 else 1.0
    # 20 log10(4 pi d f / c) with d in m, f in Hz
    loss = 20.0 * math.log10(4.0 * math.pi * distance * frequency * 1e6 / SPEED_OF_LIGHT_M_S)
    return math.nan if bad else loss
