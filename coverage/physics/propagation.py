"""Path-loss physics: metres, MHz and degrees in, dB out.

No geometry, no files, no rasters. Every function here is compiled with numba and can
be called both from Python (on scalars or numpy arrays, with broadcasting) and from
inside ``numba.njit`` code with float scalars, so the terrain-walking kernels in
:mod:`coverage.radial.path_loss` use exactly the formulas tested here.

Each formula cites its source; ``tests/test_propagation.py`` checks it against the
source's own published numbers.

Conventions
-----------
* Distances in metres, frequencies in MHz, heights in metres, losses in dB (positive
  is loss).
* NaN in, NaN out: a NaN distance, height or frequency never yields a finite loss.
* Distances below 1 m are clamped to 1 m (the far-field formulas are meaningless
  closer than that); that keeps a receiver in the tower's own cell finite.

Beside this module: the published validity ranges of the empirical models in
:mod:`coverage.physics.ranges`, and the receiver side (coverage thresholds, which
power an EIRP means) in :mod:`coverage.physics.receiver`.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from coverage.errors import ModelRangeError

__all__ = [
    "CLUTTER_HEIGHT_M",
    "EARTH_RADIUS_M",
    "METROPOLITAN",
    "MIN_DISTANCE_M",
    "OPEN",
    "SPEED_OF_LIGHT_M_S",
    "SUBURBAN",
    "URBAN",
    "bullington_loss_db",
    "clutter_loss_db",
    "deygout_loss_db",
    "free_space_loss_db",
    "fresnel_v",
    "hata_loss_db",
    "knife_edge_loss_db",
    "wavelength_m",
]

SPEED_OF_LIGHT_M_S = 299_792_458.0
"""Speed of light in vacuum, m/s."""

MIN_DISTANCE_M = 1.0
"""Distances below this are clamped to it by the distance-based models, m."""

# Environment codes of :func:`hata_loss_db`.
URBAN = 0
SUBURBAN = 1
OPEN = 2
METROPOLITAN = 3


@numba.njit(cache=True)
def _clean(value, fallback):
    """``value``, or ``fallback`` when it is NaN or infinite.

    The ufuncs below compare only cleaned values: an ordered comparison that meets a
    NaN raises the FP "invalid" flag (numpy then warns), and LLVM may evaluate a
    comparison before the NaN check that guards it.
    """
    return fallback if (math.isnan(value) or math.isinf(value)) else value


@numba.njit(cache=True)
def _finite(value):
    """Neither NaN nor infinite (quiet tests only: no FP-invalid flag)."""
    return not (math.isnan(value) or math.isinf(value))


@numba.vectorize(["float64(float64)"], cache=True)
def wavelength_m(frequency_mhz):  # pragma: no cover - compiled
    """Free-space wavelength, m: ``c / f``.

    Examples
    --------
    >>> from coverage.physics.propagation import wavelength_m
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
    >>> from coverage.physics.propagation import free_space_loss_db
    >>> round(float(free_space_loss_db(1000.0, 900.0)), 2)
    91.53
    """
    distance = max(_clean(distance_m, MIN_DISTANCE_M), MIN_DISTANCE_M)
    frequency = _clean(frequency_mhz, -1.0)
    bad = math.isnan(distance_m) or frequency <= 0.0
    frequency = frequency if frequency > 0.0 else 1.0
    # 20 log10(4 pi d f / c) with d in m, f in Hz
    loss = 20.0 * math.log10(4.0 * math.pi * distance * frequency * 1e6 / SPEED_OF_LIGHT_M_S)
    return math.nan if bad else loss


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
    >>> from coverage.physics.propagation import knife_edge_loss_db
    >>> round(float(knife_edge_loss_db(0.0)), 2)
    6.03
    """
    clean_v = _clean(v, 0.0)
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
        Wavelength, m (see :func:`wavelength_m`).

    Returns
    -------
    float
        ``v``; NaN when an input is NaN or infinite, or a distance is not positive.

    Examples
    --------
    >>> from coverage.physics.propagation import fresnel_v
    >>> round(float(fresnel_v(10.0, 5000.0, 5000.0, 0.3331)), 3)
    0.49
    """
    d1 = _clean(d1_m, -1.0)
    d2 = _clean(d2_m, -1.0)
    lam = _clean(wavelength_m, -1.0)
    bad = not (_finite(h_m) and _finite(d1_m) and _finite(d2_m)) or d1 <= 0.0 or d2 <= 0.0
    bad = bad or lam <= 0.0
    d1 = d1 if d1 > 0.0 else 1.0
    d2 = d2 if d2 > 0.0 else 1.0
    lam = lam if lam > 0.0 else 1.0
    v = _clean(h_m, 0.0) * math.sqrt(2.0 / lam * (1.0 / d1 + 1.0 / d2))
    return math.nan if bad else v


@numba.njit(cache=True)
def _hata_mobile_correction_db(frequency_mhz, mobile_height_m, large_city):
    """``a(h_m)`` of Hata (1980), eqs. (4a), (4b) and (4c), dB."""
    log_f = math.log10(frequency_mhz)
    if large_city:
        if frequency_mhz <= 300.0:
            return 8.29 * math.log10(1.54 * mobile_height_m) ** 2 - 1.1  # eq. (4b)
        return 3.2 * math.log10(11.75 * mobile_height_m) ** 2 - 4.97  # eq. (4c)
    return (1.1 * log_f - 0.7) * mobile_height_m - (1.56 * log_f - 0.8)  # eq. (4a)


@numba.vectorize(["float64(float64, float64, float64, float64, int64)"], cache=True)
def hata_loss_db(
    distance_m, frequency_mhz, base_height_m, mobile_height_m, environment
):  # pragma: no cover - compiled
    """Median path loss of the Okumura-Hata model, with COST-231 above 1500 MHz, dB.

    Up to 1500 MHz: M. Hata, "Empirical formula for propagation loss in land mobile
    radio services", IEEE Trans. Veh. Technol. VT-29(3), 1980, eqs. (4)-(6)::

        L_urban = 69.55 + 26.16 log f - 13.82 log h_b - a(h_m)
                  + (44.9 - 6.55 log h_b) log d_km                     (4)
        L_suburban = L_urban - 2 (log(f / 28))^2 - 5.4                 (5)
        L_open     = L_urban - 4.78 (log f)^2 + 18.33 log f - 40.94    (6)

    Above 1500 MHz: COST 231 Final Report (1999), §4.4.1, the "COST-Hata" model::

        L = 46.3 + 33.9 log f - 13.82 log h_b - a(h_m)
            + (44.9 - 6.55 log h_b) log d_km + C_m

    with ``C_m = 0`` dB for medium-sized cities and suburban centres and 3 dB for
    metropolitan centres.

    Environment codes:

    ===  =============  ======================================  =========================
    code name           150-1500 MHz (Hata)                     1500-2000 MHz (COST-231)
    ===  =============  ======================================  =========================
    0    urban          eq. (4), small/medium city a(h_m) (4a)  C_m = 0, a(h_m) (4a)
    1    suburban       eq. (5) on the small/medium city loss   C_m = 0, a(h_m) (4a)
    2    open / rural   eq. (6) on the small/medium city loss   eq. (6) correction on C_m = 0
    3    metropolitan   eq. (4), large-city a(h_m) (4b)/(4c)    C_m = 3, large-city a(h_m)
    ===  =============  ======================================  =========================

    COST 231 defines no open-area variant; code 2 above 1500 MHz applies Hata's
    open-area correction (6) to the COST-231 value, the usual practice. Frequencies,
    distances and heights outside the published ranges
    (:data:`coverage.physics.ranges.HATA_RANGE`, ``COST231_RANGE``) are still
    evaluated (extrapolated): use :func:`check_model_range` or
    :func:`hata_validity_flags` (both in :mod:`coverage.physics.ranges`) to know.

    Parameters
    ----------
    distance_m
        Horizontal distance base-mobile, m (Hata: 1-20 km). Clamped to at least 1 m.
    frequency_mhz
        Carrier frequency, MHz (Hata: 150-1500; COST-231: 1500-2000).
    base_height_m
        Effective base-station antenna height, m (30-200).
    mobile_height_m
        Mobile antenna height above ground, m (1-10).
    environment
        Environment code, see the table above.

    Returns
    -------
    float
        Median loss, dB; NaN when an input is NaN or infinite, a height or frequency is
        not positive, or the environment code is unknown.

    Examples
    --------
    >>> from coverage.physics.propagation import hata_loss_db
    >>> round(float(hata_loss_db(10_000.0, 900.0, 30.0, 1.5, 0)), 1)
    161.6
    """
    frequency = _clean(frequency_mhz, -1.0)
    base_height = _clean(base_height_m, -1.0)
    mobile_height = _clean(mobile_height_m, -1.0)
    bad = (
        not _finite(distance_m)
        or frequency <= 0.0
        or base_height <= 0.0
        or mobile_height <= 0.0
        or environment < 0
        or environment > 3
    )
    # compute on safe stand-ins, answer NaN at the end (no FP-invalid on bad input)
    frequency = frequency if frequency > 0.0 else 900.0
    base_height = base_height if base_height > 0.0 else 30.0
    mobile_height = mobile_height if mobile_height > 0.0 else 1.5
    distance = max(_clean(distance_m, MIN_DISTANCE_M), MIN_DISTANCE_M)
    log_f = math.log10(frequency)
    log_hb = math.log10(base_height)
    log_d = math.log10(distance / 1000.0)
    large_city = environment == METROPOLITAN
    a_hm = _hata_mobile_correction_db(frequency, mobile_height, large_city)
    if frequency <= 1500.0:
        loss = 69.55 + 26.16 * log_f - 13.82 * log_hb - a_hm + (44.9 - 6.55 * log_hb) * log_d
        if environment == SUBURBAN:
            loss -= 2.0 * math.log10(frequency / 28.0) ** 2 + 5.4
    else:
        c_m = 3.0 if large_city else 0.0
        loss = 46.3 + 33.9 * log_f - 13.82 * log_hb - a_hm + (44.9 - 6.55 * log_hb) * log_d + c_m
    if environment == OPEN:
        loss -= 4.78 * log_f * log_f - 18.33 * log_f + 40.94
    return math.nan if bad else loss


# --------------------------------------------------------------------------------------
# Terrain-profile diffraction: Deygout and Bullington
# --------------------------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_000.0
"""Mean Earth radius, m; the effective radius is ``k_factor`` times this."""


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
    bad = bad or not (_finite(h_tx_m) and _finite(h_rx_m) and _finite(k_factor))
    bad = bad or _clean(k_factor, -1.0) <= 0.0 or _clean(frequency_mhz, -1.0) <= 0.0
    for i in range(min(n, heights_m.size)):
        if not (_finite(distances_m[i]) and _finite(heights_m[i])):
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
    return x_m, z_m, SPEED_OF_LIGHT_M_S / (frequency_mhz * 1e6)


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
    k_factor=4.0 / 3.0,
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
    is included by raising each point by ``d1 d2 / (2 k R)`` (effective radius
    ``k * 6371 km``), which is exact for every sub-path too.

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
    >>> from coverage.physics.propagation import deygout_loss_db
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
    k_factor=4.0 / 3.0,
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
    >>> from coverage.physics.propagation import bullington_loss_db, deygout_loss_db
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


# --------------------------------------------------------------------------------------
# Clutter at the receiver
# --------------------------------------------------------------------------------------

CLUTTER_HEIGHT_M: dict[str, float] = {
    "open": 10.0,
    "rural": 10.0,
    "suburban": 10.0,
    "urban": 15.0,
    "forest": 15.0,
    "dense_urban": 20.0,
}
"""Representative clutter heights R of ITU-R P.2108-1 §3.1, Table 2, m."""

_CLUTTER_DIFFRACTING = {"suburban", "urban", "forest", "dense_urban"}  # eq. (2a) types


def clutter_loss_db(
    clutter: str,
    *,
    frequency_mhz: float,
    antenna_height_m: float = 1.5,
    street_width_m: float = 27.0,
) -> float:
    """Extra loss of a terminal standing in clutter, dB, applied uniformly.

    ITU-R P.2108-1 §3.1 ("height gain terminal correction model", 30 MHz-3 GHz): the
    basic loss is computed to the top of the clutter (height R,
    :data:`CLUTTER_HEIGHT_M`); a terminal below R adds::

        A_h = J(nu) - 6.03                 urban, suburban, forest     (2a)
        A_h = -K_h2 log10(h / R)           open, rural                  (2b)

    with ``nu = K_nu sqrt(h_dif theta_clut)``, ``h_dif = R - h``,
    ``theta_clut = atan(h_dif / w_s)`` in degrees, ``K_nu = 0.342 sqrt(f_GHz)`` and
    ``K_h2 = 21.8 + 6.2 log10(f_GHz)``; 0 dB when ``h >= R``. Use it as a single
    uniform figure for a commune's dominant land cover (e.g. ``"forest"`` for the
    forested slopes of Lào Cai), not per pixel.

    Parameters
    ----------
    clutter
        One of :data:`CLUTTER_HEIGHT_M`.
    frequency_mhz
        Frequency, MHz (30-3000).
    antenna_height_m
        Terminal antenna height above ground, m.
    street_width_m
        ``w_s``, P.2108's default 27 m.

    Examples
    --------
    >>> from coverage.physics.propagation import clutter_loss_db
    >>> round(clutter_loss_db("forest", frequency_mhz=900.0), 1)
    22.6
    """
    if clutter not in CLUTTER_HEIGHT_M:
        raise ValueError(f"unknown clutter {clutter!r}; expected one of {sorted(CLUTTER_HEIGHT_M)}")
    if not (30.0 <= frequency_mhz <= 3000.0):
        raise ModelRangeError(
            f"ITU-R P.2108 clutter loss: frequency_mhz = {frequency_mhz:g} MHz is outside "
            "[30, 3000] MHz; pass a measured clutter figure instead."
        )
    if not antenna_height_m > 0.0:
        raise ValueError(f"antenna_height_m must be positive, got {antenna_height_m}")
    clutter_height = CLUTTER_HEIGHT_M[clutter]
    if antenna_height_m >= clutter_height:
        return 0.0
    f_ghz = frequency_mhz / 1000.0
    if clutter in _CLUTTER_DIFFRACTING:
        h_dif = clutter_height - antenna_height_m
        theta_clut = math.degrees(math.atan(h_dif / street_width_m))
        nu = 0.342 * math.sqrt(f_ghz) * math.sqrt(h_dif * theta_clut)
        return float(knife_edge_loss_db(nu)) - 6.03
    k_h2 = 21.8 + 6.2 * math.log10(f_ghz)
    return -k_h2 * math.log10(antenna_height_m / clutter_height)
