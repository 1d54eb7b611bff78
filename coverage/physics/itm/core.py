"""Longley-Rice Irregular Terrain Model (ITM) 1.2.2: the physics both modes share.

Numba kernels, scalars in and scalars out; no Python objects, no I/O, no exceptions
(errors come back as codes). :mod:`coverage.physics.itm.p2p` adds the point-to-point mode (terrain
profiles) and :mod:`coverage.physics.itm.area` the area mode; both end in
:func:`longley_rice` (reference attenuation) and :func:`variability` (quantiles).

Sources
-------
- G. A. Hufford, "The ITS Irregular Terrain Model, version 1.2.2: the Algorithm",
  NTIA/ITS (1995) -- cited below as [Algorithm, Eqn n].
- G. A. Hufford, A. G. Longley, W. A. Kissick, "A Guide to the Use of the ITS Irregular
  Terrain Model in the Area Prediction Mode", NTIA Report 82-100 (1982).
- A. G. Longley, P. L. Rice, "Prediction of tropospheric radio transmission loss over
  irregular terrain", ESSA Tech. Rep. ERL 79-ITS 67 (1968) -- [ERL 79-ITS 67].
- P. L. Rice et al., NBS Technical Note 101 (1967) -- [TN101]; L. E. Vogler, "Calculation
  of groundwave attenuation in the far diffraction region", Radio Sci. 68D (1964).
- Conformance target: NTIA's reference implementation (github.com/NTIA/itm, v1.3+, which
  NTIA states is functionally identical to the 1.2.2 FORTRAN). Its warning bit flags and
  error conditions are reproduced here so results compare one to one.

Examples
--------
>>> round(free_space_loss_db(10_000.0, 900.0), 2)
111.53
>>> round(inverse_ccdf(0.1), 3)   # 10 % exceeded: +1.28 standard deviations
1.282
"""

from __future__ import annotations

import math

import numba
import numpy as np

# Warning bit flags, numbered as NTIA's Warnings.h so codes compare one to one.
WARN_TX_TERMINAL_HEIGHT = 0x0001
WARN_RX_TERMINAL_HEIGHT = 0x0002
WARN_FREQUENCY = 0x0004
WARN_PATH_DISTANCE_TOO_BIG_1 = 0x0008
WARN_PATH_DISTANCE_TOO_BIG_2 = 0x0010
WARN_PATH_DISTANCE_TOO_SMALL_1 = 0x0020
WARN_PATH_DISTANCE_TOO_SMALL_2 = 0x0040
WARN_TX_HORIZON_ANGLE = 0x0080
WARN_RX_HORIZON_ANGLE = 0x0100
WARN_TX_HORIZON_DISTANCE_1 = 0x0200
WARN_RX_HORIZON_DISTANCE_1 = 0x0400
WARN_TX_HORIZON_DISTANCE_2 = 0x0800
WARN_RX_HORIZON_DISTANCE_2 = 0x1000
WARN_EXTREME_VARIABILITIES = 0x2000
WARN_SURFACE_REFRACTIVITY = 0x4000

# Error codes (ours; 0 means success). coverage.physics.itm.p2p turns them into ModelRangeError.
ERR_NONE = 0
ERR_TX_HEIGHT = 1
ERR_RX_HEIGHT = 2
ERR_CLIMATE = 3
ERR_REFRACTIVITY = 4
ERR_FREQUENCY = 5
ERR_POLARIZATION = 6
ERR_EPSILON = 7
ERR_SIGMA = 8
ERR_MDVAR = 9
ERR_SITUATION = 10
ERR_TIME = 11
ERR_LOCATION = 12
ERR_SURFACE_REFRACTIVITY_SMALL = 13
ERR_SURFACE_REFRACTIVITY_LARGE = 14
ERR_EFFECTIVE_EARTH = 15
ERR_GROUND_IMPEDANCE = 16
ERR_PROFILE = 17
ERR_DISTANCE = 18
ERR_DELTA_H = 19
ERR_TX_SITING = 20
ERR_RX_SITING = 21

# Propagation modes, as NTIA's Enums.h.
MODE_NOT_SET = 0
MODE_LINE_OF_SIGHT = 1
MODE_DIFFRACTION = 2
MODE_TROPOSCATTER = 3

# Which terminal-height rule the diffraction weighting uses [ERL 79-ITS 67, p. 3-8].
P2P = 0
AREA = 1

_THIRD = 1.0 / 3.0
_A_0_M = 6370e3  # radius of the 4/3 earth used by Vogler's C_0 [Vogler 1964, Eqn 2]
_A_9000_M = 9000e3  # effective earth radius of the variability distance [Algorithm, 5.3]
_SQRT2 = math.sqrt(2.0)

