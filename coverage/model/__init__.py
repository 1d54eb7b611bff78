"""Coverage from many towers over the terrain, as georeferenced rasters.

:class:`CoverageResult` is what :func:`predict` returns and what :mod:`coverage.gaps`
and :mod:`coverage.render.map` consume.

What lives here (each module may import those listed before it):

- ``result``: :class:`CoverageResult`, best power per (operator, technology) layer;
- ``dispatch``: :data:`MODELS` and :func:`site_path_loss`, the model dispatch;
- ``sites``: one site's received power (:func:`site_received_power`), its sector gain,
  calibration terms and the layers of a tower list;
- ``prediction``: :func:`predict`, its memory check and the merging of site windows;
- ``progress``: :func:`tqdm_progress`, a progress bar to pass as ``progress=``.

The room may import the bottom rooms, ``crs``, ``grid``, ``terrain``, ``physics``,
``radial`` and ``io`` (declared in ``tests/test_layout.py``).
"""

from __future__ import annotations

from coverage.model.dispatch import MODELS, site_path_loss
from coverage.model.prediction import predict, require_predict_memory
from coverage.model.progress import tqdm_progress
from coverage.model.result import CoverageResult
from coverage.model.sites import (
    CALIBRATION_MIN_DISTANCE_M,
    SECTOR_FRONT_TO_BACK_DB,
    SECTOR_SIDELOBE_DB,
    SECTOR_VERTICAL_BEAMWIDTH_DEG,
    LossCorrection,
    SiteRadio,
    calibration_correction_db,
    calibration_label,
    coverage_layers,
    sector_gain_db,
    site_received_power,
)
from coverage.radial.site import SiteLoss
from coverage.validity import Validity

__all__ = [
    "MODELS",
    "CALIBRATION_MIN_DISTANCE_M",
    "SECTOR_FRONT_TO_BACK_DB",
    "SECTOR_SIDELOBE_DB",
    "SECTOR_VERTICAL_BEAMWIDTH_DEG",
    "CoverageResult",
    "SiteLoss",
    "SiteRadio",
    "LossCorrection",
    "Validity",
    "calibration_correction_db",
    "calibration_label",
    "coverage_layers",
    "predict",
    "require_predict_memory",
    "sector_gain_db",
    "site_path_loss",
    "site_received_power",
    "tqdm_progress",
]
