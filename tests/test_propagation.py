"""Tests for coverage.propagation: each formula against its source's own numbers."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

from coverage.propagation import (
    free_space_loss_db,
    fresnel_v,
    hata_loss_db,
    knife_edge_loss_db,
    wavelength_m,
)


@numba.njit(cache=False)
def _losses_in_kernel(distances_m, frequency_mhz):
    """Call every scalar formula from nopython code, as the terrain kernels do."""
    out = np.empty((distances_m.size, 3))
    lam = wavelength_m(frequency_mhz)
    for i in range(distances_m.size):
        out[i, 0] = free_space_loss_db(distances_m[i], frequency_mhz)
        out[i, 1] = knife_edge_loss_db(fresnel_v(5.0, distances_m[i], 1000.0, lam))
        out[i, 2] = hata_loss_db(distances_m[i], frequency_mhz, 30.0, 1.5, 0)
    return out


def test_callable_from_njit_and_numpy_alike():
    distances = np.array([500.0, 2000.0, 10_000.0])
    in_kernel = _losses_in_kernel(distances, 900.0)
    lam = wavelength_m(900.0)
    np.testing.assert_allclose(in_kernel[:, 0], free_space_loss_db(distances, 900.0))
    np.testing.assert_allclose(
        in_kernel[:, 1], knife_edge_loss_db(fresnel_v(5.0, distances, 1000.0, lam))
    )
    np.testing.assert_allclose(in_kernel[:, 2], hata_loss_db(distances, 900.0, 30.0, 1.5, 0))


def test_free_space_loss_itu_p525():
    # P.525-4 eq. (6): 32.4 + 20 log f_MHz + 20 log d_km (the exact constant is 32.45)
    assert free_space_loss_db(1000.0, 1.0) == pytest.approx(32.45, abs=0.01)
    assert free_space_loss_db(10_000.0, 900.0) == pytest.approx(32.45 + 20 * math.log10(900) + 20, abs=0.01)


def test_knife_edge_grazing_is_six_db():
    # P.526 §4.1: v = 0 (grazing) gives about 6 dB
    assert knife_edge_loss_db(0.0) == pytest.approx(6.03, abs=0.01)
    assert knife_edge_loss_db(-0.78) == 0.0