# Climate constants of the variability model, one column per radio climate 1..7
# [Algorithm, Table 5.1 and Eqns 5.4-5.8; TN101 Fig. 10.13, curves of TN101v2 III.69-70].
_V_MED = np.array(
    [
        [-9.67, -0.62, 1.26, -9.21, -0.62, -0.39, 3.15],
        [12.7, 9.19, 15.5, 9.05, 9.19, 2.86, 857.9],
        [144.9e3, 228.9e3, 262.6e3, 84.1e3, 228.9e3, 141.7e3, 2222.0e3],
        [190.3e3, 205.2e3, 185.2e3, 101.1e3, 205.2e3, 315.9e3, 164.8e3],
        [133.8e3, 143.6e3, 99.8e3, 98.6e3, 143.6e3, 167.4e3, 116.3e3],
    ]
)
_SIGMA_T_MINUS = np.array(
    [
        [2.13, 2.66, 6.11, 1.98, 2.68, 6.86, 8.51],
        [159.5, 7.67, 6.65, 13.11, 7.16, 10.38, 169.8],
        [762.2e3, 100.4e3, 138.2e3, 139.1e3, 93.7e3, 187.8e3, 609.8e3],
        [123.6e3, 172.5e3, 242.2e3, 132.7e3, 186.8e3, 169.6e3, 119.9e3],
        [94.5e3, 136.4e3, 178.6e3, 193.5e3, 133.5e3, 108.9e3, 106.6e3],
    ]
)
_SIGMA_T_PLUS = np.array(
    [
        [2.11, 6.87, 10.08, 3.68, 4.75, 8.58, 8.43],
        [102.3, 15.53, 9.60, 159.3, 8.12, 13.97, 8.19],
        [636.9e3, 138.7e3, 165.3e3, 464.4e3, 93.2e3, 216.0e3, 136.2e3],
        [134.8e3, 143.7e3, 225.7e3, 93.1e3, 135.9e3, 152.0e3, 188.5e3],
        [95.6e3, 98.6e3, 129.7e3, 94.2e3, 113.4e3, 122.7e3, 122.9e3],
    ]
)
_C_D = np.array([1.224, 0.801, 1.380, 1.000, 1.224, 1.518, 1.518])
_Z_D = np.array([1.282, 2.161, 1.282, 20.0, 1.282, 1.282, 1.282])
_G_MINUS = np.array(
    [
        [1.0, 1.0, 1.0, 1.0, 0.92, 1.0, 1.0],
        [0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 1.77, 0.0, 0.0],
    ]
)
_G_PLUS = np.array(
    [
        [1.0, 0.93, 1.0, 0.93, 0.93, 1.0, 1.0],
        [0.0, 0.31, 0.0, 0.19, 0.31, 0.0, 0.0],
        [0.0, 2.00, 0.0, 1.79, 2.00, 0.0, 0.0],
    ]
)
# Troposcatter H_0 curves, one per integer eta_s = 1..5 [Algorithm, 6.13].
_H0_A = np.array([25.0, 80.0, 177.0, 395.0, 705.0])
_H0_B = np.array([24.0, 45.0, 68.0, 80.0, 105.0])

#: The decorator of every ITM kernel: compiled once, cached on disk, releases the GIL.
jit = numba.njit(cache=True, nogil=True)

# (loss_db, warnings, error, mode, a_ref_db, a_fs_db, delta_h_m, n_s, theta_tx, theta_rx,
#  d_hzn_tx_m, d_hzn_rx_m, h_e_tx_m, h_e_rx_m)
DetailTuple = tuple[
    float, int, int, int, float, float, float, float, float, float, float, float, float, float
]


# --------------------------------------------------------------------------- helpers


@jit
def dim(x: float, y: float) -> float:
    """Positive difference, FORTRAN's DIM: x - y when x > y, else 0."""
    return x - y if x > y else 0.0


@jit
def inverse_ccdf(q: float) -> float:
    """Inverse of the standard normal complementary distribution, Q^-1(q), 0 < q < 1.

    Abramowitz & Stegun 26.2.23 (|error| < 4.5e-4), as [Algorithm, sec. 51: qerfi].
    """
    x = 1.0 - q if q > 0.5 else q
    t = math.sqrt(-2.0 * math.log(x))
    zeta = ((0.010328 * t + 0.802853) * t + 2.515516) / (
        ((0.001308 * t + 0.189269) * t + 1.432788) * t + 1.0
    )
    value = t - zeta
    return -value if q > 0.5 else value


@jit
def free_space_loss_db(distance_m: float, frequency_mhz: float) -> float:
    """Free-space basic transmission loss, dB (ITU-R P.525)."""
    return 32.45 + 20.0 * math.log10(frequency_mhz) + 20.0 * math.log10(distance_m / 1000.0)


@jit
def terrain_roughness(distance_m: float, delta_h_m: float) -> float:
    """Interdecile range over a path of the given length [ERL 79-ITS 67, Eqn 3]."""
    return delta_h_m * (1.0 - 0.8 * math.exp(-distance_m / 50e3))


@jit
def _sigma_h(delta_h_m: float) -> float:
    """RMS terrain deviation within the first Fresnel zone [ERL 79-ITS 67, Eqn 3.6a]."""
    return 0.78 * delta_h_m * math.exp(-0.5 * delta_h_m**0.25)


# --------------------------------------------------------------------------- diffraction


