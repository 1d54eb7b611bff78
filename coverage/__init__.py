"""phusong: find where people in remote mountain communes have no mobile signal.

The import package is ``coverage`` (distribution and command ``phusong``). It shares its
import name with coverage.py: never install coverage.py or pytest-cov in the same
environment.
"""

from __future__ import annotations

import logging
import sys
import types


def _imported_by_numba_probe() -> bool:
    """True when numba's optional coverage.py integration is importing us by mistake."""
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__") == "numba.misc.coverage_support":
            return True
        frame = frame.f_back
    return False


# numba probes for coverage.py with `import coverage` and, if that succeeds, subclasses
# coverage.types.Tracer. This package is not coverage.py: make the probe fail cleanly,
# whichever of numba and phusong is imported first.
if _imported_by_numba_probe():
    raise ImportError("this `coverage` is phusong, not coverage.py")
if "numba" not in sys.modules:
    _self = sys.modules[__name__]
    sys.modules[__name__] = None  # type: ignore[assignment]  # makes `import coverage` fail
    try:
        import numba  # noqa: F401
    finally:
        sys.modules[__name__] = _self

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

# Public API, imported on first use so that `phusong --help` stays quick.
_EXPORTS = {
    "read_communes": "coverage.io.communes",
    "communes_from_frame": "coverage.io.communes",
    "read_towers": "coverage.io.towers",
    "write_towers": "coverage.io.towers",
    "check_towers_within": "coverage.io.towers",
    "write_gap_list": "coverage.io.gaplists",
    "find_commune": "coverage.names",
    "normalize_name": "coverage.names",
    "successor_commune": "coverage.names",
    "predecessor_communes": "coverage.names",
    "SEED_COMMUNES": "coverage.names",
    "Terrain": "coverage.terrain",
    "open_terrain": "coverage.io.terrain",
    "open_native_dem": "coverage.io.dem",
    "population_on_grid": "coverage.io.population",
    "population_from_communes": "coverage.population",
    "viewshed": "coverage.radial.viewshed",
    "viewsheds": "coverage.radial.viewshed",
    "site_path_loss": "coverage.model",
    "predict": "coverage.model",
    "CoverageResult": "coverage.model",
    "tqdm_progress": "coverage.model",
    "Validity": "coverage.validity",
    "commune_coverage": "coverage.gaps",
    "gap_polygons": "coverage.gaps",
    "analyse": "coverage.analysis",
    "Analysis": "coverage.analysis",
    "coverage_map": "coverage.render.map",
    "save_map": "coverage.render.map",
    "itm_p2p_loss": "coverage.physics.itm.p2p",
    "itm_area_loss": "coverage.physics.itm.area",
    "ItmEnvironment": "coverage.physics.itm.environment",
    "itm_native_path_loss": "coverage.radial.itm_native",
    "plan_sites": "coverage.planning.plan",
    "SitePlan": "coverage.planning.plan",
    "write_proposals": "coverage.io.proposals",
    "datasets": "coverage.datasets",
    "CoverageError": "coverage.errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'coverage' has no attribute {name!r}")
    import importlib

    module = importlib.import_module(_EXPORTS[name])
    value = module if name == "datasets" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
