"""Tests for coverage.physics.hata: Okumura-Hata and COST-231 against published numbers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from coverage.physics.hata import METROPOLITAN, OPEN, SUBURBAN, URBAN, hata_loss_db

# --- Okumura-Hata and COST-231 --------------------------------------------------------


def test_hata_published_worked_example():
    # rfwireless-world.com "Hata Model Path Loss Calculator" worked example:
    # 900 MHz, h_b 100 m, h_m 2 m, 4 km, small/medium city: a(h_m) = 1.29 dB, L = 137.05 dB
    assert hata_loss_db(4000.0, 900.0, 100.0, 2.0, URBAN) == pytest.approx(137.05, abs=0.01)


def test_hata_large_city_worked_example():
    # wireless-telemedicine.aydos.de "Hata path loss in a large city": 900 MHz, h_b 50 m,
    # h_m 1.5 m, 5 km, a(h_m) = 3.2 (log 11.75 h_m)^2 - 4.97 = -0.0009 dB -> "146" (int)
    loss = hata_loss_db(5000.0, 900.0, 50.0, 1.5, METROPOLITAN)
    assert 146.0 <= loss < 147.0
    assert loss == pytest.approx(146.96, abs=0.01)


@pytest.mark.parametrize(
    ("environment", "expected"),
    [(URBAN, 137.88), (METROPOLITAN, 137.93), (SUBURBAN, 128.03)],
)
def test_hata_matches_ns3_reference_values(environment, expected):
    # ns-3 okumura-hata test suite (octave reference scripts), 869 MHz, 2 km, h_b 30, h_m 1
    assert hata_loss_db(2000.0, 869.0, 30.0, 1.0, environment) == pytest.approx(expected, abs=0.01)


def test_hata_open_area_correction_is_hata_eq_6():
    # Hata (1980) eq. (6): L_o = L_u - 4.78 (log f)^2 + 18.33 log f - 40.94
    for f in (150.0, 450.0, 900.0, 1500.0):
        log_f = math.log10(f)
        difference = hata_loss_db(5000.0, f, 40.0, 1.5, URBAN) - hata_loss_db(
            5000.0, f, 40.0, 1.5, OPEN
        )
        assert difference == pytest.approx(4.78 * log_f**2 - 18.33 * log_f + 40.94)


def test_cost231_matches_ns3_reference_value():
    # ns-3 okumura-hata test suite, COST-231 branch: 2114 MHz, 2 km, h_b 30, h_m 1,
    # "small city and suburban" (C_m = 0): 150.64 dB
    assert hata_loss_db(2000.0, 2114.0, 30.0, 1.0, URBAN) == pytest.approx(150.64, abs=0.01)
    assert hata_loss_db(2000.0, 2114.0, 30.0, 1.0, SUBURBAN) == pytest.approx(150.64, abs=0.01)


def test_cost231_metropolitan_adds_three_db_and_large_city_a_hm():
    f, hm = 1800.0, 1.5
    log_f = math.log10(f)
    a_medium = (1.1 * log_f - 0.7) * hm - (1.56 * log_f - 0.8)
    a_large = 3.2 * math.log10(11.75 * hm) ** 2 - 4.97
    urban = hata_loss_db(3000.0, f, 30.0, hm, URBAN)
    metro = hata_loss_db(3000.0, f, 30.0, hm, METROPOLITAN)
    assert metro - urban == pytest.approx(3.0 + a_medium - a_large)
    # COST 231 §4.4.1 constants: 46.3 + 33.9 log f instead of Hata's 69.55 + 26.16 log f
    hata_form = hata_loss_db(3000.0, 1500.0, 30.0, hm, URBAN)
    cost_form = hata_loss_db(3000.0, 1500.0 + 1e-9, 30.0, hm, URBAN)
    assert cost_form - hata_form == pytest.approx(
        46.3 - 69.55 + (33.9 - 26.16) * math.log10(1500.0), abs=1e-6
    )


@settings(max_examples=60)
@given(
    st.floats(1.0, 50_000.0),
    st.floats(1.0, 50_000.0),
    st.floats(150.0, 2000.0),
    st.floats(30.0, 200.0),
    st.floats(1.0, 10.0),
    st.integers(0, 3),
)
def test_hata_grows_with_distance(d_a, d_b, f, hb, hm, environment):
    near, far = sorted((d_a, d_b))
    assert hata_loss_db(far, f, hb, hm, environment) >= hata_loss_db(near, f, hb, hm, environment)


def test_hata_rejects_unknown_environment_with_nan():
    assert math.isnan(hata_loss_db(2000.0, 900.0, 30.0, 1.5, 7))
    assert math.isnan(hata_loss_db(2000.0, 900.0, 30.0, 1.5, -1))
