"""Per-pixel validity flags: where a prediction is outside a model's trusted range."""

from __future__ import annotations

from enum import IntFlag


class Validity(IntFlag):
    """Per-pixel flags saying where a prediction is outside a model's trusted range."""

    OK = 0
    DISTANCE_OUT_OF_RANGE = 1  # e.g. Hata below 1 km or beyond 20 km
    HEIGHT_OUT_OF_RANGE = 2  # antenna heights outside the model's range
    FREQUENCY_OUT_OF_RANGE = 4
    TERRAIN_VOID = 8  # the profile crosses a DEM void
    BEYOND_TERRAIN = 16  # the radius reaches past the DEM edge
    ITM_WARNING = 32  # ITM returned a non-zero warning code
