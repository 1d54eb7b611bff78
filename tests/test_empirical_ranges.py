"""Tests for coverage.physics.ranges: the published Hata / COST-231 validity ranges."""

from __future__ import annotations

import numpy as np
import pytest

from coverage.errors import ModelRangeError
from coverage.physics.ranges import (
    COST231_RANGE,
    HATA_RANGE,
    check_model_range,
    hata_validity_flags,
)
from coverage.validity import Validity

# --- validity -------------------------------------------------------------------------


def test_ranges_are_the_published_ones():
    assert HATA_RANGE.frequency_mhz == (150.0, 1500.0)
    assert COST231_RANGE.frequency_mhz == (1500.0, 2000.0)
    assert HATA_RANGE.distance_m == (1000.0, 20_000.0)
    assert HATA_RANGE.base_height_m == (30.0, 200.0)
    assert HATA_RANGE.mobile_height_m == (1.0, 10.0)


def test_check_model_range_passes_inside_and_ignores_terrain_models():
    check_model_range("hata", frequency_mhz=900, base_height_m=30, mobile_height_m=1.5)
    check_model_range(
        "hata", frequency_mhz=1800, base_height_m=30, mobile_height_m=1.5, distance_m=5000
    )
    check_model_range("diffraction", frequency_mhz=3500, base_height_m=5, mobile_height_m=0.5)


@pytest.mark.parametrize(
    ("model", "kwargs", "parameter", "shown", "valid"),
    [
        ("hata", {"base_height_m": 15.0}, "base_height_m", "15 m", "[30, 200] m"),
        ("hata", {"mobile_height_m": 12.0}, "mobile_height_m", "12 m", "[1, 10] m"),
        ("hata", {"frequency_mhz": 2600.0}, "frequency_mhz", "2600 MHz", "[150, 2000] MHz"),
        ("cost231", {"frequency_mhz": 900.0}, "frequency_mhz", "900 MHz", "[1500, 2000] MHz"),
        (
            "hata",
            {"distance_m": np.array([1500.0, 500.0, 25_000.0])},
            "distance_m",
            "500 m",
            "[1000, 20000] m",
        ),
        ("hata", {"base_height_m": float("nan")}, "base_height_m", "nan m", "[30, 200] m"),
    ],
)
def test_check_model_range_names_parameter_value_range_and_fix(
    model, kwargs, parameter, shown, valid
):
    inputs = {"frequency_mhz": 900.0, "base_height_m": 30.0, "mobile_height_m": 1.5} | kwargs
    if model == "cost231" and "frequency_mhz" not in kwargs:
        inputs["frequency_mhz"] = 1800.0
    with pytest.raises(ModelRangeError) as caught:
        check_model_range(model, **inputs)
    message = str(caught.value)
    assert f"{parameter} = {shown}" in message
    assert valid in message
    assert 'model="diffraction"' in message
    assert isinstance(caught.value, ValueError)


def test_validity_flags_match_the_model_enum():
    assert hata_validity_flags(5000.0, 900.0, 30.0, 1.5) == Validity.OK
    assert hata_validity_flags(500.0, 900.0, 30.0, 1.5) == Validity.DISTANCE_OUT_OF_RANGE
    assert hata_validity_flags(25_000.0, 900.0, 30.0, 1.5) == Validity.DISTANCE_OUT_OF_RANGE
    assert hata_validity_flags(5000.0, 900.0, 20.0, 1.5) == Validity.HEIGHT_OUT_OF_RANGE
    assert hata_validity_flags(5000.0, 900.0, 30.0, 12.0) == Validity.HEIGHT_OUT_OF_RANGE
    assert hata_validity_flags(5000.0, 2600.0, 30.0, 1.5) == Validity.FREQUENCY_OUT_OF_RANGE
    assert hata_validity_flags(5000.0, 1800.0, 30.0, 1.5) == Validity.OK
    everything = hata_validity_flags(np.nan, np.nan, np.nan, 1.5)
    assert everything == (
        Validity.DISTANCE_OUT_OF_RANGE
        | Validity.HEIGHT_OUT_OF_RANGE
        | Validity.FREQUENCY_OUT_OF_RANGE
    )
    flags = hata_validity_flags(np.array([500.0, 5000.0]), 900.0, 30.0, 1.5)
    assert flags.dtype == np.uint8
    np.testing.assert_array_equal(flags, [1, 0])
