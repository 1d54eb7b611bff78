"""The report in one call: :func:`write_report` (``phusong report``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from coverage.analysis import Analysis
from coverage.errors import SchemaError
from coverage.i18n import LANGUAGES, message
from coverage.io.files import atomic_output, check_output
from coverage.io.measurements import read_measurements
from coverage.report.document import Page, ReportInputs, report_html
from coverage.report.pdf import html_to_pdf
from coverage.report.plan import read_plan
from coverage.report.quality import quality_indicators
from coverage.report.runs import RunChange, RunRecord, compare_runs, load_run, save_run
from coverage.report.sections import plan_section, quality_section

log = logging.getLogger(__name__)

FORMATS = (".html", ".pdf")


def write_report(
    analysis: Analysis,
    out: str | os.PathLike[str],
    *,
    lang: str = "vi",
    period: str | None = None,
    province: str | None = None,
    synthetic: Mapping[str, str] | None = None,
    previous: str | os.PathLike[str] | None = None,
    plan: str | os.PathLike[str] | None = None,
    measurements: str | os.PathLike[str] | None = None,
    save_run_to: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    date: datetime | None = None,
) -> Path:
    """Write the department's report of an analysis, as HTML or PDF, in Vietnamese or English.

    Parameters
    ----------
    analysis
        A finished :func:`coverage.analysis.analyse`.
    out
        ``.html`` (one self-contained file) or ``.pdf`` (the same page printed by
        headless Chromium).
    lang
        ``"vi"`` (default) or ``"en"``.
    period
        The month, quarter or year shown on the cover, e.g. ``"Quý 3/2025"``.
    province
        Shown on the cover (default: the communes' ``province``).
    synthetic
        Inputs that are synthetic, name -> what (e.g. :data:`coverage.datasets.SYNTHETIC`),
        listed in the methods section and flagged on the cover.
    previous
        Folder of an earlier run (``save_run_to``): adds "change since the last run", or
        says why it is not comparable.
    plan
        A plan file written by ``phusong plan`` (XLSX, CSV, GeoJSON or GeoPackage): adds
        the proposed sites (:mod:`coverage.report.plan`).
    measurements
        A drive-test file (:func:`coverage.read_measurements`): adds the service-quality
        indicators (:mod:`coverage.report.quality`).
    save_run_to
        Folder where this run's figures are saved for the next report.
    overwrite
        Replace ``out`` and the saved run if they exist.
    date
        The report's date (default: now).

    Returns
    -------
    Path
        ``out``.

    Examples
    --------
    >>> write_report(None, "report.docx")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    coverage.errors.SchemaError: report.docx: a report is written as .html or .pdf; ...
    """
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise SchemaError(message("errors.report.output_suffix", out=out))
    if lang not in LANGUAGES:
        raise SchemaError(
            message(
                "errors.report.unknown_language", lang=repr(lang), languages=", ".join(LANGUAGES)
            )
        )
    check_output(out, overwrite=overwrite)
    if save_run_to is not None:
        check_output(Path(save_run_to) / "run.json", overwrite=overwrite)
    record = RunRecord.from_analysis(analysis, date=date)
    change: RunChange | None = None
    if previous is not None:
        change = compare_runs(record, load_run(previous))
        if not change.comparable:
            log.warning(
                message(
                    "errors.report.log_not_comparable", previous=previous, reasons=change.reasons
                )
            )
    proposals = read_plan(plan) if plan is not None else None
    indicators = (
        quality_indicators(analysis, read_measurements(measurements))
        if measurements is not None
        else None
    )

    def extra(page: Page) -> list[tuple[str, str, str]]:
        found = []
        if proposals is not None:
            found.append(
                (
                    "plan",
                    plan_section(analysis, proposals, Path(str(plan)).name, page),
                    "plan.title",
                )
            )
        if indicators is not None:
            body = quality_section(indicators, Path(str(measurements)).name, page)
            found.append(("quality", body, "quality.title"))
        return found

    inputs = ReportInputs(
        lang=lang,
        period=period,
        province=province,
        synthetic=dict(synthetic or {}),
        synthetic_dem=[analysis.terrain.source] if analysis.terrain.synthetic else [],
        synthetic_population=[
            people.source
            for people in [analysis.population]
            if people is not None and "population" in analysis.synthetic_inputs
        ],
        date=date,
    )
    page = report_html(analysis, record, inputs, change=change, extra=extra)
    if out.suffix.lower() == ".pdf":
        html_to_pdf(page, out, overwrite=overwrite)
    else:
        with atomic_output(out, overwrite=overwrite) as tmp:
            tmp.write_text(page, encoding="utf-8")
    if save_run_to is not None:
        save_run(record, save_run_to, overwrite=overwrite)
    return out
