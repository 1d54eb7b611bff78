"""Tests for coverage.physics.free_space (ITU-R P.525), and the conventions every physics
formula keeps: callable from numba and numpy alike, NaN in NaN out."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from hypothesis import given, strategies as st

from coverage.physics.antenna import antenna_gain_db
from coverage.physics.diffraction import (
    bullington_loss_db,
    deygout_loss_db,
    fresnel_v,
    knife_edge_loss_db,
)
from coverage.physics.free_space import free_space_loss_db, wavelength_m
from coverage.physics.hata import hata_loss_db
from coverage.physics.ranges import hata_validity_flags

# --- compiled for both worlds ---------------------------------------------------------


@numba.njit(cache=False)
def _everything_in_kernel(distances_m, frequency_mhz):
    """Call every scalar formula from nopython code, as the terrain kernels do."""
    out = np.empty((distances_m.size, 5))
    lam = wavelength_m(frequency_mhz)
    for i in range(distances_m.size):
        out[i, 0] = free_space_loss_db(distances_m[i], frequency_mhz)
        out[i, 1] = knife_edge_loss_db(fresnel_v(5.0, distances_m[i], 1000.0, lam))
        out[i, 2] = hata_loss_db(distances_m[i], frequency_mhz, 30.0, 1.5, 0)
        out[i, 3] = antenna_gain_db(distances_m[i] / 100.0, 2.0, 65.0, 10.0, 30.0, 20.0)
        out[i, 4] = hata_validity_flags(distances_m[i], frequency_mhz, 30.0, 1.5)
    return out


@numba.njit(cache=False)
def _profile_losses_in_kernel(distances_m, heights_m):
    return (
        deygout_loss_db(distances_m, heights_m, 30.0, 1.5, 900.0, 4.0 / 3.0),
        bullington_loss_db(distances_m, heights_m, 30.0, 1.5, 900.0, 4.0 / 3.0),
    )


def test_callable_from_njit_and_numpy_alike():
    distances = np.array([500.0, 2000.0, 10_000.0])
    in_kernel = _everything_in_kernel(distances, 900.0)
    lam = wavelength_m(900.0)
    np.testing.assert_allclose(in_kernel[:, 0], free_space_loss_db(distances, 900.0))
    np.testing.assert_allclose(
        in_kernel[:, 1], knife_edge_loss_db(fresnel_v(5.0, distances, 1000.0, lam))
    )
    np.testing.assert_allclose(in_kernel[:, 2], hata_loss_db(distances, 900.0, 30.0, 1.5, 0))
    np.testing.assert_allclose(
        in_kernel[:, 3], antenna_gain_db(distances / 100.0, 2.0, 65.0, 10.0, 30.0, 20.0)
    )
    np.testing.assert_array_equal(in_kernel[:, 4], hata_validity_flags(distances, 900.0, 30, 1.5))
    d = np.array([0.0, 5000.0, 10_000.0])
    h = np.array([0.0, 40.0, 0.0])
    assert _profile_losses_in_kernel(d, h) == (
        deygout_loss_db(d, h, 30.0, 1.5, 900.0),
        bullington_loss_db(d, h, 30.0, 1.5, 900.0),
    )


def test_ufuncs_broadcast_and_keep_shape():
    distances = np.full((3, 4), 2000.0)
    assert free_space_loss_db(distances, 900.0).shape == (3, 4)
    assert hata_loss_db(distances, 900.0, 30.0, 1.5, np.array([0, 1, 2, 3])).shape == (3, 4)


# --- free space, ITU-R P.525 ----------------------------------------------------------


def test_free_space_loss_itu_p525():
    # P.525-4 eq. (6): L = 32.4 + 20 log f_MHz + 20 log d_km (32.45 with the exact constant)
    assert free_space_loss_db(1000.0, 1.0) == pytest.approx(32.45, abs=0.01)
    assert free_space_loss_db(10_000.0, 900.0) == pytest.approx(
        32.45 + 20 * math.log10(900) + 20, abs=0.01
    )
    assert free_space_loss_db(100.0, 2400.0) == pytest.approx(80.05, abs=0.01)


def test_free_space_clamps_short_distances_to_one_metre():
    at_one_metre = free_space_loss_db(1.0, 900.0)
    assert free_space_loss_db(0.0, 900.0) == at_one_metre
    assert free_space_loss_db(-5.0, 900.0) == at_one_metre
    assert free_space_loss_db(0.3, 900.0) == at_one_metre


@given(st.floats(1.0, 1e6), st.floats(1.0, 1e6), st.floats(30.0, 6000.0))
def test_free_space_grows_with_distance(d_a, d_b, f):
    near, far = sorted((d_a, d_b))
    assert free_space_loss_db(far, f) >= free_space_loss_db(near, f)
    assert free_space_loss_db(far, f) - free_space_loss_db(near, f) == pytest.approx(
        20 * math.log10(far / near), abs=1e-9
    )


# --- NaN never turns into a finite number ---------------------------------------------


def test_nan_inputs_give_nan_without_warnings():
    values = np.array([np.nan, 1000.0])
    assert np.isnan(free_space_loss_db(values, 900.0)[0])
    assert np.isnan(free_space_loss_db(1000.0, values)[0])
    assert np.isnan(knife_edge_loss_db(values)[0])
    for position in range(4):
        args = [1000.0, 1000.0, 1000.0, 0.3]
        args[position] = values
        assert np.isnan(fresnel_v(*args)[0])
    for position in range(4):
        args = [2000.0, 900.0, 30.0, 1.5]
        args[position] = values
        for environment in range(4):
            result = hata_loss_db(*args, environment)
            assert np.isnan(result[0]) and np.isfinite(result[1])
    assert math.isnan(free_space_loss_db(1000.0, -900.0))
    assert math.isnan(hata_loss_db(2000.0, 900.0, -30.0, 1.5, 0))
