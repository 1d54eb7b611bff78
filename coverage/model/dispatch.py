"""The model dispatch: path loss from one site by the model asked for.

``"fspl"``, ``"hata"`` and ``"diffraction"`` go to :mod:`coverage.radial.path_loss`,
``"itm"`` to :mod:`coverage.radial.itm_grid`.
"""

from __future__ import annotations

import warnings
from typing import Any

from coverage.errors import DemEdgeWarning
from coverage.i18n import message
from coverage.physics.itm.environment import ItmEnvironment
from coverage.radial.itm_grid import itm_site_path_loss
from coverage.radial.path_loss import radial_path_loss
from coverage.radial.site import SiteLoss
from coverage.settings import ITM_MAX_PROFILE_POINTS, K_FACTOR, OVERSAMPLE, RADIUS_M, RX_HEIGHT_M
from coverage.terrain import Terrain

__all__ = ["MODELS", "site_path_loss"]

MODELS = ("fspl", "hata", "diffraction", "itm")
"""Path-loss models of :func:`site_path_loss` and :func:`predict`."""


def site_path_loss(
    terrain: Terrain,
    x: float,
    y: float,
    *,
    tx_height_m: float,
    rx_height_m: float = RX_HEIGHT_M,
    frequency_mhz: float,
    radius_m: float = RADIUS_M,
    model: str = "diffraction",
    k_factor: float = K_FACTOR,
    environment: str = "open",
    oversample: float = OVERSAMPLE,
    itm: ItmEnvironment | None = None,
    max_profile_points: int = ITM_MAX_PROFILE_POINTS,
) -> SiteLoss:
    """Path loss from one site to every pixel of the terrain grid within ``radius_m``.

    The model dispatch: ``"fspl"``, ``"hata"`` and ``"diffraction"`` run
    :func:`coverage.radial.path_loss.radial_path_loss`, ``"itm"``
    :func:`coverage.radial.itm_grid.itm_site_path_loss`; both walk the same rays
    (:func:`coverage.radial.plan.nearest_ray_plan`). See those functions for the models.

    Parameters
    ----------
    terrain
        Elevation grid (metric CRS).
    x, y
        Site coordinates in ``terrain.crs``, m; the site stands at its cell's centre.
    tx_height_m, rx_height_m
        Antenna and receiver heights above ground, m.
    frequency_mhz
        Carrier, MHz.
    radius_m
        Largest distance computed, m.
    model
        One of :data:`MODELS`.
    k_factor, environment, oversample
        Effective earth-radius factor, Hata environment, rays per cell at the radius.
    itm
        ``model="itm"`` only: ITM's environment; None (default): Lào Cai's
        :class:`~coverage.physics.itm.environment.ItmEnvironment`.
    max_profile_points
        ``model="itm"`` only: most elevations per ITM profile (see
        :mod:`coverage.radial.itm_grid`).

    Returns
    -------
    SiteLoss

    Warns
    -----
    DemEdgeWarning
        When the radius reaches past the edge of the terrain (``truncated=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from affine import Affine
    >>> t = Terrain.from_array(np.zeros((101, 101)), transform=Affine(30, 0, 0, 0, -30, 3030),
    ...                        crs="EPSG:32648")
    >>> result = site_path_loss(t, 1515.0, 1515.0, tx_height_m=30, frequency_mhz=900,
    ...                         radius_m=1500)
    >>> result.model, round(float(result.loss_db[50, 100]), 1)  # 1.5 km east: free space
    ('diffraction', 95.1)
    """
    if model not in MODELS:
        raise ValueError(
            message("errors.model.unknown_model", model=repr(model), choices=sorted(MODELS))
        )
    loss = _path_loss(
        terrain, x, y, model=model, environment=environment, tx_height_m=tx_height_m,
        rx_height_m=rx_height_m, frequency_mhz=frequency_mhz, radius_m=radius_m,
        k_factor=k_factor, oversample=oversample, itm=itm,
        max_profile_points=max_profile_points,
    )  # fmt: skip
    if loss.truncated:
        warnings.warn(
            message(
                "errors.model.site_radius_past_edge",
                radius=f"{radius_m:.0f}",
                x=f"{x:.1f}",
                y=f"{y:.1f}",
                source=terrain.source,
            ),
            DemEdgeWarning,
            stacklevel=2,
        )
    return loss


def _path_loss(
    terrain: Terrain,
    x: float,
    y: float,
    *,
    model: str,
    environment: str,
    itm: ItmEnvironment | None = None,
    max_profile_points: int = ITM_MAX_PROFILE_POINTS,
    **geometry: Any,
) -> SiteLoss:
    """The model dispatch behind :func:`site_path_loss` and :func:`site_received_power`."""
    if model == "itm":
        return itm_site_path_loss(
            terrain, x, y, itm=itm, max_profile_points=max_profile_points, **geometry
        )
    if itm is not None:
        raise TypeError(message("errors.model.itm_environment_other_model", model=repr(model)))
    return radial_path_loss(terrain, x, y, model=model, environment=environment, **geometry)
