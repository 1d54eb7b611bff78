"""The department's periodic report: HTML (and PDF) in Vietnamese or English, runs remembered.

What lives here (its words come from :mod:`coverage.i18n`, one catalogue per language):
``figures`` (static matplotlib maps and charts as inline PNG), ``runs``
(what a run saves to be compared with the next one, and the comparison), ``document``
(the HTML), ``plan`` (a plan file's proposed sites), ``quality`` (service-quality
indicators from drive tests), ``sections`` (their HTML), ``pdf`` (the same HTML printed
by headless Chromium) and ``build`` (:func:`write_report`, the one entry point). This
room sits above ``analysis`` and ``render``; it may import them, ``datasets``, what
``render`` imports, ``zonal``, ``physics`` and ``measured_error``.
"""

from __future__ import annotations

from coverage.report.build import write_report
from coverage.report.plan import read_plan
from coverage.report.quality import QualityIndicators, quality_indicators
from coverage.report.runs import RunRecord, compare_runs, load_run, save_run

__all__ = [
    "QualityIndicators",
    "RunRecord",
    "compare_runs",
    "load_run",
    "quality_indicators",
    "read_plan",
    "save_run",
    "write_report",
]
