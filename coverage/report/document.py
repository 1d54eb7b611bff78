"""The report as one self-contained HTML page: every text from the catalogue, every value escaped.

:func:`report_html` takes the analysis, this run's record and, optionally, the change since
a previous run, and returns the page. Nothing in it points outside the page: styles are
inline, maps and charts are PNG data URIs, links are in-page anchors.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from coverage.analysis import Analysis
from coverage.errors import CommuneLookupError
from coverage.gaps import slug
from coverage.i18n import Translator
from coverage.names import find_commune, predecessor_communes, seed_communes_in, successor_commune
from coverage.report import figures
from coverage.report.runs import ANY_OPERATOR, RunChange, RunRecord

TOP_GAPS = 5
"""Gaps listed per operator."""

STYLE = """
body{font-family:"DejaVu Sans","Noto Sans",Arial,sans-serif;margin:2em auto;max-width:60em;
color:#222;line-height:1.4}
h1{font-size:1.8em}h2{border-bottom:2px solid #2b8cbe;margin-top:2em;break-before:page}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.85em}
th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left}td.n{text-align:right}
th{background:#eef4f8}.banner{background:#fff3cd;border:1px solid #e0c36c;padding:.6em}
img{max-width:100%}.cover{margin-bottom:2em}
"""


@dataclass(frozen=True)
class ReportInputs:
    """What the page shows besides the analysis: cover texts and the provenance of inputs."""

    lang: str = "vi"
    period: str | None = None
    province: str | None = None
    synthetic: dict[str, str] = field(default_factory=dict)
    synthetic_dem: Sequence[str] = ()
    synthetic_population: Sequence[str] = ()
    date: datetime | None = None


def escape(value: object) -> str:
    """``value`` as HTML text (quotes escaped too).

    Examples
    --------
    >>> escape('<b title="x">')
    '&lt;b title=&quot;x&quot;&gt;'
    """
    return html.escape(str(value), quote=True)


class Page:
    """Formats numbers and operator names for one language."""

    def __init__(self, t: Translator) -> None:
        self.t = t

    def people(self, value: Any) -> str:
        value = float(value)
        return self.t("common.unknown") if not math.isfinite(value) else f"{value:,.0f}"

    def share(self, value: Any) -> str:
        value = float(value)
        return self.t("common.unknown") if not math.isfinite(value) else f"{100 * value:.1f} %"

    def signed(self, value: Any) -> str:
        value = float(value)
        return self.t("common.unknown") if not math.isfinite(value) else f"{value:+,.0f}"

    def operator(self, name: Any) -> str:
        name = str(name)
        if name == ANY_OPERATOR:
            return self.t("common.any_operator")
        if name == "no operator":
            return self.t("common.no_operator")
        return name

    def status(self, status: str) -> str:
        for prefix, message in (
            ("complete", "status.complete"),
            ("partial", "status.partial"),
            ("not computed", "status.not_computed"),
        ):
            if str(status).startswith(prefix):
                return self.t(message)
        return str(status)

    def table(self, header_ids: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
        """A table; numbers (already formatted as text by the caller) are right-aligned."""
        head = "".join(f"<th>{escape(self.t(h))}</th>" for h in header_ids)
        body = []
        for row in rows:
            cells = "".join(
                f'<td class="n">{escape(v)}</td>' if isinstance(v, Num) else f"<td>{escape(v)}</td>"
                for v in row
            )
            body.append(f"<tr>{cells}</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class Num(str):
    """A formatted number: right-aligned in tables."""


def section(anchor: str, title: str, body: str) -> str:
    """One ``<section>`` of the page: its anchor, escaped title and (ready) HTML body."""
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{body}</section>'


def _totals(record: RunRecord) -> pd.DataFrame:
    """Province totals per operator (any first): population, covered people, share."""
    figures_ = record.figures
    grouped = figures_.groupby("operator", sort=False)[["population", "covered_population"]].sum(
        min_count=1
    )
    grouped["share"] = grouped["covered_population"] / grouped["population"]
    return grouped


def _summary(analysis: Analysis, record: RunRecord, page: Page) -> str:
    t = page.t
    totals = _totals(record)
    anyop = totals.loc[ANY_OPERATOR]
    parts = [
        "<ul>",
        f"<li>{escape(t('summary.population'))}: <b>{escape(page.people(anyop['population']))}</b></li>",
        f"<li>{escape(t('summary.covered_any'))}: <b>{escape(page.people(anyop['covered_population']))}</b></li>",
        f"<li>{escape(t('summary.share_any'))}: <b>{escape(page.share(anyop['share']))}</b></li>",
        "</ul>",
        f"<h3>{escape(t('summary.by_operator'))}</h3>",
        page.table(
            ["col.operator", "col.covered_people", "col.covered_share"],
            (
                [
                    page.operator(str(op)),
                    Num(page.people(row.covered_population)),
                    Num(page.share(row.share)),
                ]
                for op, row in totals.iterrows()
            ),
        ),
        f"<h3>{escape(t('summary.by_technology'))}</h3>",
    ]
    communes = analysis.communes
    population = float(communes["population"].sum(min_count=1))
    rows = []
    for layer in analysis.result.layers.itertuples():
        column = f"covered_population_{slug(str(layer.operator))}_{slug(str(layer.technology))}"
        covered = float(communes[column].sum(min_count=1)) if column in communes else math.nan
        rows.append(
            [
                str(layer.operator),
                str(layer.technology),
                Num(page.people(covered)),
                Num(page.share(covered / population if population > 0 else math.nan)),
            ]
        )
    parts.append(
        page.table(
            ["col.operator", "col.technology", "col.covered_people", "col.covered_share"], rows
        )
    )
    silent = communes[
        (communes["covered_share_any"] == 0)
        & ~communes["status"].astype(str).str.startswith("not computed")
    ]
    parts.append(f"<h3>{escape(t('summary.no_signal_communes'))}</h3>")
    parts.append(
        f"<p>{escape(', '.join(silent['name'].astype(str)))}</p>"
        if len(silent)
        else f"<p>{escape(t('common.none'))}</p>"
    )
    return section("summary", t("summary.title"), "".join(parts))


def _maps(analysis: Analysis, record: RunRecord, page: Page) -> str:
    t = page.t
    communes = analysis.communes
    uncovered = communes["uncovered_population_share_any"].astype(float)
    uncovered = uncovered.fillna(1.0 - communes["covered_share_any"].astype(float))
    totals = _totals(record)
    shares = totals["share"].rename(index=page.operator)
    images = [
        figures.uncovered_share_map(communes, uncovered, t),
        figures.coverage_map(analysis, t),
        figures.operator_chart(shares, t),
    ]
    body = "".join(f'<p><img alt="" src="{uri}"></p>' for uri in images)
    return section("maps", t("maps.title"), body)


def _commune_rows(communes: pd.DataFrame, page: Page) -> list[list[object]]:
    return [
        [
            row["name"],
            "" if pd.isna(row.get("district")) else row["district"],
            Num(page.people(float(row["population"]))),
            Num(page.people(float(row["covered_population_any"]))),
            Num(page.people(float(row["uncovered_population_any"]))),
            Num(page.share(float(row["covered_share_any"]))),
            row["operators_present"],
            page.status(row["status"]),
        ]
        for _, row in communes.iterrows()
    ]


_COMMUNE_HEADERS = [
    "col.commune",
    "col.district",
    "col.population",
    "col.covered_people",
    "col.uncovered_people",
    "col.area_share",
    "col.operators_present",
    "col.status",
]


def _communes(analysis: Analysis, page: Page) -> str:
    communes = analysis.communes.sort_values("name")
    return section(
        "communes",
        page.t("communes.title"),
        page.table(_COMMUNE_HEADERS, _commune_rows(communes, page)),
    )


def _merger_lines(name: str, page: Page) -> list[str]:
    """The 2025 unit a commune of interest is or became part of, and the communes it absorbed."""
    try:
        unit, absorbed = name, predecessor_communes(name)
    except CommuneLookupError:
        try:
            unit = successor_commune(name)
            absorbed = predecessor_communes(unit)
        except CommuneLookupError:
            return []
    return [
        f"<p>{escape(page.t('interest.unit', unit=unit))}</p>",
        f"<p>{escape(page.t('interest.absorbed', names=', '.join(absorbed)))}</p>",
    ]


def _interest(analysis: Analysis, record: RunRecord, page: Page) -> str:
    t = page.t
    names = seed_communes_in(analysis.communes["name"].astype(str))
    if not names:
        return section("interest", t("interest.title"), f"<p>{escape(t('interest.none'))}</p>")
    parts = []
    for name in names:
        rows = find_commune(analysis.communes, name)
        own = record.figures[record.figures["name"].isin(rows["name"].astype(str))]
        parts.append(f"<h3>{escape(name)}</h3>")
        parts.extend(_merger_lines(name, page))
        parts.append(page.table(_COMMUNE_HEADERS, _commune_rows(rows, page)))
        parts.append(
            page.table(
                ["col.operator", "col.covered_people", "col.covered_share"],
                (
                    [
                        page.operator(r.operator),
                        Num(page.people(r.covered_population)),
                        Num(page.share(r.coverage_share)),
                    ]
                    for r in own.itertuples()
                ),
            )
        )
    return section("interest", t("interest.title"), "".join(parts))


def _gaps(analysis: Analysis, page: Page) -> str:
    parts = []
    gaps = analysis.gaps
    for operator, group in gaps.groupby("operator", sort=False):
        top = group.sort_values("rank").head(TOP_GAPS)
        parts.append(f"<h3>{escape(page.operator(str(operator)))}</h3>")
        parts.append(
            page.table(
                ["col.rank", "col.commune", "col.area_km2", "col.people", "col.centre"],
                (
                    [
                        Num(int(r.rank)),
                        page.t("gaps.scattered", name=r.commune_name, pieces=int(r.pieces))
                        if getattr(r, "kind", None) == "scattered"
                        else r.commune_name,
                        Num(f"{r.area_km2:.2f}"),
                        Num(page.people(float(r.people))),
                        f"{r.centroid_lat:.5f}, {r.centroid_lon:.5f}",
                    ]
                    for r in top.itertuples()
                ),
            )
        )
    return section(
        "gaps", page.t("gaps.title"), "".join(parts) or f"<p>{escape(page.t('common.none'))}</p>"
    )


def _change(change: RunChange, page: Page) -> str:
    t = page.t
    parts = [
        f"<p>{escape(t('change.previous_run', date=change.previous.get('date'), version=change.previous.get('phusong_version')))}</p>"
    ]
    if not change.comparable:
        reasons = "; ".join(
            t(message, previous=before, current=now) for message, before, now in change.reasons
        )
        parts.append(
            f'<p class="banner" id="not-comparable">{escape(t("change.not_comparable", reason=reasons))}</p>'
        )
        return section("change", t("change.title"), "".join(parts))
    assert change.towers is not None and change.people is not None and change.crossed is not None
    parts.append(f"<h3>{escape(t('change.towers'))}</h3>")
    parts.append(
        page.table(
            ["col.operator", "col.added", "col.removed"],
            ([r.operator, Num(r.added), Num(r.removed)] for r in change.towers.itertuples()),
        )
    )
    people = change.people[change.people["change"].fillna(1) != 0]
    parts.append(f"<h3>{escape(t('change.people'))}</h3>")
    parts.append(
        page.table(
            ["col.commune", "col.operator", "col.previous", "col.current", "col.change"],
            (
                [
                    r.name,
                    page.operator(r.operator),
                    Num(page.people(r.previous)),
                    Num(page.people(r.current)),
                    Num(page.signed(r.change)),
                ]
                for r in people.sort_values(["name", "operator"]).itertuples()
            ),
        )
        if len(people)
        else f"<p>{escape(t('change.no_change'))}</p>"
    )
    parts.append(f"<h3>{escape(t('change.crossed'))}</h3>")
    parts.append(
        page.table(
            ["col.commune", "col.crossing", "col.previous", "col.current"],
            (
                [
                    r.name,
                    t(
                        "change.up" if r.direction == "up" else "change.down",
                        share=page.share(r.share),
                    ),
                    Num(page.share(r.previous_share)),
                    Num(page.share(r.current_share)),
                ]
                for r in change.crossed.itertuples()
            ),
        )
        if len(change.crossed)
        else f"<p>{escape(t('change.no_change'))}</p>"
    )
    return section("change", t("change.title"), "".join(parts))


def _methods(analysis: Analysis, record: RunRecord, inputs: ReportInputs, page: Page) -> str:
    t = page.t
    result = analysis.result
    parts = [f"<h3>{escape(t('methods.synthetic'))}</h3>"]
    lines = [f"{key}: {value}" for key, value in inputs.synthetic.items()]
    lines += [t("methods.synthetic_dem", source=source) for source in inputs.synthetic_dem]
    lines += [
        t("methods.synthetic_population", source=source) for source in inputs.synthetic_population
    ]
    parts.append(
        "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"
        if lines
        else f"<p>{escape(t('methods.no_synthetic'))}</p>"
    )
    model = result.model
    model_text = f"{model}: {t('model.' + model)}" if f"model.{model}" in t.messages else model
    parameters = ", ".join(
        f"{k}={v}" for k, v in record.meta["parameters"].items() if v is not None
    )
    valid = result.validity != 0  # any coverage.validity.Validity flag set
    population = analysis.population
    items = [
        t("methods.model", model=model_text),
        t("methods.parameters", parameters=parameters),
        t("methods.validity", share=page.share(float(valid.mean()) if valid.size else math.nan)),
        t(
            "methods.grid",
            rows=result.shape[0],
            cols=result.shape[1],
            cell=f"{abs(result.transform.a):g}",
            crs=result.crs.to_string(),
        ),
        t("methods.terrain", source=analysis.terrain.source),
        t("methods.towers", count=len(result.towers)),
        t(
            "methods.population",
            source=population.source,
            method=t("population." + population.method)
            if f"population.{population.method}" in t.messages
            else population.method,
        )
        if population is not None
        else t("methods.population_none"),
        t("methods.share_rule"),
    ]
    parts.append("<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>")
    parts.append(f"<h3>{escape(t('methods.thresholds'))}</h3>")
    parts.append(
        page.table(
            ["col.technology", "col.threshold"],
            ([tech, Num(f"{dbm:g}")] for tech, dbm in record.meta["thresholds"].items()),
        )
    )
    return section("methods", t("methods.title"), "".join(parts))


def report_html(
    analysis: Analysis,
    record: RunRecord,
    inputs: ReportInputs,
    *,
    change: RunChange | None = None,
    extra: Callable[[Page], Sequence[tuple[str, str, str]]] | None = None,
) -> str:
    """The whole report as one HTML page in ``inputs.lang``.

    Parameters
    ----------
    analysis
        A finished :func:`coverage.analysis.analyse`.
    record
        This run's record (:meth:`RunRecord.from_analysis`): the figures shown.
    inputs
        Cover texts and the inputs' provenance.
    change
        The change since a previous run (:func:`coverage.report.runs.compare_runs`).
    extra
        Given the page's formatter, more sections as ``(anchor, html, title message id)``
        (:mod:`coverage.report.sections`), placed before the methods.
    """
    t = Translator(inputs.lang)
    page = Page(t)
    communes = analysis.communes
    province = inputs.province
    if province is None and "province" in communes and communes["province"].notna().any():
        province = str(communes["province"].dropna().mode().iloc[0])
    cover = [f"<h1>{escape(t('cover.title'))}</h1>"]
    if province:
        cover.append(f"<p>{escape(t('cover.province', province=province))}</p>")
    if inputs.period:
        cover.append(f"<p><b>{escape(t('cover.period', period=inputs.period))}</b></p>")
    made = (inputs.date or datetime.now()).strftime("%Y-%m-%d")
    cover.append(
        f"<p>{escape(t('cover.generated', date=made, version=record.meta['phusong_version']))}</p>"
    )
    if inputs.synthetic or inputs.synthetic_dem:
        cover.append(f'<p class="banner">{escape(t("cover.synthetic"))}</p>')
    sections = [
        ("summary", _summary(analysis, record, page), "summary.title"),
        ("maps", _maps(analysis, record, page), "maps.title"),
        ("communes", _communes(analysis, page), "communes.title"),
        ("interest", _interest(analysis, record, page), "interest.title"),
        ("gaps", _gaps(analysis, page), "gaps.title"),
    ]
    if extra is not None:
        sections.extend(extra(page))
    if change is not None:
        sections.append(("change", _change(change, page), "change.title"))
    sections.append(("methods", _methods(analysis, record, inputs, page), "methods.title"))
    contents = "".join(
        f'<li><a href="#{anchor}">{escape(t(title))}</a></li>' for anchor, _, title in sections
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(inputs.lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(t('cover.title'))}</title><style>{STYLE}</style></head><body>"
        f'<div class="cover">{"".join(cover)}</div>'
        f'<nav><h2 style="break-before:auto">{escape(t("nav.contents"))}</h2><ol>{contents}</ol></nav>'
        + "".join(body for _, body, _ in sections)
        + "</body></html>\n"
    )
