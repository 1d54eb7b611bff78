"""First Fresnel zone, earth bulge and profile clearance against hand-worked values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from coverage.physics.fresnel import (
    MEDIAN_CLEARANCE_F1,
    MEDIAN_K_FACTOR,
    SUBREFRACTIVE_CLEARANCE_F1,
    SUBREFRACTIVE_K_FACTOR,
    clearance_f1,
    earth_bulge_m,
    fresnel_radius_m,
    worst_clearance_f1,
)


def test_criteria_are_the_p530_engineering_rule() -> None:
    assert (MEDIAN_K_FACTOR, MEDIAN_CLEARANCE_F1) == (4 / 3, 0.6)
    assert (SUBREFRACTIVE_K_FACTOR, SUBREFRACTIVE_CLEARANCE_F1) == (2 / 3, 0.0)


# ------------------------------------------------------------------------- Fresnel radius


def test_fresnel_radius_matches_the_p530_form_17_3() -> None:
    """US Army SS0121A first Fresnel zone exercise: d1 = 16 km, d2 = 24 km, 4 GHz.

    17.3 sqrt(16 x 24 / (4 x 40)) = 17.3 x 1.549 = 26.8 m (the exercise rounds to 27 m);
    the exact constant sqrt(c / 1e6) = 17.3145 gives 26.82 m.
    """
    radius = float(fresnel_radius_m(16_000.0, 24_000.0, 4_000.0))
    assert radius == pytest.approx(17.3 * math.sqrt(16 * 24 / (4 * 40)), rel=1e-3)
    assert radius == pytest.approx(26.82, abs=0.01)
    assert round(radius) == 27


def test_fresnel_radius_mid_path_of_a_short_link() -> None:
    """Mid-path of 1 km at 5 GHz: 17.32 sqrt(0.25 / 5) = 3.87 m."""
    expected = 17.32 * math.sqrt(0.25 / 5)
    assert expected == pytest.approx(3.873, abs=1e-3)
    assert float(fresnel_radius_m(500.0, 500.0, 5_000.0)) == pytest.approx(expected, rel=1e-3)


def test_fresnel_radius_is_zero_at_the_ends_and_nan_for_bad_input() -> None:
    assert float(fresnel_radius_m(0.0, 10_000.0, 7_000.0)) == 0.0
    assert float(fresnel_radius_m(0.0, 0.0, 7_000.0)) == 0.0
    assert math.isnan(float(fresnel_radius_m(-1.0, 10_000.0, 7_000.0)))
    assert math.isnan(float(fresnel_radius_m(1.0, 10_000.0, 0.0)))
    assert math.isnan(float(fresnel_radius_m(math.nan, 10_000.0, 7_000.0)))


@given(st.floats(1.0, 50_000.0), st.floats(1.0, 50_000.0), st.floats(1_000.0, 40_000.0))
def test_fresnel_radius_is_widest_at_mid_path(d1: float, d2: float, f: float) -> None:
    total = d1 + d2
    assert fresnel_radius_m(d1, d2, f) <= fresnel_radius_m(total / 2, total / 2, f) + 1e-9


# ------------------------------------------------------------------------------ earth bulge


def test_bulge_at_mid_path_of_30_km_at_four_thirds_is_13_2_m() -> None:
    """15 km x 15 km / (12.74 x 4/3) = 225 / 16.99 = 13.24 m (not 53 m: 53 m is
    30 x 30 / 16.99, the bulge at mid-path of a 60 km hop)."""
    bulge = float(earth_bulge_m(15_000.0, 15_000.0, 4 / 3))
    assert bulge == pytest.approx(15 * 15 / (12.74 * 4 / 3), rel=1e-3)
    assert bulge == pytest.approx(13.24, abs=0.01)
    assert float(earth_bulge_m(30_000.0, 30_000.0, 4 / 3)) == pytest.approx(53.0, abs=0.1)


def test_bulge_mid_path_equals_d_squared_over_8_ka() -> None:
    """The sagitta of the effective earth at mid-path: d^2 / (8 k a)."""
    d = 40_000.0
    assert float(earth_bulge_m(d / 2, d / 2, 4 / 3)) == pytest.approx(
        d**2 / (8 * 4 / 3 * 6_371_008.8), rel=1e-12
    )


def test_bulge_textbook_example_off_centre() -> None:
    """A 20 km path, 5 km from one end, k = 4/3, a = 6370 km: 500 x 5 x 15 / (k a) = 4.41 m."""
    published = 500 * 5 * 15 / (1.3333 * 6370)
    assert published == pytest.approx(4.41, abs=0.01)
    assert float(earth_bulge_m(5_000.0, 15_000.0, 4 / 3)) == pytest.approx(published, rel=1e-3)


def test_bulge_doubles_when_k_halves_and_rejects_bad_input() -> None:
    k43 = float(earth_bulge_m(10_000.0, 20_000.0, 4 / 3))
    assert float(earth_bulge_m(10_000.0, 20_000.0, 2 / 3)) == pytest.approx(2 * k43)
    assert math.isnan(float(earth_bulge_m(10_000.0, 20_000.0, 0.0)))
    assert math.isnan(float(earth_bulge_m(-5.0, 20_000.0, 4 / 3)))


# ------------------------------------------------------------------------ profile clearance


def _ridge_profile(length_m: float, ridge_m: float, n: int = 101) -> np.ndarray:
    """A flat 200 m plain with one sample raised by ``ridge_m`` at mid-path."""
    profile = np.full(n, 200.0)
    profile[n // 2] += ridge_m
    return profile


def test_ridge_clearance_by_hand() -> None:
    """20 km at 7 GHz, antennas 40 m over a 200 m plain, a 15 m ridge at mid-path.

    r1 = sqrt(0.042827 x 10 000 x 10 000 / 20 000) = 14.634 m; bulge at k = 4/3:
    1e8 / (2 x 4/3 x 6 371 008.8) = 5.886 m; clearance (240 - 215 - 5.886) / 14.634 = 1.306.
    At k = 2/3 the bulge is 11.772 m: (25 - 11.772) / 14.634 = 0.904.
    """
    profile = _ridge_profile(20_000.0, 15.0)
    wavelength = 299_792_458.0 / 7e9
    r1 = math.sqrt(wavelength * 10_000 * 10_000 / 20_000)
    assert r1 == pytest.approx(14.634, abs=1e-3)
    for k, bulge in ((4 / 3, 5.886), (2 / 3, 11.772)):
        expected = (240.0 - 215.0 - bulge) / r1
        worst = worst_clearance_f1(profile, 20_000.0, 240.0, 240.0, 7_000.0, k_factor=k)
        assert float(worst) == pytest.approx(expected, abs=1e-3)


def test_ridge_that_blocks_at_two_thirds_but_not_four_thirds() -> None:
    """A 24 m ridge at mid-path of 30 km, 7 GHz, antennas 60 m over a 100 m plain.

    r1 = 17.92 m; bulge 13.24 m (k = 4/3), 26.49 m (k = 2/3): clearance
    (60 - 24 - 13.24) / 17.92 = 1.27 F1 at 4/3 (passes 0.6), (60 - 24 - 26.49) / 17.92
    = 0.53 at 2/3 (passes grazing). With a 35 m ridge: (60 - 35 - 13.24) / 17.92 = 0.66 at
    4/3 (passes 0.6), but (60 - 35 - 26.49) / 17.92 = -0.08 at 2/3: below grazing, it fails.
    """
    kwargs = {"path_length_m": 30_000.0, "antenna_a_m": 160.0, "antenna_b_m": 160.0}
    profile = np.full(301, 100.0)
    profile[150] = 135.0
    k43 = float(worst_clearance_f1(profile, frequency_mhz=7_000.0, **kwargs))
    k23 = float(worst_clearance_f1(profile, frequency_mhz=7_000.0, k_factor=2 / 3, **kwargs))
    assert k43 == pytest.approx((25 - 13.244) / 17.922, abs=2e-3)
    assert k43 >= MEDIAN_CLEARANCE_F1
    assert k23 == pytest.approx((25 - 26.487) / 17.922, abs=2e-3)
    assert k23 < SUBREFRACTIVE_CLEARANCE_F1


def test_clearance_follows_a_sloping_line_of_sight() -> None:
    """Antennas at 100 m and 300 m: the sight line at one quarter is at 150 m."""
    profile = np.array([0.0, 140.0, 0.0, 0.0, 0.0])
    c = clearance_f1(profile, 4_000.0, 100.0, 300.0, 10_000.0, k_factor=1e12)
    r1 = math.sqrt(299_792_458.0 / 1e10 * 1_000 * 3_000 / 4_000)
    assert c[1] == pytest.approx(10.0 / r1, rel=1e-6)
    assert math.isnan(c[0]) and math.isnan(c[-1])


def test_unknown_terrain_gives_unknown_clearance() -> None:
    profile = np.array([[0.0, np.nan, 0.0], [0.0, 0.0, 0.0]])
    worst = worst_clearance_f1(profile, [1_000.0, 1_000.0], 30.0, 30.0, 7_000.0)
    assert math.isnan(worst[0]) and worst[1] > 1
    assert worst_clearance_f1(np.zeros(2), 100.0, 1.0, 1.0, 7_000.0) == np.inf
