"""The main job on the embedded Lào Cai scenario: what `phusong demo` (and `make demo`) runs."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from coverage.analysis import Analysis, analyse
from coverage.datasets import DemoScenario
from coverage.i18n import Translator
from coverage.io.communes import read_communes
from coverage.io.files import atomic_folder
from coverage.io.gaplists import write_gap_list
from coverage.io.proposals import write_proposals
from coverage.io.rasters import write_coverage
from coverage.io.terrain import open_terrain
from coverage.io.towers import read_towers
from coverage.model import predict
from coverage.names import SEED_COMMUNES, seed_communes_in
from coverage.planning.plan import plan_sites
from coverage.render.kmz import write_kmz
from coverage.render.map import coverage_map, save_map
from coverage.report.build import write_report

log = logging.getLogger(__name__)

OUTPUTS = (
    "laocai_demo.html",
    "laocai_gaps.xlsx",
    "laocai_gaps.csv",
    "laocai_gaps.geojson",
    "laocai_proposals.xlsx",
)
COVERAGE_FOLDER = "laocai_coverage"
REPORT = "laocai_report.html"  # the department's report, in Vietnamese (coverage.report)
KMZ = "laocai_demo.kmz"  # the same coverage, gaps, towers and plan for Google Earth

PLAN_OPERATOR = "Vietnamobile"
"""The operator the demo plans for: the one with fewest masts, so the most people to reach."""

PLAN_SITES = 15
"""Sites in the demo's plan (lazy greedy)."""

PLAN_SPACING_M = 2_500.0
"""Spacing of the demo's terrain candidates, m: about 1,250 candidates, a plan in about
30 s on two cores (the default 1 km gives about 2,700 candidates and 75 s)."""

LANGUAGE = "vi"
"""The demo's language by default: the scenario is Lào Cai's, its readers Vietnamese."""


def run_demo(
    scenario: DemoScenario,
    out: str | os.PathLike[str],
    *,
    radius_m: float | None = None,
    overwrite: bool = False,
    progress_factory: Callable[[int, str], Callable[[int], None]] | None = None,
    lang: str = LANGUAGE,
) -> list[Path]:
    """Coverage, gap lists, rasters, a site plan, the offline map and a KMZ of the demo.

    The plan proposes :data:`PLAN_SITES` sites for :data:`PLAN_OPERATOR` (lazy greedy,
    terrain candidates every :data:`PLAN_SPACING_M` and co-locations, backhaul to its own
    masts), written to ``laocai_proposals.xlsx`` and drawn as the map's proposals layer.
    The map carries a banner naming the synthetic inputs (terrain, towers, population,
    approximate boundaries), and every proposal row a ``note`` saying so, so nobody
    mistakes the demo for a survey.

    Parameters
    ----------
    scenario
        The demo's files (:func:`coverage.datasets.laocai_demo`).
    out
        Folder for the outputs (created if missing).
    radius_m
        Largest distance computed around each site, m; None: the scenario's own
        (:attr:`DemoScenario.radius_m <coverage.datasets.DemoScenario.radius_m>`, 15 km).
    overwrite
        Replace outputs that exist; without it an existing output is refused before any
        work is done.
    progress_factory
        Called as ``progress_factory(n_sites, label)`` for a ``progress`` callback
        (:func:`coverage.model.tqdm_progress`); None: silent.
    lang
        Language of the map, the gap lists' spreadsheets, the proposals' sheet names and
        notes, and the report: ``"vi"`` (default) or ``"en"`` (:mod:`coverage.i18n`).

    Returns
    -------
    list of Path
        Every file written, in ``out``.
    """
    out = Path(out)
    Translator(lang)  # an unknown language is refused before any work
    names = [*OUTPUTS, COVERAGE_FOLDER, REPORT, KMZ]
    # existing outputs are refused before the expensive run; the set appears complete or not at all
    with atomic_folder(out, names=names, overwrite=overwrite) as staging:
        written = _write_demo(
            scenario, staging, radius_m=radius_m, progress_factory=progress_factory, lang=lang
        )
    return [out / path.relative_to(staging) for path in written]


def _write_demo(
    scenario: DemoScenario,
    out: Path,
    *,
    radius_m: float | None,
    progress_factory: Callable[[int, str], Callable[[int], None]] | None,
    lang: str,
) -> list[Path]:
    """The work of :func:`run_demo`, writing into a fresh (staging) folder ``out``."""
    t = Translator(lang)
    communes = read_communes(scenario.communes, province="Lào Cai")
    towers = read_towers(scenario.towers)
    terrain = open_terrain(scenario.terrain)
    progress = progress_factory(len(towers), "coverage") if progress_factory else None
    radius = scenario.radius_m if radius_m is None else radius_m
    # the synthetic population raster; a scenario without one spreads dan_so by area
    people = scenario.population
    analysis: Analysis = analyse(
        communes, towers, terrain, population=people, radius_m=radius, progress=progress,
        population_column=None if people is not None else "dan_so",
    )  # fmt: skip
    written = [
        write_gap_list(
            analysis.gaps,
            analysis.communes,
            out / name,
            communes_of_interest=list(SEED_COMMUNES),
            lang=lang,
        )
        for name in OUTPUTS[1:4]
    ]
    plan = plan_sites(
        communes, towers, terrain, population=analysis.population, radius_m=radius,
        operator=PLAN_OPERATOR, sites=PLAN_SITES, spacing_m=PLAN_SPACING_M,
        existing_coverage=analysis.result,
    )  # fmt: skip
    proposals = plan.proposals.assign(note=t("demo.synthetic_note"))
    written.append(
        write_proposals(proposals, out / OUTPUTS[4], offers=plan.colocation_offers, lang=lang)
    )
    written += write_coverage(analysis.result, out / COVERAGE_FOLDER)
    m = coverage_map(
        analysis.communes,
        analysis.result,
        analysis.gaps,
        towers,
        terrain=terrain,
        communes_of_interest=seed_communes_in(analysis.communes["name"]),
        synthetic_inputs=t("demo.synthetic_note"),
        offline=True,
        proposals=proposals,
        proposal_coverage=predict(proposals, terrain, radius_m=radius),
        attribution={
            t("demo.credit_names"): "vietnamadminunits (MIT)",
            t("demo.credit_boundaries"): t("demo.boundaries_approximate"),
            t("demo.credit_synthetic"): t("demo.synthetic_generator"),
        },
        lang=lang,
    )
    written.insert(0, save_map(m, out / OUTPUTS[0], offline=True))
    written.append(
        write_kmz(
            analysis.result,
            out / KMZ,
            gaps=analysis.gaps,
            towers=towers,
            proposals=proposals,
            terrain=terrain,
            synthetic_inputs=t("demo.synthetic_note"),
            lang=lang,
        )
    )
    written.append(
        write_report(
            analysis, out / REPORT, synthetic=scenario.synthetic, plan=out / OUTPUTS[4], lang=lang
        )
    )
    return written