@jit
def _fresnel_knife_edge(v2: float) -> float:
    """Knife-edge loss A(v, 0) from v squared [Algorithm, Eqn 6.1; TN101v2 III.24]."""
    if v2 < 5.76:
        return 6.02 + 9.11 * math.sqrt(v2) - 1.27 * v2
    return 12.953 + 10.0 * math.log10(v2)


@jit
def _knife_edge_diffraction(
    d_m: float, f_mhz: float, a_e_m: float, theta_los: float, d_hzn0: float, d_hzn1: float
) -> float:
    """Double knife-edge attenuation at distance d [Algorithm, Eqns 4.12-4.14; TN101 I.7]."""
    d_ml = d_hzn0 + d_hzn1
    theta_nlos = d_m / a_e_m - theta_los
    d_nlos = d_m - d_ml
    k = 0.0795775 * (f_mhz / 47.7) * theta_nlos * theta_nlos * d_nlos
    v1 = k * d_hzn0 / (d_nlos + d_hzn0)
    v2 = k * d_hzn1 / (d_nlos + d_hzn1)
    return _fresnel_knife_edge(v1) + _fresnel_knife_edge(v2)


@jit
def _height_gain(x_km: float, k: float) -> float:
    """Vogler's height-gain function F(x, K) in dB [Algorithm, Eqn 6.2-6.4]."""
    if x_km < 200.0:
        w = -math.log(k)
        if k < 1e-5 or x_km * w**3 > 5495.0:
            result = -117.0
            if x_km > 1.0:
                result += 17.372 * math.log(x_km)
        else:
            result = 2.5e-5 * x_km * x_km / k - 8.686 * w - 15.0
    else:
        result = 0.05751 * x_km - 4.343 * math.log(x_km)
        if x_km < 2000.0:
            w = 0.0134 * x_km * math.exp(-0.005 * x_km)
            result = (1.0 - w) * result + w * (17.372 * math.log(x_km) - 117.0)
    return result


@jit
def _smooth_earth_terminal(
    d_hzn_m: float, h_e_m: float, f_mhz: float, z_g_abs: float
) -> tuple[float, float]:
    """One terminal's ``x_i`` and height gain ``F(x_i, K_i)`` [Algorithm, Eqns 4.16-4.19].

    Vogler's three-radii terms that do not depend on the path length: computed once per
    path and shared by both distances of :func:`longley_rice`'s diffraction line.
    """
    a = 0.5 * d_hzn_m * d_hzn_m / h_e_m
    c = ((4.0 / 3.0) * _A_0_M / a) ** _THIRD
    k = 0.017778 * c * f_mhz ** (-_THIRD) / z_g_abs
    x_km = (1.607 - k) * c * c * f_mhz**_THIRD * (d_hzn_m / 1000.0)
    return x_km, _height_gain(x_km, k)


@jit
def _smooth_earth_diffraction(
    d_m: float,
    f_mhz: float,
    a_e_m: float,
    theta_los: float,
    d_ml: float,
    x1: float,
    x2: float,
    gain1: float,
    gain2: float,
    z_g_abs: float,
) -> float:
    """Smooth-earth diffraction by Vogler's three-radii method [Algorithm, Eqns 4.15-4.20].

    ``x1, gain1`` and ``x2, gain2``: :func:`_smooth_earth_terminal` of each terminal;
    ``d_ml``: the sum of the horizon distances.
    """
    theta_nlos = d_m / a_e_m - theta_los
    a0 = (d_m - d_ml) / theta_nlos
    f_third = f_mhz**_THIRD
    c0 = ((4.0 / 3.0) * _A_0_M / a0) ** _THIRD
    k0 = 0.017778 * c0 * f_mhz ** (-_THIRD) / z_g_abs
    x0 = (1.607 - k0) * c0 * c0 * f_third * (a0 * theta_nlos / 1000.0) + x1 + x2
    g_x = 0.05751 * x0 - 10.0 * math.log10(x0)
    return g_x - gain1 - gain2 - 20.0


@jit
def _diffraction_terms(
    h_e0: float,
    h_e1: float,
    delta_h_m: float,
    h0: float,
    h1: float,
    mode: int,
    d_sml_m: float,
    f_mhz: float,
) -> tuple[float, float]:
    """Clutter factor and terminal term of the diffraction weighting, per path.

    Returns ``(a_fo_db, term1)``: the clutter factor [ERL 79-ITS 67, Eqn 3.38c] and the
    square-root term of the weighting's Q [ERL 79-ITS 67, Eqn 3.23], neither of which
    depends on the distance the diffraction loss is evaluated at.
    """
    sigma_h_d = _sigma_h(terrain_roughness(d_sml_m, delta_h_m))
    a_fo = min(15.0, 5.0 * math.log10(1.0 + 1e-5 * h0 * h1 * f_mhz * sigma_h_d))
    q = h0 * h1
    qk = h_e0 * h_e1 - q
    if mode == P2P:
        q += 10.0  # C ~ 10 for low antennas with known path [ERL 79-ITS 67, p. 3-8]
    return a_fo, math.sqrt(1.0 + qk / q)


