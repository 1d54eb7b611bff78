"""ItmEnvironment (coverage.physics.itm.environment): defaults, checks, and the call paths."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from coverage.errors import ModelRangeError
from coverage.physics.itm.area import AREA_ENVIRONMENT, itm_area_detail, itm_area_loss
from coverage.physics.itm.core import (
    ERR_CLIMATE,
    ERR_FREQUENCY,
    ERR_NONE,
    ERR_POLARIZATION,
    ERR_REFRACTIVITY,
    ERR_TX_HEIGHT,
    input_check,
)
from coverage.physics.itm.environment import (
    LAO_CAI_CLIMATE,
    ItmEnvironment,
    RadioClimate,
    as_environment,
)
from coverage.physics.itm.p2p import itm_p2p_detail, itm_p2p_loss

RIDGE = 600.0 + 350.0 * np.exp(-(((np.arange(401) - 220) / 30.0) ** 2))  # 12 km at 30 m
LINK = {"h_tx_m": 30.0, "h_rx_m": 1.5, "frequency_mhz": 900.0}


def test_defaults_are_lao_cais_documented_values() -> None:
    lao_cai = ItmEnvironment()
    assert dataclasses.asdict(lao_cai) == {
        "polarization": "vertical",
        "epsilon": 15.0,
        "sigma": 0.005,
        "n0": 301.0,
        "climate": RadioClimate.CONTINENTAL_SUBTROPICAL,
        "mdvar": 12,
        "time_pct": 50.0,
        "location_pct": 50.0,
        "situation_pct": 50.0,
    }
    assert lao_cai.climate is LAO_CAI_CLIMATE
    assert lao_cai.kernel_args == (1, 15.0, 0.005, 301.0, 2, 12, 50.0, 50.0, 50.0)
    assert lao_cai.replace(mdvar=2) == AREA_ENVIRONMENT


def test_values_are_normalised_so_equal_meanings_are_equal() -> None:
    by_codes = ItmEnvironment(polarization=1, climate=2, n0=301, mdvar=np.int64(12))
    by_names = ItmEnvironment(polarization=" Vertical", climate="Continental subtropical")
    assert by_codes == by_names == ItmEnvironment()
    assert hash(by_codes) == hash(ItmEnvironment())
    assert isinstance(by_codes.n0, float) and type(by_codes.mdvar) is int
    assert ItmEnvironment(polarization=0).polarization == "horizontal"


def test_replace_changes_one_field_and_checks_it_again() -> None:
    humid = ItmEnvironment().replace(n0=320.0)
    assert humid.n0 == 320.0
    assert dataclasses.replace(humid, n0=301.0) == ItmEnvironment()
    with pytest.raises(ModelRangeError, match="n0=450.0 is outside ITM's valid range: 250 to 400"):
        humid.replace(n0=450.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        humid.n0 = 250.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("polarization", "circular", "polarization='circular' is not one of 'horizontal', 'vert"),
        ("polarization", 2, "polarization=2 is outside ITM's valid range: 'horizontal' \\(0\\)"),
        ("polarization", 1.0, "polarization=1.0 must be one of"),
        ("epsilon", 0.5, "epsilon=0.5 is outside ITM's valid range: relative permittivity >= 1"),
        ("epsilon", "wet", "epsilon='wet' must be a number"),
        ("sigma", 0.0, "sigma=0.0 is outside ITM's valid range: conductivity > 0 S/m"),
        ("sigma", math.inf, "sigma=inf must be a finite number"),
        ("n0", 200.0, "n0=200.0 is outside ITM's valid range: 250 to 400 N-units"),
        ("climate", 0, "climate=0 is outside ITM's valid range: 1 to 7"),
        ("climate", "tundra", "climate='tundra' is not one of \\['continental_subtropical'"),
        ("mdvar", 4, "mdvar=4 is outside ITM's valid range: 0-3, plus 10 and/or 20"),
        ("mdvar", True, "mdvar=True must be one of 0..3, 10..13"),
        ("time_pct", 100.0, "time_pct=100.0 is outside ITM's valid range: strictly between 0"),
        ("location_pct", 0.0, "location_pct=0.0 is outside ITM's valid range: strictly betwe"),
        ("situation_pct", math.nan, "situation_pct=nan must be a finite number"),
    ],
)
def test_each_invalid_value_names_the_parameter_and_its_range(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(ModelRangeError, match=message):
        ItmEnvironment(**{field: value})  # type: ignore[arg-type]


def test_as_environment_defaults_and_refuses_loose_options() -> None:
    assert as_environment(None) == ItmEnvironment()
    assert as_environment(None, default=AREA_ENVIRONMENT) is AREA_ENVIRONMENT
    desert = ItmEnvironment(climate="desert")
    assert as_environment(desert) is desert
    with pytest.raises(TypeError, match="itm must be an ItmEnvironment, got dict"):
        as_environment({"n0": 320.0})  # type: ignore[arg-type]


def test_checked_link_names_the_terminal_and_its_range() -> None:
    assert ItmEnvironment().checked_link(h_tx_m=30, h_rx_m=1.5, frequency_mhz=900) == (
        30.0,
        1.5,
        900.0,
    )
    with pytest.raises(ModelRangeError, match="h_rx_m=0.2 is outside ITM's valid range"):
        ItmEnvironment().checked_link(h_tx_m=30.0, h_rx_m=0.2, frequency_mhz=900.0)
    with pytest.raises(ModelRangeError, match="h_tx_m=nan must be a finite number"):
        ItmEnvironment().checked_link(h_tx_m=math.nan, h_rx_m=1.5, frequency_mhz=900.0)


def test_input_check_keeps_ntias_order_of_errors() -> None:
    """Heights, climate, refractivity, frequency, then the rest: NTIA's ValidateInputs."""
    lao_cai = (2, 50.0, 50.0, 50.0, 301.0)  # climate, time, location, situation, N_0

    def error(h_tx: float, climate: int, n0: float, f_mhz: float, polarization: int) -> int:
        return int(
            input_check(
                h_tx, 1.5, climate, *lao_cai[1:4], n0, f_mhz, polarization, 15.0, 0.005, 12
            )[1]
        )

    assert error(30.0, 2, 301.0, 900.0, 1) == ERR_NONE
    assert error(0.1, 9, 100.0, 5.0, 7) == ERR_TX_HEIGHT
    assert error(30.0, 9, 100.0, 5.0, 7) == ERR_CLIMATE
    assert error(30.0, 2, 100.0, 5.0, 7) == ERR_REFRACTIVITY
    assert error(30.0, 2, 301.0, 5.0, 7) == ERR_FREQUENCY
    assert error(30.0, 2, 301.0, 900.0, 7) == ERR_POLARIZATION


