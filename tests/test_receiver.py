"""Tests for coverage.physics.receiver: thresholds and which power an EIRP means."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coverage.physics.receiver import (
    DEFAULT_THRESHOLDS_DBM,
    measured_power_dbm,
    rsrp_from_total_power_dbm,
)

# --- receiver side --------------------------------------------------------------------


def test_default_thresholds():
    assert DEFAULT_THRESHOLDS_DBM == {"2G": -95.0, "3G": -100.0, "4G": -110.0, "5G": -110.0}


def test_rsrp_from_total_power():
    # 20 MHz LTE, 100 resource blocks x 12 subcarriers: -10 log10(1200) = -30.8 dB
    assert rsrp_from_total_power_dbm(0.0) == pytest.approx(-30.79, abs=0.01)
    assert rsrp_from_total_power_dbm(46.0, 50) == pytest.approx(46.0 - 27.78, abs=0.01)
    np.testing.assert_allclose(
        rsrp_from_total_power_dbm(np.array([40.0, 43.0]), 25), [15.23, 18.23], atol=0.01
    )
    with pytest.raises(ValueError, match="n_resource_blocks"):
        rsrp_from_total_power_dbm(40.0, 0)


def test_measured_power_says_what_an_eirp_means():
    assert measured_power_dbm(58.0, "2G") == 58.0
    assert measured_power_dbm(58.0, "3G") == 48.0
    assert measured_power_dbm(61.0, "4G") == pytest.approx(61.0 - 30.79, abs=0.01)
    assert measured_power_dbm(61.0, "5G", n_resource_blocks=273) == pytest.approx(
        61.0 - 10 * math.log10(12 * 273)
    )
    assert measured_power_dbm(18.0, "4G", eirp_is="measured") == 18.0
    with pytest.raises(ValueError, match="technology"):
        measured_power_dbm(61.0, "6G")
    with pytest.raises(ValueError, match="eirp_is"):
        measured_power_dbm(61.0, "4G", eirp_is="peak")