@jit
def _diffraction_loss(
    d_m: float,
    d_hzn0: float,
    d_hzn1: float,
    a_e_m: float,
    delta_h_m: float,
    theta_los: float,
    f_mhz: float,
    z_g_abs: float,
    x1: float,
    x2: float,
    gain1: float,
    gain2: float,
    a_fo: float,
    term1: float,
) -> float:
    """Diffraction: knife edge and smooth earth, weighted, plus clutter [Algorithm, 4.11-4.21].

    The per-path terms come from :func:`_smooth_earth_terminal` (``x1, gain1``,
    ``x2, gain2``) and :func:`_diffraction_terms` (``a_fo, term1``).
    """
    a_k = _knife_edge_diffraction(d_m, f_mhz, a_e_m, theta_los, d_hzn0, d_hzn1)
    d_ml = d_hzn0 + d_hzn1
    a_se = _smooth_earth_diffraction(
        d_m, f_mhz, a_e_m, theta_los, d_ml, x1, x2, gain1, gain2, z_g_abs
    )
    delta_h_d = terrain_roughness(d_m, delta_h_m)
    q = (term1 + (-theta_los * a_e_m + d_ml) / d_m) * min(delta_h_d * f_mhz / 47.7, 6283.2)
    w = 25.1 / (25.1 + math.sqrt(q))  # [ERL 79-ITS 67, Eqn 3.23]
    return w * a_se + (1.0 - w) * a_k + a_fo


# --------------------------------------------------------------------------- line of sight


@jit
def _line_of_sight_loss(
    d_m: float,
    h_e0: float,
    h_e1: float,
    z_g: complex,
    delta_h_m: float,
    m_d: float,
    a_d0: float,
    d_sml_m: float,
    f_mhz: float,
) -> float:
    """Two-ray loss blended with extended diffraction [Algorithm, Eqns 4.43-4.51]."""
    sigma_h_d = _sigma_h(terrain_roughness(d_m, delta_h_m))
    wn = f_mhz / 47.7
    h_sum = h_e0 + h_e1
    sin_psi = h_sum / math.sqrt(d_m * d_m + h_sum * h_sum)
    r_e = (sin_psi - z_g) / (sin_psi + z_g) * math.exp(-min(10.0, wn * sigma_h_d * sin_psi))
    q = r_e.real * r_e.real + r_e.imag * r_e.imag
    if q < 0.25 or q < sin_psi:
        r_e = r_e * math.sqrt(sin_psi / q)
    delta_phi = wn * 2.0 * h_e0 * h_e1 / d_m
    if delta_phi > math.pi / 2.0:
        delta_phi = math.pi - (math.pi / 2.0) ** 2 / delta_phi
    rr = complex(math.cos(delta_phi), -math.sin(delta_phi)) + r_e
    a_t = -10.0 * math.log10(rr.real * rr.real + rr.imag * rr.imag)
    a_d = m_d * d_m + a_d0
    w = 1.0 / (1.0 + f_mhz * delta_h_m / max(10e3, d_sml_m))
    return w * a_t + (1.0 - w) * a_d


# --------------------------------------------------------------------------- troposcatter


@jit
def _f_function(td: float) -> float:
    """Attenuation function F(theta d) in dB [Algorithm, Eqn 6.9]."""
    if td <= 10e3:
        return 133.4 + 0.332e-3 * td - 10.0 * math.log10(td)
    if td <= 70e3:
        return 104.6 + 0.212e-3 * td - 2.5 * math.log10(td)
    return 71.8 + 0.157e-3 * td + 5.0 * math.log10(td)


@jit
def _h0_curve(j: int, r: float) -> float:
    """Frequency-gain curve for integer eta_s = j + 1 [Algorithm, Eqn 6.13]."""
    inv_r = 1.0 / r
    return 10.0 * math.log10(1.0 + _H0_A[j] * inv_r**4 + _H0_B[j] * inv_r * inv_r)


@jit
def _h0_function(r: float, eta_s: float) -> float:
    """Frequency-gain function H_0(r, eta_s), interpolated between curves [Algorithm, 6.12]."""
    eta_s = min(max(eta_s, 1.0), 5.0)
    i = int(eta_s)
    q = eta_s - i
    result = _h0_curve(i - 1, r)
    if q != 0.0:
        result = (1.0 - q) * result + q * _h0_curve(i, r)
    return result


