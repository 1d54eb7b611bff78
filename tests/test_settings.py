"""coverage.settings: every default is defined there once, and the functions use it."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest

from coverage import settings
from coverage.cluster import predict_tiled
from coverage.model import predict, site_path_loss
from coverage.physics.clutter import clutter_loss_db
from coverage.physics.diffraction import bullington_loss_db, deygout_loss_db
from coverage.radial.itm_grid import itm_site_path_loss
from coverage.radial.itm_native import itm_native_path_loss
from coverage.radial.path_loss import radial_path_loss
from coverage.radial.plan import nearest_ray_plan, radial_plan, rays
from coverage.radial.viewshed import viewshed, viewsheds

RX_HEIGHT = {"rx_height_m": settings.RX_HEIGHT_M}
K = {"k_factor": settings.K_FACTOR}
OVERSAMPLE = {"oversample": settings.OVERSAMPLE}
ITM_POINTS = {"max_profile_points": settings.ITM_MAX_PROFILE_POINTS}

DEFAULTS: list[tuple[Callable[..., object], dict[str, object]]] = [
    (viewshed, {**RX_HEIGHT, **K, **OVERSAMPLE}),
    (viewsheds, {**RX_HEIGHT, **K, **OVERSAMPLE}),
    (radial_plan, OVERSAMPLE),
    (nearest_ray_plan, OVERSAMPLE),
    (rays, OVERSAMPLE),
    (radial_path_loss, {**RX_HEIGHT, **K, **OVERSAMPLE}),
    (site_path_loss, {**RX_HEIGHT, **K, **OVERSAMPLE, **ITM_POINTS, "itm": None}),
    (itm_site_path_loss, {**RX_HEIGHT, **K, **OVERSAMPLE, **ITM_POINTS, "itm": None}),
    (itm_native_path_loss, {**RX_HEIGHT, "itm": None}),
    (predict, {**RX_HEIGHT, **K, "radius_m": settings.RADIUS_M, "itm": None}),
    (
        predict_tiled,
        {**RX_HEIGHT, **K, "radius_m": settings.RADIUS_M, "tile_size": settings.TILE_SIZE_CELLS},
    ),  # fmt: skip
    (clutter_loss_db, {"antenna_height_m": settings.RX_HEIGHT_M}),
    (deygout_loss_db.py_func, K),
    (bullington_loss_db.py_func, K),
]


def test_defaults_hold_their_documented_values() -> None:
    assert settings.RX_HEIGHT_M == 1.5
    assert settings.K_FACTOR == 4.0 / 3.0
    assert settings.EARTH_RADIUS_M == 6_371_008.8
    assert (settings.TX_HEIGHT_M, settings.FREQUENCY_MHZ, settings.EIRP_DBM) == (30.0, 900.0, 60.0)
    assert (settings.RADIUS_M, settings.OVERSAMPLE) == (20_000.0, 2.0)
    assert settings.ITM_MAX_PROFILE_POINTS == 150
    assert settings.MAX_HOP_M == 30_000.0
    assert sorted(settings.__all__) == sorted(
        name for name in vars(settings) if name.isupper() and not name.startswith("_")
    )


@pytest.mark.parametrize(
    ("function", "expected"), DEFAULTS, ids=lambda v: getattr(v, "__name__", "")
)
def test_functions_take_their_defaults_from_settings(
    function: Callable[..., object], expected: dict[str, object]
) -> None:
    parameters = inspect.signature(function).parameters
    for name, value in expected.items():
        assert parameters[name].default == value, f"{function.__name__}({name}=...)"
