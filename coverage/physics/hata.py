"""Okumura-Hata and COST-231 median path loss, with their environment codes.

Empirical models for land mobile radio (Hata 1980, COST 231 Final Report 1999): a median
loss from distance, frequency and the two antenna heights, with no terrain profile.
Their published validity ranges live in :mod:`coverage.physics.ranges`. Conventions
(units, NaN in NaN out, the 1 m clamp) are those of :mod:`coverage.physics.free_space`.
"""

from __future__ import annotations

import math

import numba

from coverage.physics.free_space import MIN_DISTANCE_M, finite_or, is_finite

__all__ = ["METROPOLITAN", "OPEN", "SUBURBAN", "URBAN", "hata_loss_db"]

# Environment codes of :func:`hata_loss_db`.
URBAN = 0
SUBURBAN = 1
OPEN = 2
METROPOLITAN = 3


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
    >>> from coverage.physics.hata import hata_loss_db
    >>> round(float(hata_loss_db(10_000.0, 900.0, 30.0, 1.5, 0)), 1)
    161.6
    """
    frequency = finite_or(frequency_mhz, -1.0)
    base_height = finite_or(base_height_m, -1.0)
    mobile_height = finite_or(mobile_height_m, -1.0)
    bad = (
        not is_finite(distance_m)
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
    distance = max(finite_or(distance_m, MIN_DISTANCE_M), MIN_DISTANCE_M)
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
