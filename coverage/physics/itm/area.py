"""Longley-Rice Irregular Terrain Model (ITM) 1.2.2, area mode.

Median-terrain predictions when no profile is known: the terrain is summarised by its
irregularity Delta h and the terminals by their siting care (Hufford, "The ITS Irregular
Terrain Model, version 1.2.2: the Algorithm", sec. 3 and 42; Hufford, Longley &
Kissick, "A Guide to the Use of the ITS Irregular Terrain Model in the Area Prediction
Mode", NTIA Report 82-100, 1982). Useful for first sizing of a cell radius before any
DEM is read. Defaults are Lào Cai's (:mod:`coverage.physics.itm.environment`), with
ITM's mobile mode of variability (:data:`AREA_ENVIRONMENT`).

Examples
--------
>>> result = itm_area_loss(10.0, delta_h_m=20.0, h_tx_m=15.0, h_rx_m=3.0,
...                        frequency_mhz=3500.0, itm=ItmEnvironment(climate=5, mdvar=1))
>>> round(result.loss_db, 1)                    # NTIA's cmd_examples/o_areatls.txt
134.5
"""

from __future__ import annotations

import dataclasses
import math

from coverage.i18n import message
from coverage.physics.itm.core import (
    AREA,
    ERR_DELTA_H,
    ERR_DISTANCE,
    ERR_NONE,
    ERR_RX_SITING,
    ERR_TX_SITING,
    MODE_NOT_SET,
    DetailTuple,
    ground_and_earth,
    input_check,
    jit,
    path_loss,
)
from coverage.physics.itm.environment import (
    ItmEnvironment,
    as_code,
    as_environment,
    raise_for_error,
)
from coverage.physics.itm.p2p import ItmResult

__all__ = ["AREA_ENVIRONMENT", "SITING_CRITERIA", "itm_area_detail", "itm_area_loss"]

AREA_ENVIRONMENT = ItmEnvironment(mdvar=2)
"""Lào Cai's environment for the area mode: mode of variability 2 (mobile), since
location variability is real when no profile is known."""

#: Siting criteria by name: how carefully a terminal was placed on high ground.
SITING_CRITERIA = {"random": 0, "careful": 1, "very_careful": 2}


@jit
def _siting_effective_height(siting: int, h_m: float, delta_h_m: float) -> float:
    """Effective height for random / careful / very careful siting [Algorithm, Eqn 3.2]."""
    if siting == 0:
        return h_m
    b = 4.0 if siting == 1 else 9.0
    if h_m < 5.0:
        b *= math.sin(0.1 * math.pi * h_m)
    return h_m + (1.0 + b) * math.exp(-min(20.0, 2.0 * h_m / max(1e-3, delta_h_m)))


@jit
def itm_area_detail(
    distance_km: float,
    delta_h_m: float,
    h_tx_m: float,
    h_rx_m: float,
    tx_siting: int,
    rx_siting: int,
    frequency_mhz: float,
    polarization: int,
    epsilon: float,
    sigma: float,
    n0: float,
    climate: int,
    mdvar: int,
    time_pct: float,
    location_pct: float,
    situation_pct: float,
) -> DetailTuple:
    """ITM area mode with its intermediate values [Algorithm, sec. 42: qlra + lrprop + avar].

    Same return layout as :func:`itm_p2p_detail`.
    """
    nan = math.nan
    warnings, error = input_check(
        h_tx_m, h_rx_m, climate, time_pct, location_pct, situation_pct, n0, frequency_mhz,
        polarization, epsilon, sigma, mdvar,
    )  # fmt: skip
    if error == ERR_NONE:
        if not distance_km > 0.0:
            error = ERR_DISTANCE
        elif not delta_h_m >= 0.0:
            error = ERR_DELTA_H
        elif tx_siting < 0 or tx_siting > 2:
            error = ERR_TX_SITING
        elif rx_siting < 0 or rx_siting > 2:
            error = ERR_RX_SITING
    if error != ERR_NONE:
        return nan, warnings, error, MODE_NOT_SET, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan

    z_g, gamma_e, n_s = ground_and_earth(frequency_mhz, 0.0, n0, polarization, epsilon, sigma)
    h_e0 = _siting_effective_height(tx_siting, h_tx_m, delta_h_m)
    h_e1 = _siting_effective_height(rx_siting, h_rx_m, delta_h_m)
    # horizon distances and angles from Delta h [Algorithm, Eqns 3.3-3.4]
    d_ls0 = math.sqrt(2.0 * h_e0 / gamma_e)
    d_ls1 = math.sqrt(2.0 * h_e1 / gamma_e)
    d_hzn0 = d_ls0 * math.exp(-0.07 * math.sqrt(delta_h_m / max(h_e0, 5.0)))
    d_hzn1 = d_ls1 * math.exp(-0.07 * math.sqrt(delta_h_m / max(h_e1, 5.0)))
    theta0 = (0.65 * delta_h_m * (d_ls0 / d_hzn0 - 1.0) - 2.0 * h_e0) / d_ls0
    theta1 = (0.65 * delta_h_m * (d_ls1 / d_hzn1 - 1.0) - 2.0 * h_e1) / d_ls1

    d_m = distance_km * 1000.0
    loss, lp_warnings, mode, error, a_ref, a_fs = path_loss(
        theta0, theta1, frequency_mhz, z_g, d_hzn0, d_hzn1, h_e0, h_e1, gamma_e, n_s, delta_h_m,
        h_tx_m, h_rx_m, d_m, AREA, time_pct, location_pct, situation_pct, climate, mdvar,
    )  # fmt: skip
    warnings |= lp_warnings
    return (
        loss, warnings, error, mode, a_ref, a_fs, delta_h_m, n_s, theta0, theta1, d_hzn0,
        d_hzn1, h_e0, h_e1,
    )  # fmt: skip


