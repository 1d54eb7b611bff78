"""phusong: find where people in remote mountain communes have no mobile signal.

The import package is ``coverage`` (distribution and command ``phusong``). It shares its
import name with coverage.py: never install coverage.py or pytest-cov in the same
environment.
"""

from __future__ import annotations

import logging
import sys
import types
from typing import TYPE_CHECKING


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

if TYPE_CHECKING:  # what type checkers and IDEs see: the same names as _EXPORTS (a test checks)
    from coverage import (
        datasets as datasets,
        settings as settings,
    )
    from coverage.analysis import (
        Analysis as Analysis,
        analyse as analyse,
    )
    from coverage.calibration import (
        Calibration as Calibration,
        calibrate as calibrate,
        read_calibration as read_calibration,
    )
    from coverage.cluster import (
        TiledCoverage as TiledCoverage,
        analyse_tiled as analyse_tiled,
        gaps_tiled as gaps_tiled,
        predict_tiled as predict_tiled,
    )
    from coverage.errors import (
        CalibrationError as CalibrationError,
        ClusterError as ClusterError,
        CommuneLookupError as CommuneLookupError,
        CoverageError as CoverageError,
        CoverageWarning as CoverageWarning,
        CRSError as CRSError,
        CruderMethodWarning as CruderMethodWarning,
        DatasetError as DatasetError,
        DefaultsUsedWarning as DefaultsUsedWarning,
        DemEdgeWarning as DemEdgeWarning,
        GridError as GridError,
        InputFileError as InputFileError,
        MemoryBudgetError as MemoryBudgetError,
        MissingFileError as MissingFileError,
        ModelRangeError as ModelRangeError,
        OutputExistsError as OutputExistsError,
        OutputWriteError as OutputWriteError,
        OutsideGridWarning as OutsideGridWarning,
        PlanningError as PlanningError,
        RepairWarning as RepairWarning,
        ResolutionWarning as ResolutionWarning,
        SchemaError as SchemaError,
        TerrainError as TerrainError,
        UnusableRowsWarning as UnusableRowsWarning,
    )
    from coverage.gaps import (
        commune_coverage as commune_coverage,
        gap_polygons as gap_polygons,
    )
    from coverage.grid import (
        Grid as Grid,
    )
    from coverage.io.communes import (
        communes_from_frame as communes_from_frame,
        read_communes as read_communes,
    )
    from coverage.io.dem import (
        open_native_dem as open_native_dem,
    )
    from coverage.io.gaplists import (
        write_gap_list as write_gap_list,
    )
    from coverage.io.measurements import (
        measurement_sites as measurement_sites,
        read_measurements as read_measurements,
    )
    from coverage.io.population import (
        population_on_grid as population_on_grid,
    )
    from coverage.io.proposals import (
        write_proposals as write_proposals,
    )
    from coverage.io.rasters import (
        write_terrain as write_terrain,
    )
    from coverage.io.terrain import (
        open_terrain as open_terrain,
    )
    from coverage.io.towers import (
        check_towers_within as check_towers_within,
        read_towers as read_towers,
        write_towers as write_towers,
    )
    from coverage.measured_error import (
        AccuracyReport as AccuracyReport,
        accuracy as accuracy,
    )
    from coverage.model import (
        CoverageResult as CoverageResult,
        predict as predict,
        site_path_loss as site_path_loss,
        tqdm_progress as tqdm_progress,
    )
    from coverage.names import (
        SEED_COMMUNES as SEED_COMMUNES,
        find_commune as find_commune,
        normalize_name as normalize_name,
        predecessor_communes as predecessor_communes,
        successor_commune as successor_commune,
    )
    from coverage.physics.itm.area import (
        itm_area_loss as itm_area_loss,
    )
    from coverage.physics.itm.environment import (
        ItmEnvironment as ItmEnvironment,
    )
    from coverage.physics.itm.p2p import (
        itm_p2p_loss as itm_p2p_loss,
    )
    from coverage.planning.plan import (
        SitePlan as SitePlan,
        plan_sites as plan_sites,
    )
    from coverage.population import (
        PopulationGrid as PopulationGrid,
        population_from_communes as population_from_communes,
    )
    from coverage.radial.itm_native import (
        itm_native_path_loss as itm_native_path_loss,
    )
    from coverage.radial.viewshed import (
        viewshed as viewshed,
        viewsheds as viewsheds,
    )
    from coverage.render.kmz import (
        write_kmz as write_kmz,
    )
    from coverage.render.map import (
        coverage_map as coverage_map,
        save_map as save_map,
    )
    from coverage.report.build import (
        write_report as write_report,
    )
    from coverage.terrain import (
        NativeDEM as NativeDEM,
        Terrain as Terrain,
    )
    from coverage.validity import (
        Validity as Validity,
    )

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
    "predict_tiled": "coverage.cluster",
    "TiledCoverage": "coverage.cluster",
    "gaps_tiled": "coverage.cluster",
    "analyse_tiled": "coverage.cluster",
    "tqdm_progress": "coverage.model",
    "Validity": "coverage.validity",
    "commune_coverage": "coverage.gaps",
    "gap_polygons": "coverage.gaps",
    "analyse": "coverage.analysis",
    "Analysis": "coverage.analysis",
    "coverage_map": "coverage.render.map",
    "save_map": "coverage.render.map",
    "write_kmz": "coverage.render.kmz",
    "itm_p2p_loss": "coverage.physics.itm.p2p",
    "itm_area_loss": "coverage.physics.itm.area",
    "ItmEnvironment": "coverage.physics.itm.environment",
    "itm_native_path_loss": "coverage.radial.itm_native",
    "Grid": "coverage.grid",
    "NativeDEM": "coverage.terrain",
    "PopulationGrid": "coverage.population",
    "write_terrain": "coverage.io.rasters",
    "read_measurements": "coverage.io.measurements",
    "measurement_sites": "coverage.io.measurements",
    "accuracy": "coverage.measured_error",
    "AccuracyReport": "coverage.measured_error",
    "calibrate": "coverage.calibration",
    "Calibration": "coverage.calibration",
    "read_calibration": "coverage.calibration",
    "plan_sites": "coverage.planning.plan",
    "SitePlan": "coverage.planning.plan",
    "write_proposals": "coverage.io.proposals",
    "write_report": "coverage.report.build",
    "datasets": "coverage.datasets",
    "settings": "coverage.settings",
    # every error and warning a caller may catch or filter
    **{
        name: "coverage.errors"
        for name in (
            "CoverageError",
            "InputFileError",
            "MissingFileError",
            "SchemaError",
            "CRSError",
            "TerrainError",
            "GridError",
            "ModelRangeError",
            "OutputExistsError",
            "CommuneLookupError",
            "DatasetError",
            "MemoryBudgetError",
            "CoverageWarning",
            "RepairWarning",
            "DefaultsUsedWarning",
            "ResolutionWarning",
            "DemEdgeWarning",
            "CruderMethodWarning",
            "OutsideGridWarning",
            "UnusableRowsWarning",
            "CalibrationError",
            "OutputWriteError",
            "PlanningError",
            "ClusterError",
        )
    },  # fmt: skip
}

_MODULES = {"datasets", "settings"}  # exported as modules, not as names inside them

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        from coverage.i18n import message

        raise AttributeError(message("errors.api.no_attribute", name=repr(name)))
    import importlib

    module = importlib.import_module(_EXPORTS[name])
    value = module if name in _MODULES else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
