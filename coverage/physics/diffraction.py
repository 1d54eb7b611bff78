"""Diffraction (ITU-R P.526): knife edge J(v), Fresnel v, Deygout and Bullington profiles.

:func:`knife_edge_loss_db` and :func:`fresnel_v` are numba ufuncs (and scalar
functions inside ``numba.njit`` code); :func:`deygout_loss_db` and
:func:`bullington_loss_db` walk one terrain profile over an effective earth of radius
``k_factor`` times :data:`coverage.settings.EARTH_RADIUS_M`. They are the per-profile
references of the radial engine (:mod:`coverage.radial.path_loss`), which computes the
same Bullington loss incrementally along rays. Conventions are those of
:mod:`coverage.physics.free_space`.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from coverage.physics.free_space import finite_or, is_finite, wavelength_m
from coverage.settings import EARTH_RADIUS_M, K_FACTOR

__all__ = ["bullington_loss_db", "deygout_loss_db", "fresnel_v", "knife_edge_loss_db"]


@numba.vectorize(["float64(float64)"], cache=True)
def knife_edge_loss_db(v):  # pragma: no cover - compiled
    """Single knife-edge diffraction loss ``J(v)``, dB.

    ITU-R P.526-15 §4.1, eq. (31)::

        J(v) = 6.9 + 20 log10( sqrt((v - 0.1)^2 + 1) + v - 0.1 )   for v > -0.78
        J(v) = 0                                                    otherwise

    P.526 gives this as the approximation of the exact Fresnel-integral loss (its
    Fig. 9); it is within about 0.2 dB of it for v > -0.7 (checked in the tests).

    Parameters
    ----------
    v
        Fresnel-Kirchhoff diffraction parameter (see :func:`fresnel_v`).

    Returns
    -------
    float
        Loss, dB (about 6.0 dB at ``v = 0``, grazing incidence); NaN for NaN.

    Examples
    --------
    >>> from coverage.physics.diffraction import knife_edge_loss_db
    >>> round(float(knife_edge_loss_db(0.0)), 2)
    6.03
    """
    clean_v = finite_or(v, 0.0)
    shifted = clean_v - 0.1
    loss = 6.9 + 20.0 * math.log10(math.sqrt(shifted * shifted + 1.0) + shifted)
    loss = loss if clean_v > -0.78 else 0.0
    if math.isinf(v):
        loss = math.inf if v > 0.0 else 0.0
    return math.nan if math.isnan(v) else loss


@numba.vectorize(["float64(float64, float64, float64, float64)"], cache=True)
def fresnel_v(h_m, d1_m, d2_m, wavelength_m):  # pragma: no cover - compiled
    """Fresnel-Kirchhoff diffraction parameter of an edge, dimensionless.

    ITU-R P.526-15 §4.1, eq. (26)::

        v = h sqrt( (2 / lambda) (1/d1 + 1/d2) )

    Parameters
    ----------
    h_m
        Height of the edge above the straight line joining the two ends, m (negative
        when the edge is below it).
    d1_m, d2_m
        Distances from the edge to each end, m; must be positive (NaN otherwise).
    wavelength_m
        Wavelength, m (see :func:`coverage.physics.free_space.wavelength_m`).

    Returns
    -------
    float
        ``v``; NaN when an input is NaN or infinite, or a distance is not positive.

    Examples
    --------
    >>> from coverage.physics.diffraction import fresnel_v
    >>> round(float(fresnel_v(10.0, 5000.0, 5000.0, 0.3331)), 3)
    0.49
    """
    d1 = finite_or(d1_m, -1.0)
    d2 = finite_or(d2_m, -1.0)
    lam = finite_or(wavelength_m, -1.0)
    bad = not (is_finite(h_m) and is_finite(d1_m) and is_finite(d2_m)) or d1 <= 0.0 or d2 <= 0.0
    bad = bad or lam <= 0.0
    d1 = d1 if d1 > 0.0 else 1.0
    d2 = d2 if d2 > 0.0 else 1.0
    lam = lam if lam > 0.0 else 1.0
    v = finite_or(h_m, 0.0) * math.sqrt(2.0 / lam * (1.0 / d1 + 1.0 / d2))
    return math.nan if bad else v


@numba.njit(cache=True)
def _effective_profile(distances_m, heights_m, h_tx_m, h_rx_m, frequency_mhz, k_factor):
    """Heights above the chord of an effective Earth, with the antennas on the ends.

    The common setup of :func:`deygout_loss_db` and :func:`bullington_loss_db`.
    Returns ``(x_m, z_m, wavelength_m)``: distances from the first point, ground heights
    raised by the Earth bulge ``x (D - x) / (2 k R)`` with the antenna heights on the
    ends, and the wavelength. A NaN wavelength flags an invalid input (NaN or infinity
    anywhere, fewer than two points, a frequency or ``k_factor`` that is not positive).
    """
    n = distances_m.size
    x_m = np.empty(n)
    z_m = np.empty(n)
    bad = n < 2 or heights_m.size != n
    bad = bad or not (is_finite(h_tx_m) and is_finite(h_rx_m) and is_finite(k_factor))
    bad = bad or finite_or(k_factor, -1.0) <= 0.0 or finite_or(frequency_mhz, -1.0) <= 0.0
    for i in range(min(n, heights_m.size)):
        if not (is_finite(distances_m[i]) and is_finite(heights_m[i])):
            bad = True
    if bad:
        z_m[:] = np.nan
        return x_m, z_m, np.nan
    for i in range(1, n):
        if not distances_m[i] > distances_m[i - 1]:
            raise ValueError("distances_m must increase strictly along the profile")
    total_m = distances_m[n - 1] - distances_m[0]
    two_kr = 2.0 * k_factor * EARTH_RADIUS_M
    for i in range(n):
        x = distances_m[i] - distances_m[0]
        x_m[i] = x
        z_m[i] = heights_m[i] + x * (total_m - x) / two_kr
    z_m[0] = heights_m[0] + h_tx_m
    z_m[n - 1] = heights_m[n - 1] + h_rx_m
    return x_m, z_m, wavelength_m(frequency_mhz)


@numba.njit(cache=True)
def _highest_edge(x_m, z_m, first, last, wavelength):
    """Index and ``v`` of the point strictly between ``first`` and ``last`` with the
    largest Fresnel parameter relative to the straight line joining them (-1 if none)."""
    best_index = -1
    best_v = -np.inf
    span = x_m[last] - x_m[first]
    for i in range(first + 1, last):
        d1 = x_m[i] - x_m[first]
        d2 = x_m[last] - x_m[i]
        line = z_m[first] + (z_m[last] - z_m[first]) * d1 / span
        v = (z_m[i] - line) * math.sqrt(2.0 / wavelength * (1.0 / d1 + 1.0 / d2))
        if v > best_v:
            best_v = v
            best_index = i
    return best_index, best_v


@numba.njit(cache=True)
def deygout_loss_db(
    distances_m,
    heights_m,
    h_tx_m,
    h_rx_m,
    frequency_mhz,
    k_factor=K_FACTOR,
    empirical_correction=False,
):
    """Diffraction loss of a terrain profile by the Deygout construction (<= 3 edges), dB.

    J. Deygout, "Multiple knife-edge diffraction of microwaves", IEEE Trans. Antennas
    Propag. AP-14(4), 1966, as recommended by ITU-R P.526 for multiple isolated edges
    ("Deygout method limited to three edges"): every profile point is a knife edge;
    the principal edge ``p`` is the one with the largest ``v`` (P.526-15 eq. (26))
    relative to the line Tx-Rx; then the largest-``v`` edge ``t`` between Tx and ``p``
    (relative to the line Tx-p) and ``r`` between ``p`` and Rx (line p-Rx)::

        L = J(v_p) + J(v_t) + J(v_r)                 (classic Deygout)

    With ``empirical_correction=True``, the ITU-R form (P.526 Deygout three-edge method;
    the same construction was P.452-14 §4.2.1) is returned instead::

        L = J(v_p) + T [J(v_t) + J(v_r) + C],  T = 1 - exp(-J(v_p) / 6),
        C = 10 + 0.04 D_km

    ``J`` is :func:`knife_edge_loss_db`. If the principal edge does not diffract
    (``v_p <= -0.78``) the loss is 0 and no secondary edge is sought. Earth curvature
    is included by raising each point by ``d1 d2 / (2 k R)`` (effective radius ``k``
    times :data:`coverage.settings.EARTH_RADIUS_M`), which is exact for every sub-path
    too.

    Parameters
    ----------
    distances_m
        float64 (n,): distance of each profile point from the transmitter, m, strictly
        increasing; the first point is the transmitter's, the last the receiver's.
    heights_m
        float64 (n,): ground elevation at each point, m (any common datum).
    h_tx_m, h_rx_m
        Antenna heights above the ground at the first and the last point, m.
    frequency_mhz
        Frequency, MHz.
    k_factor
        Effective Earth radius factor (4/3 for the standard radio atmosphere).
    empirical_correction
        Apply the ITU-R three-edge correction ``T (... + C)`` above.

    Returns
    -------
    float
        Excess loss over free space, dB (>= 0). NaN when any input is NaN or infinite,
        or the profile has fewer than two points. Raises ``ValueError`` when distances do not
        increase.

    Examples
    --------
    >>> import numpy as np
    >>> from coverage.physics.diffraction import deygout_loss_db
    >>> d = np.array([0.0, 5000.0, 10000.0])
    >>> h = np.array([0.0, 30.0, 0.0])
    >>> round(float(deygout_loss_db(d, h, 30.0, 1.5, 900.0)), 1)
    12.4
    """
    x_m, z_m, wavelength = _effective_profile(
        distances_m, heights_m, h_tx_m, h_rx_m, frequency_mhz, k_factor
    )
    if math.isnan(wavelength):
        return np.nan
    last = x_m.size - 1
    principal, v_principal = _highest_edge(x_m, z_m, 0, last, wavelength)
    if principal < 0 or v_principal <= -0.78:
        return 0.0
    loss_principal = knife_edge_loss_db(v_principal)
    secondary = 0.0
    edge, v_edge = _highest_edge(x_m, z_m, 0, principal, wavelength)
    if edge >= 0:
        secondary += knife_edge_loss_db(v_edge)
    edge, v_edge = _highest_edge(x_m, z_m, principal, last, wavelength)
    if edge >= 0:
        secondary += knife_edge_loss_db(v_edge)
    if not empirical_correction:
        return loss_principal + secondary
    weight = 1.0 - math.exp(-loss_principal / 6.0)
    return loss_principal + weight * (secondary + 10.0 + 0.04 * x_m[last] / 1000.0)


@numba.njit(cache=True)
def bullington_loss_db(
    distances_m,
    heights_m,
    h_tx_m,
    h_rx_m,
    frequency_mhz,
    k_factor=K_FACTOR,
    empirical_correction=False,
):
    """Diffraction loss of a terrain profile by the Bullington construction, dB.

    ITU-R P.526-15 §4.5.1 (identical to P.452-16 §4.2.1, eqs. (14)-(22)), in metres.
    With ``z_i`` the ground height plus Earth bulge ``x_i (D - x_i) / (2 k R)`` and
    ``z_t``, ``z_r`` the antenna heights above the datum:

    * ``S_tim = max_i (z_i - z_t) / x_i`` (steepest slope from Tx to a point),
      ``S_tr = (z_r - z_t) / D``.
    * Line of sight (``S_tim < S_tr``): ``v_max = max_i [z_i - (z_t (D - x_i) + z_r
      x_i) / D] sqrt(2 D / (lambda x_i (D - x_i)))``, ``L_uc = J(v_max)``.
    * Otherwise ``S_rim = max_i (z_i - z_r) / (D - x_i)``; the Bullington point is at
      ``d_b = (z_r - z_t + S_rim D) / (S_tim + S_rim)`` and
      ``v_b = [z_t + S_tim d_b - (z_t (D - d_b) + z_r d_b) / D]
      sqrt(2 D / (lambda d_b (D - d_b)))``, ``L_uc = J(v_b)``.

    With ``empirical_correction=True`` the P.526/P.452 final step is applied::

        L_b = L_uc + [1 - exp(-L_uc / 6)] (10 + 0.02 D_km)

    otherwise ``L_uc`` is returned, so that a single knife edge gives exactly ``J(v)``
    (and the same value as :func:`deygout_loss_db`).

    Parameters
    ----------
    distances_m, heights_m, h_tx_m, h_rx_m, frequency_mhz, k_factor
        As for :func:`deygout_loss_db`.
    empirical_correction
        Add the P.526 term ``[1 - exp(-L_uc/6)] (10 + 0.02 D_km)``.

    Returns
    -------
    float
        Excess loss over free space, dB (>= 0), with NaN and ``ValueError`` as for
        :func:`deygout_loss_db`.

    Examples
    --------
    Two ridges: Bullington replaces them by one equivalent edge, Deygout adds them up.

    >>> import numpy as np
    >>> from coverage.physics.diffraction import bullington_loss_db, deygout_loss_db
    >>> d, h = np.array([0.0, 3000.0, 7000.0, 10000.0]), np.array([0.0, 40.0, 35.0, 0.0])
    >>> round(float(bullington_loss_db(d, h, 30.0, 1.5, 900.0)), 1)
    18.5
    >>> round(float(deygout_loss_db(d, h, 30.0, 1.5, 900.0)), 1)
    26.6
    """
    x_m, z_m, wavelength = _effective_profile(
        distances_m, heights_m, h_tx_m, h_rx_m, frequency_mhz, k_factor
    )
    if math.isnan(wavelength):
        return np.nan
    last = x_m.size - 1
    if last < 2:
        return 0.0
    total = x_m[last]
    z_t = z_m[0]
    z_r = z_m[last]
    slope_tx = -np.inf
    for i in range(1, last):
        slope_tx = max(slope_tx, (z_m[i] - z_t) / x_m[i])
    slope_tr = (z_r - z_t) / total
    slope_rx = -np.inf
    if slope_tx >= slope_tr:
        for i in range(1, last):
            slope_rx = max(slope_rx, (z_m[i] - z_r) / (total - x_m[i]))
    if slope_tx < slope_tr or slope_tx + slope_rx <= 0.0:
        # Case 1, line of sight (or grazing, where the case-2 point is 0/0)
        v = -np.inf
        for i in range(1, last):
            x = x_m[i]
            clearance = z_m[i] - (z_t * (total - x) + z_r * x) / total
            v = max(v, clearance * math.sqrt(2.0 * total / (wavelength * x * (total - x))))
    else:
        d_b = (z_r - z_t + slope_rx * total) / (slope_tx + slope_rx)
        d_b = min(max(d_b, 1e-9 * total), total * (1.0 - 1e-9))
        height = z_t + slope_tx * d_b - (z_t * (total - d_b) + z_r * d_b) / total
        v = height * math.sqrt(2.0 * total / (wavelength * d_b * (total - d_b)))
    loss = knife_edge_loss_db(v)
    if empirical_correction:
        loss += (1.0 - math.exp(-loss / 6.0)) * (10.0 + 0.02 * total / 1000.0)
    return loss