@jit
def _troposcatter_loss(
    d_m: float,
    theta_hzn0: float,
    theta_hzn1: float,
    d_hzn0: float,
    d_hzn1: float,
    h_e0: float,
    h_e1: float,
    a_e_m: float,
    n_s: float,
    f_mhz: float,
    theta_los: float,
    h0_prev: float,
) -> tuple[float, float]:
    """Troposcatter attenuation and the H_0 value used [Algorithm, Eqns 4.52-4.67].

    ``h0_prev`` carries H_0 between the two calls at d_6 and d_5 (negative: none yet).
    Returns ``(loss_db, h0)``; loss 1001 dB means undefined (both r_1, r_2 < 0.2).
    """
    wn = f_mhz / 47.7
    if h0_prev > 15.0:
        h_0 = h0_prev
    else:
        ad = d_hzn0 - d_hzn1
        rr = h_e1 / h_e0
        if ad < 0.0:
            ad = -ad
            rr = 1.0 / rr
        theta = theta_hzn0 + theta_hzn1 + d_m / a_e_m
        r_1 = 2.0 * wn * theta * h_e0
        r_2 = 2.0 * wn * theta * h_e1
        if r_1 < 0.2 and r_2 < 0.2:
            return 1001.0, h0_prev
        s = (d_m - ad) / (d_m + ad)
        q = min(max(0.1, rr / s), 10.0)
        s = max(0.1, s)
        h_0_m = (d_m - ad) * (d_m + ad) * theta * 0.25 / d_m
        eta_s = (h_0_m / 1.7556e3) * (
            1.0
            + (0.031 - n_s * 2.32e-3 + n_s * n_s * 5.67e-6)
            * math.exp(-(min(1.7, h_0_m / 8.0e3) ** 6))
        )
        h_00 = (_h0_function(r_1, eta_s) + _h0_function(r_2, eta_s)) / 2.0
        delta_h_0 = min(
            h_00, 6.0 * (0.6 - math.log10(max(eta_s, 1.0))) * math.log10(s) * math.log10(q)
        )
        h_0 = max(h_00 + delta_h_0, 0.0)
        if eta_s < 1.0:
            h_0 = eta_s * h_0 + (1.0 - eta_s) * 10.0 * math.log10(
                ((1.0 + _SQRT2 / r_1) * (1.0 + _SQRT2 / r_2)) ** 2
                * (r_1 + r_2)
                / (r_1 + r_2 + 2.0 * _SQRT2)
            )
        if h_0 > 15.0 and h0_prev >= 0.0:
            h_0 = h0_prev
    th = d_m / a_e_m - theta_los
    loss = (
        _f_function(th * d_m)
        + 10.0 * math.log10(wn * 47.7 * th**4)
        - 0.1 * (n_s - 301.0) * math.exp(-th * d_m / 40e3)
        + h_0
    )
    return loss, h_0


# --------------------------------------------------------------------------- reference attenuation