def itm_area_loss(
    distance_km: float,
    *,
    delta_h_m: float,
    h_tx_m: float,
    h_rx_m: float,
    frequency_mhz: float,
    tx_siting: str | int = "random",
    rx_siting: str | int = "random",
    itm: ItmEnvironment | None = None,
) -> ItmResult:
    """Basic transmission loss over median terrain, ITM 1.2.2 area mode.

    Parameters
    ----------
    distance_km
        Path length, km (> 0; ITM warns under 1 km and over 1000 km).
    delta_h_m
        Terrain irregularity parameter Delta h, m: the interdecile range of elevations
        about a straight line (ITM's guide: 0 water/flat, 30 rolling plains, 90 hills,
        200 mountains, 500 rugged mountains).
    h_tx_m, h_rx_m
        Antenna heights above the ground, m (0.5-3000 m).
    frequency_mhz
        Carrier frequency, MHz (20-20,000 MHz).
    tx_siting, rx_siting
        ``"random"``, ``"careful"`` or ``"very_careful"`` (0, 1, 2): how deliberately the
        terminal sits on high ground, raising its effective height [Algorithm, Eqn 3.2].
    itm
        ITM's environment; None (default): :data:`AREA_ENVIRONMENT`, Lào Cai's with
        mode of variability 2 (mobile), since location variability is real when no
        profile is known.

    Returns
    -------
    ItmResult

    Raises
    ------
    ModelRangeError
        An input is outside ITM's limits; the message names it and the valid range.

    Examples
    --------
    >>> mountains = itm_area_loss(40.0, delta_h_m=200.0, h_tx_m=30.0, h_rx_m=1.5,
    ...                           frequency_mhz=900.0, tx_siting="careful")
    >>> mountains.mode.name, round(mountains.loss_db, 1)
    ('DIFFRACTION', 172.0)
    """
    environment = as_environment(itm, default=AREA_ENVIRONMENT)
    valid = f"'random', 'careful', 'very_careful'{message('errors.or')}0..2"
    tx_code = as_code(tx_siting, "tx_siting", SITING_CRITERIA, valid)
    rx_code = as_code(rx_siting, "rx_siting", SITING_CRITERIA, valid)
    distance = float(distance_km)
    delta_h = float(delta_h_m)
    detail = itm_area_detail(
        distance if math.isfinite(distance) else -1.0,
        delta_h if math.isfinite(delta_h) else -1.0,
        float(h_tx_m), float(h_rx_m), tx_code, rx_code, float(frequency_mhz),
        *environment.kernel_args,
    )  # fmt: skip
    raise_for_error(
        int(detail[2]),
        {
            "distance_km": distance_km, "delta_h_m": delta_h_m, "h_tx_m": h_tx_m,
            "h_rx_m": h_rx_m, "frequency_mhz": frequency_mhz, "tx_siting": tx_siting,
            "rx_siting": rx_siting, **dataclasses.asdict(environment),
        },
    )  # fmt: skip
    return ItmResult.from_detail(detail)
