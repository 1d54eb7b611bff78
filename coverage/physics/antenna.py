"""Sector antenna radiation pattern: gain relative to boresight, in dB.

Pure physics: angles in degrees in, dB out. The pattern is the parabolic model of
3GPP TR 36.814 (Table A.2.1.1-2) and TR 38.901 (Table 7.3-1), the one every
system-level simulator uses for macro sectors.
"""

from __future__ import annotations

import math

import numba

__all__ = ["antenna_gain_db"]


@numba.vectorize(
    ["float64(float64, float64, float64, float64, float64, float64)"],
    cache=True,
)
def antenna_gain_db(
    azimuth_offset_deg,
    elevation_offset_deg,
    beamwidth_h_deg,
    beamwidth_v_deg,
    front_to_back_db,
    sidelobe_db,
):  # pragma: no cover - compiled
    """Gain of a parabolic sector pattern relative to boresight (0 dB at boresight).

    3GPP TR 36.814 V9.2.0 Table A.2.1.1-2 (and TR 38.901 V17 Table 7.3-1)::

        A_H(phi)   = -min(12 (phi / phi_3dB)^2, A_m)
        A_V(theta) = -min(12 ((theta - theta_tilt) / theta_3dB)^2, SLA_v)
        A(phi, theta) = -min(-(A_H + A_V), A_m)

    Parameters
    ----------
    azimuth_offset_deg
        Horizontal angle between the direction to the receiver and the antenna azimuth,
        degrees; any value, wrapped to [-180, 180).
    elevation_offset_deg
        ``theta - theta_tilt``: elevation angle of the receiver seen from the antenna
        minus the antenna's (electrical plus mechanical) downtilt elevation, degrees.
        With downtilt counted positive downward and elevation positive upward, pass
        ``elevation + downtilt``.
    beamwidth_h_deg
        Horizontal half-power (3 dB) beamwidth ``phi_3dB``, degrees (3GPP: 65 or 70).
        NaN or >= 360 means omnidirectional: the horizontal term is 0 dB.
    beamwidth_v_deg
        Vertical half-power beamwidth ``theta_3dB``, degrees (3GPP TR 36.814: 10).
        NaN means no vertical pattern: the vertical term is 0 dB.
    front_to_back_db
        ``A_m``, the front-to-back ratio and overall floor, dB, positive (3GPP: 25 or 30).
    sidelobe_db
        ``SLA_v``, the vertical side-lobe level, dB, positive (3GPP: 20 or 30).

    Returns
    -------
    float
        Gain relative to the boresight gain, dB: 0 at boresight, -3 at half the
        beamwidth off axis, never below ``-front_to_back_db``. NaN when an angle, or a
        parameter the pattern needs, is NaN, a beamwidth is not positive, or a level
        is negative.

    Examples
    --------
    >>> from coverage.physics.antenna import antenna_gain_db
    >>> float(antenna_gain_db(32.5, 0.0, 65.0, 10.0, 30.0, 30.0))
    -3.0
    >>> float(antenna_gain_db(180.0, 0.0, 65.0, 10.0, 30.0, 30.0))
    -30.0
    """
    # Only NaN-free values meet an ordered comparison (see coverage.physics.free_space.finite_or).
    bad = (
        math.isnan(azimuth_offset_deg)
        or math.isinf(azimuth_offset_deg)
        or math.isnan(elevation_offset_deg)
        or math.isnan(front_to_back_db)
    )
    azimuth = 0.0 if bad else azimuth_offset_deg
    floor_db = 0.0 if math.isnan(front_to_back_db) else front_to_back_db
    bad = bad or floor_db < 0.0
    horizontal_db = 0.0
    beamwidth_h = 360.0 if math.isnan(beamwidth_h_deg) else beamwidth_h_deg
    bad = bad or beamwidth_h <= 0.0
    if 0.0 < beamwidth_h < 360.0:
        phi = (azimuth + 180.0) % 360.0 - 180.0
        ratio = min(abs(phi) / beamwidth_h, 1e6)  # capped: no overflow on tiny beams
        horizontal_db = -min(12.0 * ratio * ratio, floor_db)
    vertical_db = 0.0
    if not math.isnan(beamwidth_v_deg):
        sidelobe = 0.0 if math.isnan(sidelobe_db) else sidelobe_db
        bad = bad or math.isnan(sidelobe_db) or beamwidth_v_deg <= 0.0 or sidelobe < 0.0
        elevation = 0.0 if math.isnan(elevation_offset_deg) else elevation_offset_deg
        beamwidth_v = beamwidth_v_deg if beamwidth_v_deg > 0.0 else 1.0
        ratio = min(abs(elevation) / beamwidth_v, 1e6)
        vertical_db = -min(12.0 * ratio * ratio, sidelobe)
    gain = -min(-(horizontal_db + vertical_db), floor_db)
    return math.nan if bad else gain