@jit
def longley_rice(
    theta_hzn0: float,
    theta_hzn1: float,
    f_mhz: float,
    z_g: complex,
    d_hzn0: float,
    d_hzn1: float,
    h_e0: float,
    h_e1: float,
    gamma_e: float,
    n_s: float,
    delta_h_m: float,
    h0: float,
    h1: float,
    d_m: float,
    mode: int,
) -> tuple[float, int, int, int]:
    """Reference attenuation below free space [Algorithm, sec. 4: lrprop].

    Returns ``(a_ref_db, warnings, propagation_mode, error)``.
    """
    warnings = 0
    a_e = 1.0 / gamma_e
    d_hzn_s0 = math.sqrt(2.0 * h_e0 * a_e)
    d_hzn_s1 = math.sqrt(2.0 * h_e1 * a_e)
    d_sml = d_hzn_s0 + d_hzn_s1
    d_ml = d_hzn0 + d_hzn1
    theta_los = -max(theta_hzn0 + theta_hzn1, -d_ml / a_e)

    if abs(theta_hzn0) > 200e-3:
        warnings |= WARN_TX_HORIZON_ANGLE
    if abs(theta_hzn1) > 200e-3:
        warnings |= WARN_RX_HORIZON_ANGLE
    if d_hzn0 < 0.1 * d_hzn_s0:
        warnings |= WARN_TX_HORIZON_DISTANCE_1
    if d_hzn1 < 0.1 * d_hzn_s1:
        warnings |= WARN_RX_HORIZON_DISTANCE_1
    if d_hzn0 > 3.0 * d_hzn_s0:
        warnings |= WARN_TX_HORIZON_DISTANCE_2
    if d_hzn1 > 3.0 * d_hzn_s1:
        warnings |= WARN_RX_HORIZON_DISTANCE_2

    if n_s < 150.0:
        return math.nan, warnings, MODE_NOT_SET, ERR_SURFACE_REFRACTIVITY_SMALL
    if n_s > 400.0:
        return math.nan, warnings, MODE_NOT_SET, ERR_SURFACE_REFRACTIVITY_LARGE
    if n_s < 250.0:
        warnings |= WARN_SURFACE_REFRACTIVITY
    if a_e < 4000000.0 or a_e > 13333333.0:
        return math.nan, warnings, MODE_NOT_SET, ERR_EFFECTIVE_EARTH
    if z_g.real <= abs(z_g.imag):
        return math.nan, warnings, MODE_NOT_SET, ERR_GROUND_IMPEDANCE

    z_g_abs = abs(z_g)
    scale = (a_e * a_e / f_mhz) ** _THIRD
    d_3 = max(d_sml, d_ml + 5.0 * scale)
    d_4 = d_3 + 10.0 * scale
    x1, gain1 = _smooth_earth_terminal(d_hzn0, h_e0, f_mhz, z_g_abs)
    x2, gain2 = _smooth_earth_terminal(d_hzn1, h_e1, f_mhz, z_g_abs)
    a_fo, term1 = _diffraction_terms(h_e0, h_e1, delta_h_m, h0, h1, mode, d_sml, f_mhz)
    a_3 = _diffraction_loss(
        d_3, d_hzn0, d_hzn1, a_e, delta_h_m, theta_los, f_mhz, z_g_abs, x1, x2, gain1, gain2,
        a_fo, term1,
    )  # fmt: skip
    a_4 = _diffraction_loss(
        d_4, d_hzn0, d_hzn1, a_e, delta_h_m, theta_los, f_mhz, z_g_abs, x1, x2, gain1, gain2,
        a_fo, term1,
    )  # fmt: skip
    m_d = (a_4 - a_3) / (d_4 - d_3)
    a_d0 = a_3 - m_d * d_3

    d_min = abs(h_e0 - h_e1) / 200e-3
    if d_m < d_min:
        warnings |= WARN_PATH_DISTANCE_TOO_SMALL_1
    if d_m < 1e3:
        warnings |= WARN_PATH_DISTANCE_TOO_SMALL_2
    if d_m > 1000e3:
        warnings |= WARN_PATH_DISTANCE_TOO_BIG_1
    if d_m > 2000e3:
        warnings |= WARN_PATH_DISTANCE_TOO_BIG_2

    if d_m < d_sml:
        # line of sight [Algorithm, Eqns 4.22-4.42; ERL 79-ITS 67, Eqns 3.16-3.21]
        a_sml = d_sml * m_d + a_d0
        d_0 = 0.04 * f_mhz * h_e0 * h_e1
        if a_d0 >= 0.0:
            d_0 = min(d_0, 0.5 * d_ml)
            d_1 = d_0 + 0.25 * (d_ml - d_0)
        else:
            d_1 = max(-a_d0 / m_d, 0.25 * d_ml)
        a_1 = _line_of_sight_loss(d_1, h_e0, h_e1, z_g, delta_h_m, m_d, a_d0, d_sml, f_mhz)
        flag = False
        k_1 = 0.0
        k_2 = 0.0
        if d_0 < d_1:
            a_0 = _line_of_sight_loss(d_0, h_e0, h_e1, z_g, delta_h_m, m_d, a_d0, d_sml, f_mhz)
            q = math.log(d_sml / d_0)
            k_2 = max(
                0.0,
                ((d_sml - d_0) * (a_1 - a_0) - (d_1 - d_0) * (a_sml - a_0))
                / ((d_sml - d_0) * math.log(d_1 / d_0) - (d_1 - d_0) * q),
            )
            flag = a_d0 > 0.0 or k_2 > 0.0
            if flag:
                k_1 = (a_sml - a_0 - k_2 * q) / (d_sml - d_0)
                if k_1 < 0.0:
                    k_1 = 0.0
                    k_2 = dim(a_sml, a_0) / q
                    if k_2 == 0.0:
                        k_1 = m_d
        if not flag:
            k_1 = dim(a_sml, a_1) / (d_sml - d_1)
            k_2 = 0.0
            if k_1 == 0.0:
                k_1 = m_d
        a_o = a_sml - k_1 * d_sml - k_2 * math.log(d_sml)
        a_ref = a_o + k_1 * d_m + k_2 * math.log(d_m)
        prop_mode = MODE_LINE_OF_SIGHT
    else:
        # beyond the horizon: diffraction or troposcatter [Algorithm, Eqns 4.52-4.58]
        d_x_least = max(d_sml, d_ml + 1.088 * scale * math.log(f_mhz))
        if d_m <= d_x_least:
            # troposcatter takes over only beyond d_x >= d_x_least, so neither of its two
            # evaluations can change the result: skip them (same loss, same mode)
            return max(m_d * d_m + a_d0, 0.0), warnings, MODE_DIFFRACTION, ERR_NONE
        d_5 = d_ml + 200e3
        d_6 = d_ml + 400e3
        a_6, h0_value = _troposcatter_loss(
            d_6, theta_hzn0, theta_hzn1, d_hzn0, d_hzn1, h_e0, h_e1, a_e, n_s, f_mhz,
            theta_los, -1.0,
        )  # fmt: skip
        a_5, h0_value = _troposcatter_loss(
            d_5, theta_hzn0, theta_hzn1, d_hzn0, d_hzn1, h_e0, h_e1, a_e, n_s, f_mhz,
            theta_los, h0_value,
        )  # fmt: skip
        if a_5 < 1000.0:
            m_s = (a_6 - a_5) / 200e3
            d_x = max(d_x_least, (a_5 - a_d0 - m_s * d_5) / (m_d - m_s))
            a_s0 = (m_d - m_s) * d_x + a_d0
        else:
            m_s = m_d
            a_s0 = a_d0
            d_x = 10e6
        if d_m > d_x:
            a_ref = m_s * d_m + a_s0
            prop_mode = MODE_TROPOSCATTER
        else:
            a_ref = m_d * d_m + a_d0
            prop_mode = MODE_DIFFRACTION
    return max(a_ref, 0.0), warnings, prop_mode, ERR_NONE


