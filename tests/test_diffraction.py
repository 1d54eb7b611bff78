"""Tests for coverage.physics.diffraction: ITU-R P.526 knife edge, Deygout and Bullington."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.special import fresnel

from coverage.physics.diffraction import (
    bullington_loss_db,
    deygout_loss_db,
    fresnel_v,
    knife_edge_loss_db,
)
from coverage.physics.free_space import wavelength_m
from coverage.settings import EARTH_RADIUS_M

K43 = 4.0 / 3.0


def exact_knife_edge_db(v):
    """ITU-R P.526-15 eq. (27): J(v) from the Fresnel integrals (scipy)."""
    s, c = fresnel(v)
    return -20.0 * np.log10(np.sqrt((1 - c - s) ** 2 + (c - s) ** 2) / 2.0)


def bulge_m(d1_m, d2_m, k=K43):
    return d1_m * d2_m / (2.0 * k * EARTH_RADIUS_M)


# --- knife edge, ITU-R P.526 ----------------------------------------------------------


def test_knife_edge_grazing_is_six_db():
    # P.526 §4.1: v = 0 (grazing) gives 6.02 dB exactly, 6.03 with eq. (31)
    assert exact_knife_edge_db(0.0) == pytest.approx(6.02, abs=0.01)
    assert knife_edge_loss_db(0.0) == pytest.approx(6.03, abs=0.01)
    assert knife_edge_loss_db(-0.78) == 0.0
    assert knife_edge_loss_db(-3.0) == 0.0


def test_knife_edge_approximation_matches_fresnel_integrals():
    # P.526 gives eq. (31) as an approximation of eq. (27) for v > -0.78; measured here:
    # at most 0.13 dB apart from -0.78 to 20.
    v = np.linspace(-0.78, 20.0, 5000)
    difference = knife_edge_loss_db(v) - exact_knife_edge_db(v)
    assert np.abs(difference).max() < 0.15
    for v_point, expected in [(-0.5, 1.86), (1.0, 13.86), (2.0, 19.09), (3.0, 22.52)]:
        assert knife_edge_loss_db(v_point) == pytest.approx(expected, abs=0.15)


@given(st.floats(-0.78, 50.0), st.floats(-0.78, 50.0))
def test_knife_edge_grows_with_v(v_a, v_b):
    low, high = sorted((v_a, v_b))
    assert knife_edge_loss_db(high) >= knife_edge_loss_db(low)


def test_fresnel_v_matches_p526_angle_form():
    # P.526-15 eq. (26) and the equivalent angle form v = sqrt(2 d alpha1 alpha2 / lambda)
    h, d1, d2, lam = 12.0, 3000.0, 7000.0, wavelength_m(1800.0)
    by_angles = math.sqrt(2 * (d1 + d2) / lam * (h / d1) * (h / d2))
    assert fresnel_v(h, d1, d2, lam) == pytest.approx(by_angles)
    assert fresnel_v(-h, d1, d2, lam) == pytest.approx(-by_angles)
    assert wavelength_m(299.792458) == pytest.approx(1.0)


def test_fresnel_v_rejects_non_positive_distances():
    assert math.isnan(fresnel_v(1.0, 0.0, 100.0, 0.3))
    assert math.isnan(fresnel_v(1.0, 100.0, -1.0, 0.3))


# --- terrain profiles: Deygout and Bullington -----------------------------------------


def single_edge_profile(edge_height_m=40.0, edge_at_m=4000.0, total_m=10_000.0, n=51):
    """A knife edge over a deep valley (ends at 0 m, valley floor at -300 m), so no
    other point comes near the first Fresnel zone."""
    distances = np.linspace(0.0, total_m, n)
    heights = np.full(n, -300.0)
    heights[[0, -1]] = 0.0
    heights[np.argmin(np.abs(distances - edge_at_m))] = edge_height_m
    return distances, heights


def test_deygout_single_edge_is_j_of_v():
    distances, heights = single_edge_profile()
    f, h_tx, h_rx = 900.0, 30.0, 1.5
    d1, d2 = 4000.0, 6000.0
    line = h_tx + (h_rx - h_tx) * d1 / 10_000.0
    v = fresnel_v(40.0 + bulge_m(d1, d2) - line, d1, d2, wavelength_m(f))
    expected = knife_edge_loss_db(v)
    assert deygout_loss_db(distances, heights, h_tx, h_rx, f) == pytest.approx(expected)
    assert expected > 10.0


def test_bullington_equals_deygout_for_a_single_knife_edge():
    for edge_height in (5.0, 20.0, 60.0, 150.0):
        distances, heights = single_edge_profile(edge_height_m=edge_height)
        for f in (450.0, 900.0, 1800.0):
            assert bullington_loss_db(distances, heights, 30.0, 1.5, f) == pytest.approx(
                deygout_loss_db(distances, heights, 30.0, 1.5, f), rel=1e-9
            )


def test_line_of_sight_profiles_lose_nothing():
    distances = np.linspace(0.0, 3000.0, 31)
    heights = np.zeros(31)
    assert deygout_loss_db(distances, heights, 60.0, 60.0, 900.0) == 0.0
    assert bullington_loss_db(distances, heights, 60.0, 60.0, 900.0) == 0.0
    two_points = np.array([0.0, 1000.0])
    assert deygout_loss_db(two_points, np.zeros(2), 1.0, 1.0, 900.0) == 0.0
    assert bullington_loss_db(two_points, np.zeros(2), 1.0, 1.0, 900.0) == 0.0


def test_partial_fresnel_obstruction_in_line_of_sight():
    # Edge just below the ray (-0.78 < v < 0): Bullington case 1 and Deygout both give J(v_max)
    distances, heights = single_edge_profile(edge_height_m=20.0, edge_at_m=5000.0)
    d1 = d2 = 5000.0
    line = 25.0
    v = fresnel_v(20.0 + bulge_m(d1, d2) - line, d1, d2, wavelength_m(900.0))
    assert -0.78 < v < 0.0
    expected = knife_edge_loss_db(v)
    assert bullington_loss_db(distances, heights, 25.0, 25.0, 900.0) == pytest.approx(expected)
    assert deygout_loss_db(distances, heights, 25.0, 25.0, 900.0) == pytest.approx(expected)


def three_peak_profile():
    distances = np.linspace(0.0, 20_000.0, 201)
    heights = np.zeros(201)
    heights[30] = 80.0  # 3 km
    heights[100] = 140.0  # 10 km: the principal edge
    heights[160] = 90.0  # 16 km
    return distances, heights


def test_deygout_three_edges_by_hand():
    distances, heights = three_peak_profile()
    f, h_tx, h_rx = 900.0, 40.0, 2.0
    lam = wavelength_m(f)
    total = 20_000.0
    z = heights + bulge_m(distances, total - distances)
    z[0] += h_tx
    z[-1] += h_rx

    def v_of(i, a, b):
        x_a, x_b, x_i = distances[a], distances[b], distances[i]
        line = z[a] + (z[b] - z[a]) * (x_i - x_a) / (x_b - x_a)
        return fresnel_v(z[i] - line, x_i - x_a, x_b - x_i, lam)

    v_p = v_of(100, 0, 200)
    v_t = v_of(30, 0, 100)
    v_r = v_of(160, 100, 200)
    classic = knife_edge_loss_db(v_p) + knife_edge_loss_db(v_t) + knife_edge_loss_db(v_r)
    assert deygout_loss_db(distances, heights, h_tx, h_rx, f) == pytest.approx(classic)
    l_p = knife_edge_loss_db(v_p)
    corrected = l_p + (1 - math.exp(-l_p / 6)) * (
        knife_edge_loss_db(v_t) + knife_edge_loss_db(v_r) + 10.0 + 0.04 * 20.0
    )
    assert deygout_loss_db(distances, heights, h_tx, h_rx, f, K43, True) == pytest.approx(corrected)


def test_bullington_transhorizon_point_by_hand():
    # Two edges: the steepest ray from Tx and the steepest ray from Rx meet at the
    # Bullington point; compare with an independent line intersection.
    distances = np.linspace(0.0, 12_000.0, 121)
    heights = np.zeros(121)
    heights[30] = 100.0  # 3 km
    heights[90] = 70.0  # 9 km
    f, h_tx, h_rx, k = 1800.0, 30.0, 1.5, 1.0  # k = 1: geometric Earth
    total = 12_000.0
    z = heights + distances * (total - distances) / (2 * k * EARTH_RADIUS_M)
    z_t, z_r = h_tx, h_rx
    slope_t = (z[30] - z_t) / 3000.0
    slope_r = (z[90] - z_r) / 3000.0
    # lines: z_t + slope_t x  and  z_r + slope_r (total - x)
    x_b = (z_r - z_t + slope_r * total) / (slope_t + slope_r)
    height_b = z_t + slope_t * x_b - (z_t + (z_r - z_t) * x_b / total)
    v_b = fresnel_v(height_b, x_b, total - x_b, wavelength_m(f))
    expected = knife_edge_loss_db(v_b)
    assert bullington_loss_db(distances, heights, h_tx, h_rx, f, k) == pytest.approx(expected)
    corrected = expected + (1 - math.exp(-expected / 6)) * (10 + 0.02 * 12.0)
    assert bullington_loss_db(distances, heights, h_tx, h_rx, f, k, True) == pytest.approx(
        corrected
    )


def test_earth_bulge_adds_loss_and_k_factor_matters():
    distances = np.linspace(0.0, 40_000.0, 401)
    heights = np.zeros(401)
    flat_k43 = deygout_loss_db(distances, heights, 30.0, 30.0, 900.0, K43)
    flat_k1 = deygout_loss_db(distances, heights, 30.0, 30.0, 900.0, 1.0)
    # bulge at mid-path: 20 km * 20 km / (2 k R) = 23.5 m (k 4/3) and 31.4 m (k 1)
    assert flat_k1 > flat_k43 > 0.0
    assert bullington_loss_db(distances, heights, 30.0, 30.0, 900.0, 1.0) > 0.0


@settings(max_examples=40, deadline=None)
@given(st.floats(-20.0, 300.0), st.floats(-20.0, 300.0), st.floats(200.0, 3000.0))
def test_profile_losses_grow_with_the_obstacle(height_a, height_b, f):
    low, high = sorted((height_a, height_b))
    for method in (deygout_loss_db, bullington_loss_db):
        d, h_low = single_edge_profile(edge_height_m=low)
        _, h_high = single_edge_profile(edge_height_m=high)
        assert method(d, h_high, 30.0, 1.5, f) >= method(d, h_low, 30.0, 1.5, f) - 1e-9


@pytest.mark.parametrize("method", [deygout_loss_db, bullington_loss_db])
def test_profile_nan_propagates_and_bad_order_raises(method):
    distances, heights = single_edge_profile()
    with_void = heights.copy()
    with_void[10] = np.nan
    assert math.isnan(method(distances, with_void, 30.0, 1.5, 900.0))
    assert math.isnan(method(distances, heights, np.nan, 1.5, 900.0))
    assert math.isnan(method(distances, heights, 30.0, np.nan, 900.0))
    assert math.isnan(method(distances, heights, 30.0, 1.5, np.nan))
    bad_distances = distances.copy()
    bad_distances[5] = np.nan
    assert math.isnan(method(bad_distances, heights, 30.0, 1.5, 900.0))
    assert math.isnan(method(np.array([0.0]), np.array([0.0]), 30.0, 1.5, 900.0))
    with pytest.raises(ValueError, match="increase"):
        method(distances[::-1].copy(), heights, 30.0, 1.5, 900.0)
