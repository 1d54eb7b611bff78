"""Tests for coverage.physics.clutter: the ITU-R P.2108 §3.1 terminal correction."""

from __future__ import annotations

import math

import pytest

from coverage.errors import ModelRangeError
from coverage.physics.clutter import clutter_loss_db
from coverage.physics.diffraction import knife_edge_loss_db

# --- clutter, ITU-R P.2108 §3.1 -------------------------------------------------------


def test_clutter_loss_p2108_terminal_correction():
    f_ghz, h, r, ws = 0.9, 1.5, 15.0, 27.0
    h_dif = r - h
    nu = 0.342 * math.sqrt(f_ghz) * math.sqrt(h_dif * math.degrees(math.atan(h_dif / ws)))
    assert clutter_loss_db("forest", frequency_mhz=900.0) == pytest.approx(
        knife_edge_loss_db(nu) - 6.03
    )
    k_h2 = 21.8 + 6.2 * math.log10(f_ghz)
    assert clutter_loss_db("open", frequency_mhz=900.0) == pytest.approx(
        -k_h2 * math.log10(1.5 / 10.0)
    )
    assert clutter_loss_db("forest", frequency_mhz=900.0, antenna_height_m=15.0) == 0.0
    forest_low = clutter_loss_db("forest", frequency_mhz=700.0)
    forest_high = clutter_loss_db("forest", frequency_mhz=2600.0)
    assert forest_high > forest_low > 0.0


def test_clutter_loss_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="unknown clutter"):
        clutter_loss_db("jungle", frequency_mhz=900.0)
    with pytest.raises(ModelRangeError, match="30, 3000"):
        clutter_loss_db("forest", frequency_mhz=3500.0)
