"""Tests for coverage.physics.antenna: the 3GPP parabolic sector pattern."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from hypothesis import given, strategies as st

from coverage.physics.antenna import antenna_gain_db

# 3GPP TR 36.814 Table A.2.1.1-2: phi_3dB 70, A_m 25, theta_3dB 10, SLA_v 20
TR36814 = (70.0, 10.0, 25.0, 20.0)
# 3GPP TR 38.901 Table 7.3-1: phi_3dB 65, A_m 30, theta_3dB 65, SLA_v 30
TR38901 = (65.0, 65.0, 30.0, 30.0)


def test_zero_at_boresight_and_minus_three_at_half_beamwidth():
    assert antenna_gain_db(0.0, 0.0, *TR36814) == 0.0
    assert antenna_gain_db(35.0, 0.0, *TR36814) == pytest.approx(-3.0)
    assert antenna_gain_db(-35.0, 0.0, *TR36814) == pytest.approx(-3.0)
    assert antenna_gain_db(0.0, 5.0, *TR36814) == pytest.approx(-3.0)
    assert antenna_gain_db(0.0, -5.0, *TR36814) == pytest.approx(-3.0)


def test_tr36814_values():
    # A_H(phi) = -min(12 (phi/70)^2, 25): 70 deg -> -12 dB; beyond ~101 deg -> -25 dB
    assert antenna_gain_db(70.0, 0.0, *TR36814) == pytest.approx(-12.0)
    assert antenna_gain_db(120.0, 0.0, *TR36814) == pytest.approx(-25.0)
    # A_V floor is SLA_v = 20 dB
    assert antenna_gain_db(0.0, 30.0, *TR36814) == pytest.approx(-20.0)
    # combined: -min(-(A_H + A_V), A_m): 12 + 20 = 32 is floored at 25
    assert antenna_gain_db(70.0, 30.0, *TR36814) == pytest.approx(-25.0)
    # combined below the floor adds: 35 deg and 5 deg -> -6 dB
    assert antenna_gain_db(35.0, 5.0, *TR36814) == pytest.approx(-6.0)


def test_tr38901_values():
    assert antenna_gain_db(65.0, 0.0, *TR38901) == pytest.approx(-12.0)
    assert antenna_gain_db(180.0, 0.0, *TR38901) == pytest.approx(-30.0)
    assert antenna_gain_db(0.0, 32.5, *TR38901) == pytest.approx(-3.0)


@given(
    st.floats(-720.0, 720.0),
    st.floats(-90.0, 90.0),
    st.floats(10.0, 180.0),
    st.floats(3.0, 30.0),
    st.floats(10.0, 40.0),
    st.floats(10.0, 40.0),
)
def test_symmetric_bounded_and_periodic(azimuth, elevation, bw_h, bw_v, am, sla):
    gain = antenna_gain_db(azimuth, elevation, bw_h, bw_v, am, sla)
    assert -am - 1e-9 <= gain <= 0.0
    assert antenna_gain_db(-azimuth, elevation, bw_h, bw_v, am, sla) == pytest.approx(gain)
    assert antenna_gain_db(azimuth, -elevation, bw_h, bw_v, am, sla) == pytest.approx(gain)
    assert antenna_gain_db(azimuth + 360.0, elevation, bw_h, bw_v, am, sla) == pytest.approx(
        gain, abs=1e-6
    )


@given(st.floats(0.0, 180.0), st.floats(0.0, 180.0))
def test_gain_falls_away_from_boresight(phi_a, phi_b):
    near, far = sorted((phi_a, phi_b))
    assert antenna_gain_db(far, 0.0, *TR38901) <= antenna_gain_db(near, 0.0, *TR38901)


def test_omni_and_no_vertical_pattern():
    for omni in (np.nan, 360.0, 400.0):
        assert antenna_gain_db(137.0, 0.0, omni, 10.0, 25.0, 20.0) == 0.0
        assert antenna_gain_db(137.0, 5.0, omni, 10.0, 25.0, 20.0) == pytest.approx(-3.0)
    assert antenna_gain_db(35.0, 40.0, 70.0, np.nan, 25.0, np.nan) == pytest.approx(-3.0)
    assert antenna_gain_db(0.0, 40.0, np.nan, np.nan, 25.0, np.nan) == 0.0


def test_nan_and_invalid_inputs_give_nan():
    assert math.isnan(antenna_gain_db(np.nan, 0.0, *TR36814))
    assert math.isnan(antenna_gain_db(0.0, np.nan, *TR36814))
    assert math.isnan(antenna_gain_db(0.0, 0.0, 70.0, 10.0, np.nan, 20.0))
    assert math.isnan(antenna_gain_db(0.0, 0.0, 70.0, 10.0, 25.0, np.nan))
    assert math.isnan(antenna_gain_db(0.0, 0.0, 0.0, 10.0, 25.0, 20.0))
    assert math.isnan(antenna_gain_db(0.0, 0.0, 70.0, -1.0, 25.0, 20.0))
    assert math.isnan(antenna_gain_db(0.0, 0.0, 70.0, 10.0, -25.0, 20.0))


@numba.njit(cache=False)
def _gains_in_kernel(azimuths):
    out = np.empty(azimuths.size)
    for i in range(azimuths.size):
        out[i] = antenna_gain_db(azimuths[i], 3.0, 65.0, 10.0, 30.0, 20.0)
    return out


def test_callable_from_njit():
    azimuths = np.linspace(-180.0, 180.0, 37)
    np.testing.assert_array_equal(
        _gains_in_kernel(azimuths), antenna_gain_db(azimuths, 3.0, 65.0, 10.0, 30.0, 20.0)
    )
