"""Clutter at the receiver: the terminal correction of ITU-R P.2108-1 §3.1.

A single uniform figure for a terminal standing among trees or buildings lower than
the clutter, added to the basic loss computed to the clutter top.
"""

from __future__ import annotations

import math

from coverage.errors import ModelRangeError
from coverage.i18n import message
from coverage.physics.diffraction import knife_edge_loss_db
from coverage.settings import RX_HEIGHT_M

__all__ = ["CLUTTER_HEIGHT_M", "clutter_loss_db"]

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
    antenna_height_m: float = RX_HEIGHT_M,
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
    >>> from coverage.physics.clutter import clutter_loss_db
    >>> round(clutter_loss_db("forest", frequency_mhz=900.0), 1)
    22.6
    """
    if clutter not in CLUTTER_HEIGHT_M:
        raise ValueError(
            message(
                "errors.physics.unknown_clutter",
                clutter=repr(clutter),
                choices=sorted(CLUTTER_HEIGHT_M),
            )
        )
    if not (30.0 <= frequency_mhz <= 3000.0):
        raise ModelRangeError(
            message("errors.physics.clutter_frequency", frequency_mhz=f"{frequency_mhz:g}")
        )
    if not antenna_height_m > 0.0:
        raise ValueError(
            message("errors.physics.antenna_height", antenna_height_m=antenna_height_m)
        )
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