def test_p2p_environment_reaches_the_kernel_field_by_field() -> None:
    """Every field, set off its default, lands on the kernel's matching argument."""
    unusual = ItmEnvironment(
        polarization="horizontal",
        epsilon=4.0,
        sigma=0.001,
        n0=320.0,
        climate=RadioClimate.CONTINENTAL_TEMPERATE,
        mdvar=3,
        time_pct=90.0,
        location_pct=10.0,
        situation_pct=70.0,
    )
    ours = itm_p2p_loss(RIDGE, 30.0, itm=unusual, **LINK)
    kernel = itm_p2p_detail(
        RIDGE, 30.0, 30.0, 1.5, 900.0, 0, 4.0, 0.001, 320.0, 5, 3, 90.0, 10.0, 70.0
    )
    assert ours.loss_db == kernel[0]
    assert ours.loss_db != itm_p2p_loss(RIDGE, 30.0, **LINK).loss_db
    for field in (f.name for f in dataclasses.fields(ItmEnvironment)):
        one_off = unusual.replace(**{field: getattr(ItmEnvironment(), field)})
        assert itm_p2p_loss(RIDGE, 30.0, itm=one_off, **LINK).loss_db != ours.loss_db, field


def test_p2p_default_is_lao_cai_and_area_default_is_mobile() -> None:
    assert itm_p2p_loss(RIDGE, 30.0, **LINK) == itm_p2p_loss(
        RIDGE, 30.0, itm=ItmEnvironment(), **LINK
    )
    area = itm_area_loss(20.0, delta_h_m=200.0, **LINK)
    assert area == itm_area_loss(20.0, delta_h_m=200.0, itm=AREA_ENVIRONMENT, **LINK)
    kernel = itm_area_detail(
        20.0, 200.0, 30.0, 1.5, 0, 0, 900.0, 1, 15.0, 0.005, 301.0, 2, 2, 50.0, 50.0, 50.0
    )
    assert area.loss_db == kernel[0]
    assert (
        area.loss_db != itm_area_loss(20.0, delta_h_m=200.0, itm=ItmEnvironment(), **LINK).loss_db
    )