# --------------------------------------------------------------------------- variability


@jit
def _curve(c1: float, c2: float, x1: float, x2: float, x3: float, d_e: float) -> float:
    """Climate curve shape of TN101v2 Eqns III.69-70 [Algorithm, Eqn 5.5]."""
    r = (d_e / x1) ** 2
    return (c1 + c2 / (1.0 + ((d_e - x2) / x3) ** 2)) * r / (1.0 + r)


@jit
def variability(
    time_pct: float,
    location_pct: float,
    situation_pct: float,
    h_e0: float,
    h_e1: float,
    delta_h_m: float,
    f_mhz: float,
    d_m: float,
    a_ref_db: float,
    climate: int,
    mdvar: int,
) -> tuple[float, int]:
    """Attenuation below free space at the requested quantiles [Algorithm, sec. 5: avar].

    Returns ``(attenuation_db, warnings)``.
    """
    warnings = 0
    z_t = inverse_ccdf(time_pct / 100.0)
    z_l = inverse_ccdf(location_pct / 100.0)
    z_s = inverse_ccdf(situation_pct / 100.0)
    c = climate - 1
    wn = f_mhz / 47.7
    d_ex = (
        math.sqrt(2.0 * _A_9000_M * h_e0)
        + math.sqrt(2.0 * _A_9000_M * h_e1)
        + (575.7e12 / wn) ** _THIRD
    )  # [Algorithm, Eqn 5.3]
    d_e = 130e3 * d_m / d_ex if d_m < d_ex else 130e3 + d_m - d_ex  # effective distance

    kind = mdvar
    no_situation = kind >= 20  # +20: interference, direct situation variability removed
    if no_situation:
        kind -= 20
    sigma_s = 0.0 if no_situation else 5.0 + 3.0 * math.exp(-d_e / 100e3)  # [Eqn 5.10]
    no_location = kind >= 10  # +10: point-to-point, location variability removed
    if no_location:
        kind -= 10

    v_med = _curve(_V_MED[0, c], _V_MED[1, c], _V_MED[2, c], _V_MED[3, c], _V_MED[4, c], d_e)
    if kind == 0:  # single message
        z_t = z_s
        z_l = z_s
    elif kind == 1:  # accidental
        z_l = z_s
    elif kind == 2:  # mobile
        z_l = z_t
    if abs(z_t) > 3.10 or abs(z_l) > 3.10 or abs(z_s) > 3.10:
        warnings |= WARN_EXTREME_VARIABILITIES

    if no_location:
        sigma_l = 0.0
    else:
        delta_h_d = terrain_roughness(d_m, delta_h_m)
        sigma_l = 10.0 * wn * delta_h_d / (wn * delta_h_d + 13.0)  # [Eqn 5.9]
    y_l = sigma_l * z_l

    q = math.log(0.133 * wn)
    g_minus = _G_MINUS[0, c] + _G_MINUS[1, c] / ((_G_MINUS[2, c] * q) ** 2 + 1.0)
    g_plus = _G_PLUS[0, c] + _G_PLUS[1, c] / ((_G_PLUS[2, c] * q) ** 2 + 1.0)
    sm = _SIGMA_T_MINUS
    sp = _SIGMA_T_PLUS
    sigma_t_minus = _curve(sm[0, c], sm[1, c], sm[2, c], sm[3, c], sm[4, c], d_e) * g_minus
    sigma_t_plus = _curve(sp[0, c], sp[1, c], sp[2, c], sp[3, c], sp[4, c], d_e) * g_plus
    sigma_td = _C_D[c] * sigma_t_plus
    tgtd = (sigma_t_plus - sigma_td) * _Z_D[c]
    if z_t < 0.0:
        sigma_t = sigma_t_minus
    elif z_t <= _Z_D[c]:
        sigma_t = sigma_t_plus
    else:
        sigma_t = sigma_td + tgtd / z_t
    y_t = sigma_t * z_t

    y_s_temp = sigma_s**2 + y_t**2 / (7.8 + z_s**2) + y_l**2 / (24.0 + z_s**2)  # [Eqn 5.11]
    if kind == 0:
        y_r = 0.0
        y_s = math.sqrt(sigma_t**2 + sigma_l**2 + y_s_temp) * z_s
    elif kind == 1:
        y_r = y_t
        y_s = math.sqrt(sigma_l**2 + y_s_temp) * z_s
    elif kind == 2:
        y_r = math.sqrt(sigma_t**2 + sigma_l**2) * z_t
        y_s = math.sqrt(y_s_temp) * z_s
    else:  # broadcast
        y_r = y_t + y_l
        y_s = math.sqrt(y_s_temp) * z_s

    result = a_ref_db - v_med - y_r - y_s
    if result < 0.0:  # soften negative attenuation (gain over free space) [Eqn 5.12]
        result = result * (29.0 - result) / (29.0 - 10.0 * result)
    return result, warnings


# --------------------------------------------------------------------------- inputs


