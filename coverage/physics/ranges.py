"""Published validity ranges of the empirical path-loss models (Hata, COST-231).

Outside these ranges :func:`coverage.physics.hata.hata_loss_db` still answers, by
extrapolation; this module says when it does: :func:`check_model_range` refuses a
whole run's inputs with a :class:`ModelRangeError`, :func:`hata_validity_flags` marks
single points with :class:`coverage.validity.Validity` bits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from coverage.errors import ModelRangeError
from coverage.i18n import message
from coverage.validity import Validity

__all__ = [
    "COST231_RANGE",
    "HATA_RANGE",
    "ModelRange",
    "check_model_range",
    "hata_validity_flags",
]


@dataclass(frozen=True)
class ModelRange:
    """Published validity range of an empirical model (inclusive bounds)."""

    name: str
    frequency_mhz: tuple[float, float]
    base_height_m: tuple[float, float]
    mobile_height_m: tuple[float, float]
    distance_m: tuple[float, float]


HATA_RANGE = ModelRange(
    name="Okumura-Hata (Hata 1980)",
    frequency_mhz=(150.0, 1500.0),
    base_height_m=(30.0, 200.0),
    mobile_height_m=(1.0, 10.0),
    distance_m=(1000.0, 20_000.0),
)
"""Hata (1980) §III: f 150-1500 MHz, h_b 30-200 m, h_m 1-10 m, d 1-20 km."""

COST231_RANGE = ModelRange(
    name="COST-231 Hata",
    frequency_mhz=(1500.0, 2000.0),
    base_height_m=(30.0, 200.0),
    mobile_height_m=(1.0, 10.0),
    distance_m=(1000.0, 20_000.0),
)
"""COST 231 Final Report §4.4.1: f 1500-2000 MHz, h_b 30-200 m, h_m 1-10 m, d 1-20 km."""

_RANGES = {"hata": HATA_RANGE, "cost231": COST231_RANGE}
_UNITS = {"frequency_mhz": "MHz", "base_height_m": "m", "mobile_height_m": "m", "distance_m": "m"}


def check_model_range(
    model: str,
    *,
    frequency_mhz: float,
    base_height_m: float,
    mobile_height_m: float,
    distance_m: float | np.ndarray | None = None,
) -> None:
    """Refuse inputs outside an empirical model's published validity range.

    ``model="hata"`` checks :data:`HATA_RANGE` up to 1500 MHz and
    :data:`COST231_RANGE` above (as :func:`coverage.physics.hata.hata_loss_db` switches),
    ``"cost231"`` checks :data:`COST231_RANGE`. Other models (``"diffraction"``,
    ``"free_space"``...) have no range here and always pass.

    Parameters
    ----------
    model
        Model name.
    frequency_mhz, base_height_m, mobile_height_m
        The inputs to check.
    distance_m
        Optional distances (scalar or array, m); every one must be in range.

    Raises
    ------
    ModelRangeError
        Naming the parameter, its value and the valid range, and suggesting
        ``model="diffraction"`` (terrain-aware, no such range).

    Examples
    --------
    >>> from coverage.physics.ranges import check_model_range
    >>> check_model_range("hata", frequency_mhz=900, base_height_m=30, mobile_height_m=1.5)
    >>> check_model_range("hata", frequency_mhz=900, base_height_m=15, mobile_height_m=1.5)
    Traceback (most recent call last):
    ...
    coverage.errors.ModelRangeError: ...base_height_m = 15 m is outside...
    """
    key = model.lower().replace("-", "").replace("_", "")
    if key not in _RANGES:
        return
    valid = _RANGES[key]
    if key == "hata" and frequency_mhz > HATA_RANGE.frequency_mhz[1]:
        valid = COST231_RANGE
    values: dict[str, float | np.ndarray] = {
        "frequency_mhz": frequency_mhz,
        "base_height_m": base_height_m,
        "mobile_height_m": mobile_height_m,
    }
    if distance_m is not None:
        values["distance_m"] = distance_m
    if key == "hata":
        bounds = {
            "frequency_mhz": (HATA_RANGE.frequency_mhz[0], COST231_RANGE.frequency_mhz[1]),
        }
    else:
        bounds = {}
    for parameter, value in values.items():
        low, high = bounds.get(parameter, getattr(valid, parameter))
        array = np.asarray(value, dtype=float)
        bad = ~((array >= low) & (array <= high))  # NaN counts as out of range
        if bad.any():
            shown = array[bad].flat[0]
            unit = _UNITS[parameter]
            count = (
                message("errors.physics.values_count", count=int(bad.sum()), size=array.size)
                if array.size > 1
                else ""
            )
            raise ModelRangeError(
                message(
                    "errors.physics.outside_validity",
                    name=valid.name,
                    parameter=parameter,
                    shown=f"{shown:g}",
                    unit=unit,
                    low=f"{low:g}",
                    high=f"{high:g}",
                    count=count,
                )
            )


# Bounds and flag bits as plain numbers, which numba compiles in as constants.
_DISTANCE_M = HATA_RANGE.distance_m
_BASE_HEIGHT_M = HATA_RANGE.base_height_m
_MOBILE_HEIGHT_M = HATA_RANGE.mobile_height_m
_FREQUENCY_MHZ = (HATA_RANGE.frequency_mhz[0], COST231_RANGE.frequency_mhz[1])
_DISTANCE_FLAG = int(Validity.DISTANCE_OUT_OF_RANGE)
_HEIGHT_FLAG = int(Validity.HEIGHT_OUT_OF_RANGE)
_FREQUENCY_FLAG = int(Validity.FREQUENCY_OUT_OF_RANGE)


@numba.njit(cache=True)
def _outside(value, bounds):
    """True when ``value`` is NaN, infinite or outside ``bounds`` (no FP-invalid flag).

    An ordered comparison that meets a NaN raises the FP "invalid" flag (numpy then
    warns), so the value is replaced by one below the range before it is compared.
    """
    low, high = bounds
    clean = low - 1.0 if (math.isnan(value) or math.isinf(value)) else value
    return not (low <= clean <= high)


@numba.vectorize(["uint8(float64, float64, float64, float64)"], cache=True)
def hata_validity_flags(
    distance_m, frequency_mhz, base_height_m, mobile_height_m
):  # pragma: no cover - compiled
    """Per-point :class:`coverage.validity.Validity` bits for
    :func:`coverage.physics.hata.hata_loss_db`.

    ``DISTANCE_OUT_OF_RANGE`` (1) outside 1-20 km, ``HEIGHT_OUT_OF_RANGE`` (2) for a
    base height outside 30-200 m or a mobile height outside 1-10 m,
    ``FREQUENCY_OUT_OF_RANGE`` (4) outside 150-2000 MHz (Hata, then COST-231). A NaN
    input sets its flag.

    Examples
    --------
    >>> from coverage.physics.ranges import hata_validity_flags
    >>> int(hata_validity_flags(500.0, 900.0, 30.0, 1.5))
    1
    >>> int(hata_validity_flags(5000.0, 2600.0, 20.0, 1.5))
    6
    """
    flags = 0
    if _outside(distance_m, _DISTANCE_M):
        flags |= _DISTANCE_FLAG
    if _outside(base_height_m, _BASE_HEIGHT_M) or _outside(mobile_height_m, _MOBILE_HEIGHT_M):
        flags |= _HEIGHT_FLAG
    if _outside(frequency_mhz, _FREQUENCY_MHZ):
        flags |= _FREQUENCY_FLAG
    return flags
