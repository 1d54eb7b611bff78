"""The report's optional sections: proposed sites (``--plan``) and service quality (``--measurements``).

Each function returns one ``<section>`` of the page; every value is escaped and every
word comes from the catalogue, as in :mod:`coverage.report.document`.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import pandas as pd

from coverage.analysis import Analysis
from coverage.report import figures
from coverage.report.document import Num, Page, escape, section
from coverage.report.plan import SHARED, plan_by_commune, plan_sites_table, plan_totals
from coverage.report.quality import ALL_COMMUNES, QualityIndicators


def _plan_name(plan: str, page: Page) -> str:
    return page.t("plan.shared") if plan == SHARED else page.operator(plan)


def _kind(kind: object, page: Page) -> str:
    return page.t("plan.kind_new") if str(kind) == "new" else page.t("plan.kind_colocation")


def _count(value: Any) -> Num:
    return Num(int(value))


def _cost(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return "" if not math.isfinite(number) else f"{number:,.0f}"


def plan_section(analysis: Analysis, proposals: gpd.GeoDataFrame, source: str, page: Page) -> str:
    """Proposed sites: totals per plan, the sites, a map and people newly covered per commune."""
    t = page.t
    parts = [f"<p>{escape(t('plan.source', file=source))}</p>"]
    if proposals.empty:
        parts.append(f"<p>{escape(t('plan.empty'))}</p>")
        return section("plan", t("plan.title"), "".join(parts))
    sites = plan_sites_table(proposals)
    totals = plan_totals(sites)
    parts.append(f"<h3>{escape(t('plan.totals'))}</h3>")
    parts.append(
        page.table(
            [
                "col.plan",
                "col.sites",
                "col.new_sites",
                "col.colocations",
                "col.people_gained",
                "col.cost",
            ],
            (
                [
                    _plan_name(str(plan), page),
                    _count(row.sites),
                    _count(row.new),
                    _count(row.colocation),
                    Num(page.people(row.people_gained)),
                    Num(_cost(row.cost)),
                ]
                for plan, row in totals.iterrows()
            ),
        )
    )
    labels = proposals["plan"].astype(str).map(lambda plan: _plan_name(plan, page))
    parts.append(
        f'<p><img alt="" src="{figures.proposals_map(analysis, proposals, labels, t)}"></p>'
    )
    parts.append(f"<h3>{escape(t('plan.sites'))}</h3>")
    parts.append(
        page.table(
            [
                "col.plan",
                "col.rank",
                "col.site",
                "col.operator",
                "col.kind",
                "col.people_gained",
                "col.cost",
                "col.communes_served",
            ],
            (
                [
                    _plan_name(str(r.plan), page),
                    _count(r.rank),
                    r.site_id,
                    r.operators,
                    _kind(r.kind, page),
                    Num(page.people(r.people_gained)),
                    Num(_cost(r.cost)),
                    r.communes_served,
                ]
                for r in sites.itertuples()
            ),
        )  # fmt: skip
    )
    parts.append(f"<h3>{escape(t('plan.by_commune'))}</h3>")
    by_commune = plan_by_commune(analysis, proposals)
    if by_commune is None:
        parts.append(f"<p>{escape(t('plan.by_commune_none'))}</p>")
    else:
        parts.append(f"<p>{escape(t('plan.by_commune_note'))}</p>")
        parts.append(
            page.table(
                ["col.commune", "col.plan", "col.people_gained"],
                (
                    [r.name, _plan_name(str(r.plan), page), Num(page.people(r.people))]
                    for r in by_commune.sort_values(["name", "plan"]).itertuples()
                ),
            )
            if len(by_commune)
            else f"<p>{escape(t('common.none'))}</p>"
        )
    return section("plan", t("plan.title"), "".join(parts))


def _error(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return "" if not math.isfinite(number) else f"{number:+.1f}"


def _quality_rows(table: pd.DataFrame, page: Page, *, commune: bool) -> list[list[object]]:
    return [
        [
            *([r.name] if commune else []),
            page.operator(r.operator),
            _count(r.points),
            _count(r.at_or_above),
            Num(page.share(r.share_at_or_above)),
            _count(r.compared),
            Num(_error(r.mean_error_db)),
            Num(_error(r.rmse_db).lstrip("+")),
            Num(page.share(r.agree_share)),
        ]
        for r in table.itertuples()
    ]


_QUALITY_HEADERS = [
    "col.operator",
    "col.points",
    "col.at_or_above",
    "col.share_at_or_above",
    "col.compared",
    "col.mean_error",
    "col.rmse",
    "col.agree_share",
]


def quality_section(indicators: QualityIndicators, source: str, page: Page) -> str:
    """Service-quality indicators: measured coverage per operator and commune, and the model's error."""
    t = page.t
    parts = [
        f"<p>{escape(t('quality.source', file=source, points=f'{indicators.points:,}'))}</p>",
        f"<p>{escape(t('quality.rule'))}</p>",
        page.table(
            ["col.technology", "col.threshold"],
            ([tech, Num(f"{dbm:g}")] for tech, dbm in indicators.thresholds.items()),
        ),
    ]
    for message, count in (
        ("quality.dropped", sum(indicators.dropped.values())),
        ("quality.outside", indicators.outside),
        ("quality.no_level", indicators.no_level),
        ("quality.no_threshold", indicators.no_threshold),
    ):
        if count:
            parts.append(f'<p class="banner">{escape(t(message, count=f"{count:,}"))}</p>')
    table = indicators.table
    if table.empty:
        parts.append(f"<p>{escape(t('quality.none'))}</p>")
        return section("quality", t("quality.title"), "".join(parts))
    everywhere = table[table["name"] == ALL_COMMUNES]
    parts.append(f"<h3>{escape(t('quality.by_operator'))}</h3>")
    parts.append(page.table(_QUALITY_HEADERS, _quality_rows(everywhere, page, commune=False)))
    parts.append(f"<h3>{escape(t('quality.by_commune'))}</h3>")
    per_commune = table[table["name"] != ALL_COMMUNES].sort_values(["name", "operator"])
    parts.append(
        page.table(
            ["col.commune", *_QUALITY_HEADERS], _quality_rows(per_commune, page, commune=True)
        )
    )
    return section("quality", t("quality.title"), "".join(parts))
