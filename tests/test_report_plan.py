"""The report's proposed-sites section: the plan file's figures, shown exactly; bad plans refused."""

from __future__ import annotations

import html
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from coverage.analysis import Analysis, analyse
from coverage.errors import CoverageError, CruderMethodWarning, SchemaError
from coverage.io.communes import read_communes
from coverage.io.proposals import write_proposals
from coverage.io.terrain import open_terrain
from coverage.io.towers import read_towers
from coverage.planning.plan import plan_sites
from coverage.report import write_report
from coverage.report.plan import plan_by_commune, plan_sites_table, plan_totals, read_plan

HOSTILE_SITE = '<img src=x onerror="alert(1)">'
OPTIONS = {"population_column": "dan_so", "radius_m": 4000}


@pytest.fixture(scope="module")
def inputs(small_scenario: dict):
    communes = read_communes(small_scenario["communes"])
    towers = read_towers(small_scenario["towers"])
    terrain = open_terrain(small_scenario["dem"])
    return communes, towers, terrain


@pytest.fixture(scope="module")
def analysis(inputs) -> Analysis:
    communes, towers, terrain = inputs
    with pytest.warns(CruderMethodWarning):
        return analyse(communes, towers, terrain, **OPTIONS)


@pytest.fixture(scope="module")
def plan_file(inputs, analysis: Analysis, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Viettel plan of three sites and a shared plan of two, one site with a hostile id."""
    communes, towers, terrain = inputs
    with warnings.catch_warnings():  # crude population, defaults: said by other tests
        warnings.simplefilter("ignore")
        viettel = plan_sites(
            communes, towers, terrain, operator="Viettel", sites=3, spacing_m=1500,
            existing_coverage=analysis.result, **OPTIONS,
        ).proposals  # fmt: skip
        shared = plan_sites(
            communes, towers, terrain, shared=True, sites=2, spacing_m=1500, **OPTIONS
        ).proposals
    proposals = pd.concat([viettel, shared], ignore_index=True)
    proposals.loc[0, "site_id"] = HOSTILE_SITE
    assert set(proposals["plan"]) == {"Viettel", "shared"}
    return write_proposals(proposals, tmp_path_factory.mktemp("plan") / "plan.xlsx")


@pytest.fixture(scope="module")
def page(analysis: Analysis, plan_file: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "report.html"
    write_report(analysis, out, lang="en", plan=plan_file)
    return out.read_text(encoding="utf-8")


def _section(page: str) -> str:
    return page[page.index('id="plan"') : page.index('id="methods"')]


def _cells(row_html: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", row_html)]


def test_totals_per_plan_equal_the_plan_file(page: str, plan_file: Path) -> None:
    raw = pd.read_excel(plan_file, sheet_name="proposals")
    section = _section(page)
    totals = section[: section.index("<h3>The proposed sites</h3>")]
    rows = [_cells(r) for r in re.findall(r"<tr>(<td.*?)</tr>", totals)]
    shown = {r[0]: r for r in rows}
    for plan, label in (("Viettel", "Viettel"), ("shared", "Shared (every operator)")):
        sites = raw[raw["plan"] == plan].drop_duplicates("rank")
        people = sites["people_gained"].sum()
        assert (
            people == sites["cumulative_people"].iloc[-1]
            or abs(people - sites["cumulative_people"].iloc[-1]) < 1e-6 * people
        )
        row = shown[label]
        assert int(row[1]) == len(sites)
        assert int(row[2]) + int(row[3]) == len(sites)
        assert int(row[2]) == int((sites["kind"] == "new").sum())
        assert row[4] == f"{people:,.0f}"
        assert row[5] == f"{sites['cost'].sum():,.0f}"
    assert "Plan: plan.xlsx" in section


def test_each_site_row_is_the_file_row(page: str, plan_file: Path) -> None:
    raw = pd.read_excel(plan_file, sheet_name="proposals")
    section = _section(page)
    sites_part = section[section.index("<h3>The proposed sites</h3>") :]
    sites_part = sites_part[: sites_part.index("<h3>", 1)]
    rows = [_cells(r) for r in re.findall(r"<tr>(<td.*?)</tr>", sites_part)]
    first = raw.drop_duplicates(["plan", "rank"]).sort_values(["plan", "rank"], kind="stable")
    assert len(rows) == len(first)
    for row, (_, expected) in zip(rows, first.iterrows(), strict=True):
        assert int(row[1]) == expected["rank"]
        assert row[2] == expected["site_id"]
        ops = raw[(raw["plan"] == expected["plan"]) & (raw["rank"] == expected["rank"])]
        assert row[3] == ", ".join(ops["operator"])
        assert row[4] == ("new" if expected["kind"] == "new" else "co-location")
        assert row[5] == f"{expected['people_gained']:,.0f}"
        assert row[6] == f"{expected['cost']:,.0f}"
        assert row[7] == (
            expected["communes_served"] if isinstance(expected["communes_served"], str) else ""
        )


def test_hostile_site_id_is_text(page: str) -> None:
    assert html.escape(HOSTILE_SITE, quote=True) in _section(page)
    assert "<img src=x" not in page


def test_people_per_commune_are_the_predicted_gain(
    inputs, analysis: Analysis, plan_file: Path
) -> None:
    proposals = read_plan(plan_file)
    by_commune = plan_by_commune(analysis, proposals)
    assert by_commune is not None and len(by_commune)
    # the same figure from a second analysis with the Viettel sites added, commune by commune
    viettel = proposals[proposals["plan"] == "Viettel"].to_crs(analysis.result.crs)
    towers = pd.concat([analysis.result.towers, viettel], ignore_index=True)
    after = analyse(
        inputs[0], towers, analysis.terrain, population=analysis.population, radius_m=4000
    )
    gained = (
        after.communes["covered_population_viettel"]
        - analysis.communes["covered_population_viettel"]
    )
    got = by_commune[by_commune["plan"] == "Viettel"].set_index("name")["people"]
    for name, value in zip(analysis.communes["name"], gained, strict=True):
        assert got.get(name, 0.0) == pytest.approx(value, rel=1e-9, abs=1e-6), name


def test_sites_table_and_totals_by_hand() -> None:
    rows = pd.DataFrame(
        {
            "plan": ["shared", "shared", "shared", "Viettel"],
            "rank": [1, 1, 2, 1],
            "site_id": ["s1a", "s1b", "s2", "v1"],
            "operator": ["Viettel", "MobiFone", "Viettel", "Viettel"],
            "kind": ["new", "new", "co-location", "new"],
            "people_gained": [500.0, 500.0, 120.0, 333.0],
            "cost": [2.0, 2.0, 0.5, 2.0],
        }
    )
    sites = plan_sites_table(rows)
    assert sites[["plan", "rank", "operators"]].values.tolist() == [
        ["Viettel", 1, "Viettel"], ["shared", 1, "Viettel, MobiFone"], ["shared", 2, "Viettel"],
    ]  # fmt: skip
    totals = plan_totals(sites)
    assert totals.loc["shared", "people_gained"] == 620.0 and totals.loc["shared", "cost"] == 2.5
    assert totals.loc["shared", "new"] == 1 and totals.loc["shared", "colocation"] == 1


def test_bad_plan_files_get_one_line_errors(tmp_path: Path, small_scenario: dict) -> None:
    with pytest.raises(SchemaError, match=r"plan\.txt: a plan is read from"):
        read_plan(tmp_path / "plan.txt")
    with pytest.raises(CoverageError, match="plan"):
        read_plan(tmp_path / "missing.csv")
    with pytest.raises(SchemaError, match=r"not a plan from `phusong plan`: no column plan, rank"):
        read_plan(small_scenario["towers"])
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "plan,rank,site_id,operator,kind,people_gained,lon,lat,technology\n"
        "Viettel,1,v1,Viettel,new,lots,103.9,22.4,4G\n",
        encoding="utf-8",
    )
    with pytest.raises(
        SchemaError, match=r"'people_gained' must be a number in every row; found \['lots'\]"
    ):
        read_plan(bad)


def test_phusong_report_with_plan(small_scenario: dict, plan_file: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coverage.cli import main

    job = [
        "report", "--communes", small_scenario["communes"], "--dem", small_scenario["dem"],
        "--towers", small_scenario["towers"], "--population-column", "dan_so", "--radius", "4000",
    ]  # fmt: skip
    runner = CliRunner()
    done = runner.invoke(
        main, [*map(str, job), "--plan", str(plan_file), "--out", str(tmp_path / "r.html")]
    )
    assert done.exit_code == 0, done.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Trạm đề xuất" in page and "Dùng chung (mọi nhà mạng)" in page
    bad = runner.invoke(
        main,
        [
            *map(str, job),
            "--plan",
            str(small_scenario["towers"]),
            "--out",
            str(tmp_path / "b.html"),
            "--lang",
            "en",  # the report speaks Vietnamese unless told: so do its errors
        ],
    )
    assert bad.exit_code != 0 and "not a plan from `phusong plan`" in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    assert not (tmp_path / "b.html").exists()
