"""phusong: find where people in remote mountain communes have no mobile signal.

The import package is ``coverage`` (distribution and command ``phusong``). It shares its
import name with coverage.py: never install coverage.py or pytest-cov in the same
environment.
"""

from __future__ import annotations

import logging
import sys


def _imported_by_numba_probe() -> bool:
    """True when numba's optional coverage.py integration is importing us by mistake."""
    frame = sys._getframe(1)
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