@jit
def environment_error(
    climate: int,
    n0: float,
    polarization: int,
    epsilon: float,
    sigma: float,
    mdvar: int,
    time_pct: float,
    location_pct: float,
    situation_pct: float,
) -> int:
    """ITM's own limits on the environment (every input but the terminals): the error code."""
    if climate < 1 or climate > 7:
        return ERR_CLIMATE
    if not (250.0 <= n0 <= 400.0):
        return ERR_REFRACTIVITY
    if polarization != 0 and polarization != 1:
        return ERR_POLARIZATION
    if not epsilon >= 1.0:
        return ERR_EPSILON
    if not sigma > 0.0:
        return ERR_SIGMA
    base = mdvar % 10
    if mdvar < 0 or mdvar > 33 or base > 3:
        return ERR_MDVAR
    if not (0.0 < situation_pct < 100.0):
        return ERR_SITUATION
    if not (0.0 < time_pct < 100.0):
        return ERR_TIME
    if not (0.0 < location_pct < 100.0):
        return ERR_LOCATION
    return ERR_NONE


@jit
def input_check(
    h_tx_m: float,
    h_rx_m: float,
    climate: int,
    time_pct: float,
    location_pct: float,
    situation_pct: float,
    n0: float,
    f_mhz: float,
    polarization: int,
    epsilon: float,
    sigma: float,
    mdvar: int,
) -> tuple[int, int]:
    """ITM's own input limits: ``(warnings, error)`` for the inputs common to both modes.

    The first error in NTIA's order: terminal heights, climate, refractivity,
    frequency, then the rest of :func:`environment_error`.
    """
    warnings = 0
    if h_tx_m < 1.0 or h_tx_m > 1000.0:
        warnings |= WARN_TX_TERMINAL_HEIGHT
    if not (0.5 <= h_tx_m <= 3000.0):
        return warnings, ERR_TX_HEIGHT
    if h_rx_m < 1.0 or h_rx_m > 1000.0:
        warnings |= WARN_RX_TERMINAL_HEIGHT
    if not (0.5 <= h_rx_m <= 3000.0):
        return warnings, ERR_RX_HEIGHT
    error = environment_error(
        climate, n0, polarization, epsilon, sigma, mdvar, time_pct, location_pct, situation_pct
    )
    if error in (ERR_CLIMATE, ERR_REFRACTIVITY):
        return warnings, error
    if f_mhz < 40.0 or f_mhz > 10000.0:
        warnings |= WARN_FREQUENCY
    if not (20.0 <= f_mhz <= 20000.0):
        return warnings, ERR_FREQUENCY
    return warnings, error


@jit
def ground_and_earth(
    f_mhz: float, h_sys_m: float, n0: float, polarization: int, epsilon: float, sigma: float
) -> tuple[complex, float, float]:
    """Ground impedance, effective earth curvature and surface refractivity [Algorithm, sec. 41].

    N_s = N_0 exp(-h_sys / 9460) [TN101, Eq 4.3]; gamma_e from N_s [TN101, Eq 4.4].
    """
    n_s = n0 if h_sys_m == 0.0 else n0 * math.exp(-h_sys_m / 9460.0)
    # 157e-9 1/m: the curvature of ITM's own earth (radius 6370 km), part of the model,
    # not coverage.settings.EARTH_RADIUS_M [Algorithm, sec. 41: gma]
    gamma_e = 157e-9 * (1.0 - 0.04665 * math.exp(n_s / 179.3))
    ep_r = complex(epsilon, 18000.0 * sigma / f_mhz)
    z_g = np.sqrt(ep_r - 1.0)
    if polarization == 1:
        z_g = z_g / ep_r
    return z_g, gamma_e, n_s


@jit
def path_loss(
    theta0: float,
    theta1: float,
    f_mhz: float,
    z_g: complex,
    d_hzn0: float,
    d_hzn1: float,
    h_e0: float,
    h_e1: float,
    gamma_e: float,
    n_s: float,
    delta_h_m: float,
    h0: float,
    h1: float,
    d_m: float,
    mode: int,
    time_pct: float,
    location_pct: float,
    situation_pct: float,
    climate: int,
    mdvar: int,
) -> tuple[float, int, int, int, float, float]:
    """Basic transmission loss from the path's parameters: lrprop, then avar, plus free space.

    The step both modes (point-to-point and area) end with. Returns ``(loss_db,
    warnings, propagation_mode, error, a_ref_db, a_fs_db)``; the loss is NaN on an error.
    """
    a_ref, warnings, prop_mode, error = longley_rice(
        theta0, theta1, f_mhz, z_g, d_hzn0, d_hzn1, h_e0, h_e1, gamma_e, n_s, delta_h_m,
        h0, h1, d_m, mode,
    )  # fmt: skip
    a_fs = free_space_loss_db(d_m, f_mhz)
    if error != ERR_NONE:
        return math.nan, warnings, prop_mode, error, a_ref, a_fs
    attenuation, var_warnings = variability(
        time_pct, location_pct, situation_pct, h_e0, h_e1, delta_h_m, f_mhz, d_m, a_ref,
        climate, mdvar,
    )  # fmt: skip
    return a_fs + attenuation, warnings | var_warnings, prop_mode, error, a_ref, a_fs
