"""Path-loss physics: metres, MHz and degrees in, dB out.

No geometry, no files, no rasters. Every function here is compiled with numba and can
be called both from Python (on scalars or numpy arrays, with broadcasting) and from
inside ``numba.njit`` code with float scalars, so the terrain-walking kernels in
:mod:`coverage.engine` use exactly the formulas tested here.

Each formula cites its source; ``tests/test_propagation.py`` checks it against the
source's own published numbers.

Conventions
-----------
* Distances in metres, frequencies in MHz, heights in metres, losses in dB (positive
  is loss).
* NaN in, NaN out: a NaN distance, height or frequency never yields a finite loss.
* Distances below 1 m are clamped to 1 m (the far-field formulas are meaningless
  closer than that); that keeps a receiver in the tower's own cell finite.
"""

from __future__ import annotations

import math

import numba

from coverage.antenna import antenna_gain_db

__all__ = [
    "MIN_DISTANCE_M",
    "SPEED_OF_LIGHT_M_S",
    "antenna_gain_db",
    "fresnel_v",
    "free_space_loss_db",
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


@numba.vectorize(["float64(float64)"], cache=True)
def wavelength_m(frequency_mhz):  # pragma: no cover - compiled
    """Free-space wavelength, m: ``c / f``.

    Examples
    --------
    >>> from coverage.propagation import wavelength_m
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
        Loss, dB; NaN when an input is NaN.

    Examples
    --------
    >>> from coverage.propagation import free_space_loss_db
    >>> round(float(free_space_loss_db(1000.0, 900.0)), 2)
    91.53
    """
    if math.isnan(distance_m) or math.isnan(frequency_mhz):
        return math.nan
    if distance_m < MIN_DISTANCE_M:
        distance_m = MIN_DISTANCE_M
    # 20 log10(4 pi d f / c) with d in m, f in Hz
    return 20.0 * math.log10(4.0 * math.pi * distance_m * frequency_mhz * 1e6 / SPEED_OF_LIGHT_M_S)


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
    >>> from coverage.propagation import knife_edge_loss_db
    >>> round(float(knife_edge_loss_db(0.0)), 2)
    6.03
    """
    if math.isnan(v):
        return math.nan
    if v <= -0.78:
        return 0.0
    shifted = v - 0.1
    return 6.9 + 20.0 * math.log10(math.sqrt(shifted * shifted + 1.0) + shifted)


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
        ``v``; NaN when an input is NaN or a distance is not positive.

    Examples
    --------
    >>> from coverage.propagation import fresnel_v
    >>> round(float(fresnel_v(10.0, 5000.0, 5000.0, 0.3331)), 3)
    0.49
    """
    if math.isnan(h_m) or math.isnan(d1_m) or math.isnan(d2_m) or math.isnan(wavelength_m):
        return math.nan
    if d1_m <= 0.0 or d2_m <= 0.0 or wavelength_m <= 0.0:
        return math.nan
    return h_m * math.sqrt(2.0 / wavelength_m * (1.0 / d1_m + 1.0 / d2_m))


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
    distances and heights outside the published ranges (:data:`HATA_RANGE`,
    :data:`COST231_RANGE`) are still evaluated (extrapolated): use
    :func:`check_model_range` or :func:`hata_validity_flags` to know.

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
        Median loss, dB; NaN when an input is NaN, a height or frequency is not
        positive, or the environment code is unknown.

    Examples
    --------
    >>> from coverage.propagation import hata_loss_db
    >>> round(float(hata_loss_db(10_000.0, 900.0, 30.0, 1.5, 0)), 1)
    161.6
    """
    if (
        math.isnan(distance_m)
        or math.isnan(frequency_mhz)
        or math.isnan(base_height_m)
        or math.isnan(mobile_height_m)
    ):
        return math.nan
    if frequency_mhz <= 0.0 or base_height_m <= 0.0 or mobile_height_m <= 0.0:
        return math.nan
    if environment < 0 or environment > 3:
        return math.nan
    if distance_m < MIN_DISTANCE_M:
        distance_m = MIN_DISTANCE_M
    log_f = math.log10(frequency_mhz)
    log_hb = math.log10(base_height_m)
    log_d = math.log10(distance_m / 1000.0)
    large_city = environment == METROPOLITAN
    a_hm = _hata_mobile_correction_db(frequency_mhz, mobile_height_m, large_city)
    if frequency_mhz <= 1500.0:
        loss = 69.55 + 26.16 * log_f - 13.82 * log_hb - a_hm + (44.9 - 6.55 * log_hb) * log_d
        if environment == SUBURBAN:
            loss -= 2.0 * math.log10(frequency_mhz / 28.0) ** 2 + 5.4
    else:
        c_m = 3.0 if large_city else 0.0
        loss = 46.3 + 33.9 * log_f - 13.82 * log_hb - a_hm + (44.9 - 6.55 * log_hb) * log_d + c_m
    if environment == OPEN:
        loss -= 4.78 * log_f * log_f - 18.33 * log_f + 40.94
    return loss
