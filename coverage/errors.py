"""Exceptions and warnings raised by phusong.

Every error derives from :class:`CoverageError` and also from the builtin a caller would
naturally catch (``ValueError``, ``FileNotFoundError``...). Messages name the file, the
column or the row at fault, and say how to fix it.
"""

from __future__ import annotations


class CoverageError(Exception):
    """Root of every error phusong raises on purpose."""


class InputFileError(CoverageError, ValueError):
    """An input file cannot be read: wrong format, empty, bad encoding."""


class MissingFileError(CoverageError, FileNotFoundError):
    """An input path does not exist."""


class SchemaError(CoverageError, ValueError):
    """A table lacks a required column, or a value in it cannot be parsed."""


class CRSError(CoverageError, ValueError):
    """Data has no coordinate reference system, or one that cannot be used."""


class TerrainError(CoverageError, ValueError):
    """The elevation model cannot serve a request (outside its extent, all void...)."""


class ModelRangeError(CoverageError, ValueError):
    """A propagation model was asked for inputs outside its published validity range."""


class OutputExistsError(CoverageError, FileExistsError):
    """An output file exists and ``overwrite`` was not given."""


class CalibrationError(CoverageError, ValueError):
    """A calibration file cannot be applied: made for another model, unreadable, or
    without terms for the run's operators and technologies."""


class OutputWriteError(CoverageError, OSError):
    """An output cannot be written (disk full, read-only folder, a folder in the way);
    nothing is left under its final name."""


class GridError(CoverageError, ValueError):
    """A grid cannot serve a request: degenerate transform, cells not square..."""


class CommuneLookupError(CoverageError, LookupError):
    """A commune name matched nothing, or more than one unit where one was needed."""


class PlanningError(CoverageError, ValueError):
    """A site plan cannot be made as asked: no candidates, a budget of 0, a bad cost table..."""


class MemoryBudgetError(CoverageError, MemoryError):
    """An operation would need more memory than is available (:mod:`coverage.memory`);
    refused before anything is allocated, naming the option to change."""


class DatasetError(CoverageError, KeyError):
    """An unknown embedded dataset name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ClusterError(CoverageError, RuntimeError):
    """A Dask cluster that cannot be reached or started, or a worker lost mid-run."""


class CoverageWarning(UserWarning):
    """Root of phusong's warnings."""


class RepairWarning(CoverageWarning):
    """Input was repaired (invalid geometry made valid, voids filled...)."""


class DefaultsUsedWarning(CoverageWarning):
    """Missing values were replaced by documented defaults."""


class ResolutionWarning(CoverageWarning):
    """Data is too coarse (or too fine) for a trustworthy result."""


class DemEdgeWarning(CoverageWarning):
    """A site's radius reaches past the edge of the DEM: coverage there is unknown, not
    absent. Open a DEM that extends the radius beyond every site."""


class CruderMethodWarning(CoverageWarning):
    """A cruder method stood in for a missing input (population spread evenly over each
    commune's area for want of a population raster). Give the input for a better result."""


class OutsideGridWarning(CoverageWarning):
    """Some features (communes, sites) lie partly or wholly outside the working grid, so
    their figures are partial. Open terrain that covers them."""


class UnusableRowsWarning(CoverageWarning):
    """Some rows of an input table cannot be used (no position, no level, an implausible
    value): they are counted and listed, never dropped silently."""


__all__ = [
    "CRSError",
    "CalibrationError",
    "CommuneLookupError",
    "CoverageError",
    "CoverageWarning",
    "CruderMethodWarning",
    "DatasetError",
    "DefaultsUsedWarning",
    "DemEdgeWarning",
    "GridError",
    "InputFileError",
    "MemoryBudgetError",
    "MissingFileError",
    "ModelRangeError",
    "OutputExistsError",
    "OutputWriteError",
    "OutsideGridWarning",
    "PlanningError",
    "RepairWarning",
    "ResolutionWarning",
    "SchemaError",
    "TerrainError",
    "UnusableRowsWarning",
]
