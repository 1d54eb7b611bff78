"""Longley-Rice Irregular Terrain Model (ITM) 1.2.2, point-to-point mode.

Basic transmission loss over a terrain profile, from G. A. Hufford, "The ITS Irregular
Terrain Model, version 1.2.2: the Algorithm" (NTIA/ITS) and Hufford, Longley & Kissick,
NTIA Report 82-100 (1982); it reproduces NTIA's reference implementation
(github.com/NTIA/itm), warning flags included. The shared physics lives in
:mod:`coverage.physics.itm.core`, the area mode in :mod:`coverage.physics.itm.area`.

Two doors:

- :func:`itm_p2p_loss`, for Python callers: validates every input against ITM's own
  limits and raises :class:`~coverage.errors.ModelRangeError` naming the parameter and
  its valid range; returns an :class:`ItmResult`.
- :func:`itm_p2p_point`, the numba kernel for numba callers walking radials over a DEM:
  ``(elevations float64[:], step_m, ...scalars) -> (loss_db, warnings)``, NaN loss on an
  ITM error, about 0.01 ms for a 668-sample (20 km at 30 m) profile
  (``benchmarks/bench_itm_point.py``).

A terrain profile is the array of ``n + 1`` ground elevations (m above sea level) every
``step_m`` metres from the transmitter (index 0) to the receiver (index ``n``): ITM's
"pfl" array ``[n, step_m, *elevations]`` without its two-number header.

Environment
-----------
Polarization, ground, refractivity, climate, variability and quantiles travel together
as one :class:`~coverage.physics.itm.environment.ItmEnvironment`, whose defaults are
Lào Cai's (documented and sourced in :mod:`coverage.physics.itm.environment`).

Examples
--------
>>> import numpy as np
>>> flat = np.full(334, 400.0)                 # 10 km at 30 m steps, 400 m a.s.l.
>>> ridge = flat + 300.0 * np.exp(-(((np.arange(334) - 160) / 25.0) ** 2))
>>> over_flat = itm_p2p_loss(flat, 30.0, h_tx_m=30.0, h_rx_m=1.5, frequency_mhz=900.0)
>>> over_ridge = itm_p2p_loss(ridge, 30.0, h_tx_m=30.0, h_rx_m=1.5, frequency_mhz=900.0)
>>> round(over_flat.loss_db, 1), round(over_ridge.loss_db, 1)   # a 300 m ridge costs ~54 dB
(127.5, 181.2)
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from enum import IntEnum, IntFlag

import numpy as np
import numpy.typing as npt

from coverage.errors import ModelRangeError, TerrainError
from coverage.i18n import message
from coverage.physics.itm.core import (
    ERR_NONE,
    ERR_PROFILE,
    MODE_NOT_SET,
    P2P,
    DetailTuple,
    dim,
    ground_and_earth,
    input_check,
    jit,
    path_loss,
)
from coverage.physics.itm.environment import ItmEnvironment, as_environment, raise_for_error
from coverage.physics.itm.fast import (
    DELTA_H_SAMPLES,
    least_squares_fit,
    resample_window,
    window_moments,
    window_sum,
)

__all__ = [
    "DELTA_H_SCRATCH",
    "ItmResult",
    "ItmWarning",
    "PropagationMode",
    "itm_p2p_detail",
    "itm_p2p_loss",
    "itm_p2p_point",
]


class ItmWarning(IntFlag):
    """ITM's warning flags, with NTIA's bit values (its ``Warnings.h``)."""

    NONE = 0
    TX_TERMINAL_HEIGHT = 0x0001  # TX height outside 1-1000 m
    RX_TERMINAL_HEIGHT = 0x0002  # RX height outside 1-1000 m
    FREQUENCY = 0x0004  # frequency outside 40-10,000 MHz
    PATH_DISTANCE_TOO_BIG_1 = 0x0008  # path over 1000 km
    PATH_DISTANCE_TOO_BIG_2 = 0x0010  # path over 2000 km
    PATH_DISTANCE_TOO_SMALL_1 = 0x0020  # path shorter than |h_e,tx - h_e,rx| / 0.2
    PATH_DISTANCE_TOO_SMALL_2 = 0x0040  # path shorter than 1 km
    TX_HORIZON_ANGLE = 0x0080  # TX horizon angle over 200 mrad: small angles break down
    RX_HORIZON_ANGLE = 0x0100
    TX_HORIZON_DISTANCE_1 = 0x0200  # TX horizon nearer than 0.1 x smooth-earth horizon
    RX_HORIZON_DISTANCE_1 = 0x0400
    TX_HORIZON_DISTANCE_2 = 0x0800  # TX horizon beyond 3 x smooth-earth horizon
    RX_HORIZON_DISTANCE_2 = 0x1000
    EXTREME_VARIABILITIES = 0x2000  # a quantile beyond 3.1 standard deviations
    SURFACE_REFRACTIVITY = 0x4000  # N_s below 250 N-units


class PropagationMode(IntEnum):
    """Which branch of ITM produced the reference attenuation."""

    NOT_SET = 0
    LINE_OF_SIGHT = 1
    DIFFRACTION = 2
    TROPOSCATTER = 3


@dataclass(frozen=True)
class ItmResult:
    """One ITM prediction.

    Attributes
    ----------
    loss_db
        Basic transmission loss at the requested time/location/situation quantiles, dB.
    warnings
        ITM's warning flags (zero when every input is comfortably inside its range).
    mode
        Line of sight, diffraction or troposcatter.
    free_space_loss_db
        Free-space loss over the same distance, dB.
    reference_attenuation_db
        Median attenuation relative to free space before variability, dB.
    delta_h_m
        Terrain irregularity parameter Delta h, m.
    surface_refractivity_n
        N_s after scaling N_0 to the path elevation, N-units.
    horizon_angles_rad, horizon_distances_m, effective_heights_m
        (transmitter, receiver) pairs.
    """

    loss_db: float
    warnings: ItmWarning
    mode: PropagationMode
    free_space_loss_db: float
    reference_attenuation_db: float
    delta_h_m: float
    surface_refractivity_n: float
    horizon_angles_rad: tuple[float, float]
    horizon_distances_m: tuple[float, float]
    effective_heights_m: tuple[float, float]

    @classmethod
    def from_detail(cls, detail: DetailTuple) -> ItmResult:
        """Build from the tuple of :func:`itm_p2p_detail` or ``itm_area_detail``."""
        (loss, warnings, _error, mode, a_ref, a_fs, delta_h, n_s, theta0, theta1) = detail[:10]
        d_hzn0, d_hzn1, h_e0, h_e1 = detail[10:]
        return cls(
            loss_db=float(loss),
            warnings=ItmWarning(int(warnings)),
            mode=PropagationMode(int(mode)),
            free_space_loss_db=float(a_fs),
            reference_attenuation_db=float(a_ref),
            delta_h_m=float(delta_h),
            surface_refractivity_n=float(n_s),
            horizon_angles_rad=(float(theta0), float(theta1)),
            horizon_distances_m=(float(d_hzn0), float(d_hzn1)),
            effective_heights_m=(float(h_e0), float(h_e1)),
        )


# --------------------------------------------------------------------------- profile analysis


@jit
def _find_horizons(
    z: np.ndarray, step_m: float, a_e_m: float, h0: float, h1: float
) -> tuple[float, float, float, float]:
    """Horizon elevation angles and distances of both terminals [Algorithm, sec. 47: hzns].

    Returns ``(theta_tx, theta_rx, d_hzn_tx_m, d_hzn_rx_m)``.
    """
    n = z.shape[0] - 1
    d = n * step_m
    z_tx = z[0] + h0
    z_rx = z[n] + h1
    half_inv_a = 1.0 / (2.0 * a_e_m)
    theta_tx = (z_rx - z_tx) / d - d * half_inv_a
    theta_rx = -(z_rx - z_tx) / d - d * half_inv_a
    d_hzn_tx = d
    d_hzn_rx = d
    d_tx = 0.0
    d_rx = d
    for i in range(1, n):
        d_tx += step_m
        d_rx -= step_m
        t_tx = (z[i] - z_tx) / d_tx - d_tx * half_inv_a
        t_rx = -(z_rx - z[i]) / d_rx - d_rx * half_inv_a
        if t_tx > theta_tx:
            theta_tx = t_tx
            d_hzn_tx = d_tx
        if t_rx > theta_rx:
            theta_rx = t_rx
            d_hzn_rx = d_rx
    return theta_tx, theta_rx, d_hzn_tx, d_hzn_rx


@jit
def _least_squares_fit(
    z: np.ndarray, n: int, step: float, d_start: float, d_end: float
) -> tuple[float, float]:
    """ITM's ``zlsq1`` in NTIA's order [sec. 53] (:func:`~coverage.physics.itm.fast.least_squares_fit`)."""
    return least_squares_fit(z, n, step, d_start, d_end, False)


@jit
def _select(values: np.ndarray, left: int, right: int, k: int) -> float:
    """The ``k``-th smallest of ``values[left:right + 1]`` (0-based, in place).

    Hoare's quickselect with a median-of-three pivot: afterwards ``values[k]`` holds
    the answer, everything in ``values[left:k]`` is no larger and everything in
    ``values[k + 1:right + 1]`` no smaller. Expected linear time, no allocation.
    """
    while right > left:
        middle = (left + right) // 2
        a, b, c = values[left], values[middle], values[right]
        if a > b:
            a, b = b, a
        if b > c:
            b = c
            if a > b:
                b = a
        pivot = b
        i = left
        j = right
        while i <= j:
            while values[i] < pivot:
                i += 1
            while values[j] > pivot:
                j -= 1
            if i <= j:
                values[i], values[j] = values[j], values[i]
                i += 1
                j -= 1
        if k <= j:
            right = j
        elif k >= i:
            left = i
        else:
            break
    return values[k]


_DELTA_H_SAMPLES = DELTA_H_SAMPLES

#: Length of the float64 work array the kernels need (Delta h's samples, then the
#: candidates of its two order statistics).
DELTA_H_SCRATCH = 3 * _DELTA_H_SAMPLES

_RANK_LIMIT = 48  # up to this many candidates, ranks are counted; beyond, quickselect


@jit
def _kth_largest_by_rank(values: np.ndarray, count: int, k: int) -> float:
    """The ``k``-th largest of ``values[:count]`` (1-based), found by counting ranks.

    Each value's rank is the number of values above it, ties broken by position, so
    ranks are 0 .. count - 1 and exactly one value has rank ``k - 1``. Quadratic but
    branch-free and without data movement: faster than quickselect on the few dozen
    candidates :func:`_tail_order_statistics` leaves.
    """
    for i in range(count):
        value = values[i]
        rank = 0
        for j in range(count):
            other = values[j]
            rank += (other > value) | ((other == value) & (j < i))
        if rank == k - 1:
            return value
    return math.nan  # unreachable: some value has rank k - 1 when 1 <= k <= count


@jit
def _tail_order_statistics(
    values: np.ndarray, count: int, k: int, work: np.ndarray, fast: bool = False
) -> tuple[float, float]:
    """The ``k``-th largest and the ``k``-th smallest of ``values[:count]``.

    Exact order statistics, as a full sort would give them, found faster than two
    quickselects over the whole array: one branch-free pass copies the values above
    mean + 1 standard deviation (about 16 % of them for a normal distribution, so
    usually at least ``k`` when ``k`` is about a tenth) to ``work[:count]`` and the
    negated values below mean - 1 standard deviation to ``work[count:2 * count]``, and
    each answer is selected among those few. Whenever fewer than ``k`` values lie
    beyond the guess, the selection runs over the whole array (``values`` is then
    reordered). ``work`` holds at least ``2 * count`` elements. ``fast``: the moments
    summed in :func:`coverage.physics.itm.fast.window_moments`'s order.
    """
    if fast:
        total, squares = window_moments(values, count)
    else:
        total = 0.0
        squares = 0.0
        for j in range(count):
            total += values[j]
            squares += values[j] * values[j]
    mean = total / count
    spread = math.sqrt(max(squares / count - mean * mean, 0.0))
    high = mean + spread
    low = mean - spread
    n_above = 0
    n_below = 0
    for j in range(count):
        value = values[j]
        work[n_above] = value
        n_above += value > high
        work[count + n_below] = -value
        n_below += value < low
    above = work[:n_above]
    below = work[count : count + n_below]
    if n_above < k:
        largest = _select(values, 0, count - 1, count - k)
    elif n_above <= _RANK_LIMIT:
        largest = _kth_largest_by_rank(above, n_above, k)
    else:
        largest = _select(above, 0, n_above - 1, n_above - k)
    if n_below < k:
        smallest = _select(values, 0, count - 1, k - 1)
    elif n_below <= _RANK_LIMIT:
        smallest = -_kth_largest_by_rank(below, n_below, k)
    else:
        smallest = -_select(below, 0, n_below - 1, n_below - k)
    return largest, smallest


@jit
def _delta_h(
    z: np.ndarray,
    step_m: float,
    d_start_m: float,
    d_end_m: float,
    scratch: np.ndarray,
    fast: bool = False,
) -> float:
    """Terrain irregularity Delta h between two distances [Algorithm, sec. 46: dlthx].

    The window is resampled to at most 245 points (into ``scratch``, at least
    :data:`DELTA_H_SCRATCH` long, which also holds the work of the order statistics),
    detrended by a least-squares line, and the 10-90 %
    interdecile range of the residuals is scaled up to an infinite path
    [ERL 79-ITS 67, Eqn 3, inverted]. ``fast``: sums and detrending in the order of
    :mod:`coverage.physics.itm.fast` (the same up to rounding).
    """
    samples = scratch
    n_s, p10 = resample_window(z, step_m, d_start_m, d_end_m, samples, fast)
    if n_s == 0:
        return 0.0
    np_s = float(n_s - 1)
    fit_y1, fit_y2 = least_squares_fit(samples, n_s - 1, 1.0, 0.0, np_s, fast)
    slope = (fit_y2 - fit_y1) / np_s
    if fast:
        for j in range(n_s):
            samples[j] -= fit_y1 + j * slope
    else:
        for j in range(n_s):
            samples[j] -= fit_y1
            fit_y1 += slope
    # ITM sorts and reads the p10-th largest and the (p90 + 1)-th largest residual,
    # p90 = n_s - p10: the p10-th largest and the p10-th smallest; selecting both
    # gives the same order statistics
    q10, q90 = _tail_order_statistics(samples, n_s, p10, scratch[_DELTA_H_SAMPLES:], fast)
    return (q10 - q90) / (1.0 - 0.8 * math.exp(-(d_end_m - d_start_m) / 50e3))


@jit
def _profile_parameters(
    z: np.ndarray,
    step_m: float,
    gamma_e: float,
    h0: float,
    h1: float,
    scratch: np.ndarray,
    fast: bool = False,
) -> tuple[float, float, float, float, float, float, float]:
    """Horizons, effective heights and Delta h of a profile [Algorithm, sec. 43: qlrpfl].

    Returns ``(theta_tx, theta_rx, d_hzn_tx, d_hzn_rx, h_e_tx, h_e_rx, delta_h)``.
    ``fast``: fits and sums of :mod:`coverage.physics.itm.fast`.
    """
    n = z.shape[0] - 1
    d = n * step_m
    a_e = 1.0 / gamma_e
    theta0, theta1, d_hzn0, d_hzn1 = _find_horizons(z, step_m, a_e, h0, h1)
    # start terrain 15 tower heights out, or at 10 % of the horizon [Hufford 1982, p. 25]
    d_start = min(15.0 * h0, 0.1 * d_hzn0)
    d_end = d - min(15.0 * h1, 0.1 * d_hzn1)
    delta_h = _delta_h(z, step_m, d_start, d_end, scratch, fast)
    if d_hzn0 + d_hzn1 > 1.5 * d:
        # well within line of sight: horizons from the smooth-earth fit [Algorithm, 3.3-3.4]
        fit_tx, fit_rx = least_squares_fit(z, n, step_m, d_start, d_end, fast)
        h_e0 = h0 + dim(z[0], fit_tx)
        h_e1 = h1 + dim(z[n], fit_rx)
        d_hzn0 = math.sqrt(2.0 * h_e0 * a_e) * math.exp(-0.07 * math.sqrt(delta_h / max(h_e0, 5.0)))
        d_hzn1 = math.sqrt(2.0 * h_e1 * a_e) * math.exp(-0.07 * math.sqrt(delta_h / max(h_e1, 5.0)))
        combined = d_hzn0 + d_hzn1
        if combined <= d:
            q = (d / combined) ** 2
            h_e0 *= q
            h_e1 *= q
            d_hzn0 = math.sqrt(2.0 * h_e0 * a_e) * math.exp(
                -0.07 * math.sqrt(delta_h / max(h_e0, 5.0))
            )
            d_hzn1 = math.sqrt(2.0 * h_e1 * a_e) * math.exp(
                -0.07 * math.sqrt(delta_h / max(h_e1, 5.0))
            )
        q0 = math.sqrt(2.0 * h_e0 * a_e)
        theta0 = (0.65 * delta_h * (q0 / d_hzn0 - 1.0) - 2.0 * h_e0) / q0
        q1 = math.sqrt(2.0 * h_e1 * a_e)
        theta1 = (0.65 * delta_h * (q1 / d_hzn1 - 1.0) - 2.0 * h_e1) / q1
    else:
        fit_tx, _unused = least_squares_fit(z, n, step_m, d_start, 0.9 * d_hzn0, fast)
        h_e0 = h0 + dim(z[0], fit_tx)
        _unused, fit_rx = least_squares_fit(z, n, step_m, d - 0.9 * d_hzn1, d_end, fast)
        h_e1 = h1 + dim(z[n], fit_rx)
    return theta0, theta1, d_hzn0, d_hzn1, h_e0, h_e1, delta_h


# --------------------------------------------------------------------------- kernels


@jit
def itm_p2p_detail(
    z: np.ndarray,
    step_m: float,
    h_tx_m: float,
    h_rx_m: float,
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
    scratch: np.ndarray | None = None,
    fast: bool = False,
) -> DetailTuple:
    """ITM point-to-point mode with its intermediate values [Algorithm, sec. 43 + lrprop + avar].

    Returns ``(loss_db, warnings, error, mode, a_ref_db, a_fs_db, delta_h_m, n_s,
    theta_tx, theta_rx, d_hzn_tx_m, d_hzn_rx_m, h_e_tx_m, h_e_rx_m)``
    with ``loss_db`` NaN when ``error`` is non-zero. ``scratch``: optional work array of
    at least :data:`DELTA_H_SCRATCH` float64 (allocated when omitted). ``fast``: the
    profile analysis of :mod:`coverage.physics.itm.fast`, the same results up to rounding
    (False, the default: NTIA's order of operations, the reference).
    """
    if scratch is None:
        scratch = np.empty(DELTA_H_SCRATCH)
    nan = math.nan
    warnings, error = input_check(
        h_tx_m, h_rx_m, climate, time_pct, location_pct, situation_pct, n0, frequency_mhz,
        polarization, epsilon, sigma, mdvar,
    )  # fmt: skip
    n = z.shape[0] - 1
    if error == ERR_NONE and (n < 1 or not step_m > 0.0):
        error = ERR_PROFILE
    if error != ERR_NONE:
        return nan, warnings, error, MODE_NOT_SET, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan
    d_m = n * step_m

    # mean path elevation, ignoring the first and last 10 % [NTIA ITM, ITMP2P_TLS_Ex]
    p10 = int(0.1 * n)
    if fast:
        h_sys = window_sum(z, p10, n - p10 + 1)
    else:
        h_sys = 0.0
        for i in range(p10, n - p10 + 1):
            h_sys += z[i]
    h_sys /= n - 2 * p10 + 1

    z_g, gamma_e, n_s = ground_and_earth(frequency_mhz, h_sys, n0, polarization, epsilon, sigma)
    theta0, theta1, d_hzn0, d_hzn1, h_e0, h_e1, delta_h = _profile_parameters(
        z, step_m, gamma_e, h_tx_m, h_rx_m, scratch, fast
    )
    loss, lp_warnings, mode, error, a_ref, a_fs = path_loss(
        theta0, theta1, frequency_mhz, z_g, d_hzn0, d_hzn1, h_e0, h_e1, gamma_e, n_s, delta_h,
        h_tx_m, h_rx_m, d_m, P2P, time_pct, location_pct, situation_pct, climate, mdvar,
    )  # fmt: skip
    warnings |= lp_warnings
    return (
        loss, warnings, error, mode, a_ref, a_fs, delta_h, n_s, theta0, theta1, d_hzn0,
        d_hzn1, h_e0, h_e1,
    )  # fmt: skip


@jit
def itm_p2p_point(
    z: np.ndarray,
    step_m: float,
    h_tx_m: float,
    h_rx_m: float,
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
    scratch: np.ndarray | None = None,
    fast: bool = False,
) -> tuple[float, int]:
    """Basic transmission loss (dB) and ITM warning flags for one terrain profile.

    The hot kernel: call it from numba code once per receiver point, passing the profile
    from the transmitter (``z[0]``) to that receiver (``z[-1]``), e.g. ``radial[: k + 1]``.
    Inputs are ITM's: heights above ground (m), frequency (MHz), polarization 0 horizontal
    / 1 vertical, relative permittivity, conductivity (S/m), sea-level refractivity
    N_0 (N-units), radio climate 1..7, mode of variability, time/location/situation
    percentages in (0, 100). No exception is raised: on any ITM error the loss is NaN
    (use :func:`itm_p2p_detail` or :func:`coverage.physics.itm.p2p.itm_p2p_loss` to learn why).
    A caller looping over many profiles passes ``scratch``, a float64 work array of at
    least :data:`DELTA_H_SCRATCH` elements (one per thread), to save an allocation per
    call. ``fast=True`` (what the area kernels pass) computes the same algorithm in the
    faster order of :mod:`coverage.physics.itm.fast`; the default is the reference.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.full(101, 200.0)                     # 10 km of flat ground at 100 m steps
    >>> loss, warnings = itm_p2p_point(z, 100.0, 30.0, 1.5, 900.0, 1, 15.0, 0.005,
    ...                                301.0, 2, 12, 50.0, 50.0, 50.0)
    >>> 110 < loss < 140, warnings
    (True, 0)
    """
    result = itm_p2p_detail(
        z, step_m, h_tx_m, h_rx_m, frequency_mhz, polarization, epsilon, sigma, n0, climate,
        mdvar, time_pct, location_pct, situation_pct, scratch, fast,
    )  # fmt: skip
    return result[0], result[1]


# --------------------------------------------------------------------------- Python API


def itm_p2p_loss(
    profile_elevations_m: npt.ArrayLike,
    step_m: float,
    *,
    h_tx_m: float,
    h_rx_m: float,
    frequency_mhz: float,
    itm: ItmEnvironment | None = None,
) -> ItmResult:
    """Basic transmission loss over a terrain profile, ITM 1.2.2 point-to-point mode.

    Parameters
    ----------
    profile_elevations_m
        Ground elevations (m above sea level) from the transmitter (first) to the
        receiver (last), every ``step_m`` metres; at least 2 samples, no NaN.
    step_m
        Distance between samples, m; the path length is ``(len - 1) * step_m``.
    h_tx_m, h_rx_m
        Antenna heights above the ground, m (ITM: 0.5-3000 m, warned outside 1-1000 m).
    frequency_mhz
        Carrier frequency, MHz (ITM: 20-20,000 MHz, warned outside 40-10,000 MHz).
    itm
        Polarization, ground, refractivity, climate, variability and quantiles; None
        (default): Lào Cai's :class:`~coverage.physics.itm.environment.ItmEnvironment`
        (vertical, average ground, N_0 301, continental subtropical, mode 12, medians).

    Returns
    -------
    ItmResult
        Loss, warning flags, propagation mode and ITM's intermediate values.

    Raises
    ------
    ModelRangeError
        An input is outside ITM's limits; the message names it and the valid range.
    TerrainError
        The profile holds NaN (a DEM void) or infinite elevations.

    Examples
    --------
    >>> import numpy as np
    >>> flat = np.full(201, 150.0)             # 10 km of flat ground, 50 m steps
    >>> result = itm_p2p_loss(flat, 50.0, h_tx_m=30.0, h_rx_m=1.5, frequency_mhz=900.0)
    >>> result.mode.name, result.warnings.name
    ('LINE_OF_SIGHT', 'NONE')
    >>> itm_p2p_loss(flat, 50.0, h_tx_m=30.0, h_rx_m=1.5, frequency_mhz=9e8)
    Traceback (most recent call last):
    ...
    coverage.errors.ModelRangeError: ITM input frequency_mhz=900000000.0 is outside ITM's \
valid range: 20 to 20000 MHz; give the carrier in MHz, not Hz
    """
    elevations = np.ascontiguousarray(profile_elevations_m, dtype=np.float64)
    if elevations.ndim != 1 or elevations.shape[0] < 2:
        raise ModelRangeError(message("errors.itm.profile_shape", shape=elevations.shape))
    bad = np.flatnonzero(~np.isfinite(elevations))
    if bad.size:
        raise TerrainError(
            message(
                "errors.itm.profile_not_finite",
                count=bad.size,
                index=int(bad[0]),
                elevation=elevations[bad[0]],
            )
        )
    step = float(step_m)
    if not (math.isfinite(step) and step > 0.0):
        raise ModelRangeError(message("errors.itm.step", step_m=repr(step_m)))
    environment = as_environment(itm)
    h_tx, h_rx, frequency = environment.checked_link(
        h_tx_m=h_tx_m, h_rx_m=h_rx_m, frequency_mhz=frequency_mhz
    )
    detail = itm_p2p_detail(elevations, step, h_tx, h_rx, frequency, *environment.kernel_args)
    given = {"h_tx_m": h_tx_m, "h_rx_m": h_rx_m, "frequency_mhz": frequency_mhz}
    raise_for_error(int(detail[2]), {**given, **dataclasses.asdict(environment)})
    return ItmResult.from_detail(detail)
