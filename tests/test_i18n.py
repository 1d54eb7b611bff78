"""The catalogues: the same messages in Vietnamese and English, in NFC, every one used."""

from __future__ import annotations

import re
import string
import unicodedata
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from coverage.errors import SchemaError
from coverage.i18n import LANGUAGES, Translator, catalogue, check_language, resolve_language

PACKAGE = Path(__file__).resolve().parents[1] / "coverage"
MESSAGES = PACKAGE / "i18n" / "messages"
# Vietnamese letters beyond ASCII: a message with none of them is untranslated or stripped
VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
# The terms the product uses for its core ideas (Vietnamese telecom usage), as they must read
TERMS = {
    "map.towers_layer": ["Trạm"],
    "map.legend_operators": ["Nhà mạng"],
    "map.gap_layer_any": ["Vùng lõm sóng", "nhà mạng", "có sóng"],
    "map.legend_dbm": ["Công suất thu"],
    "map.proposals_layer": ["Trạm đề xuất"],
    "map.legend_share": ["Xã", "người dân", "không có sóng"],
    "sheet.summary": ["xã"],
    "column.commune_name": ["Xã"],
    "column.province": ["Tỉnh"],
    "column.people": ["không có sóng"],
    "column.uncovered_population_": ["không có sóng"],
    "column.operators_present": ["Nhà mạng"],
    "cover.title": ["vùng phủ sóng"],
}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_exists_in_both_languages() -> None:
    vi, en = catalogue("vi"), catalogue("en")
    assert set(vi) == set(en)
    assert len(vi) > 200
    for message_id in vi:
        assert vi[message_id].strip() and en[message_id].strip(), message_id
        assert _fields(vi[message_id]) == _fields(en[message_id]), message_id
        printf = re.compile(r"%\(\w+\)[sd]")  # none today; equal sets if ever used
        assert set(printf.findall(vi[message_id])) == set(printf.findall(en[message_id]))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_files_are_nfc_with_no_fuzzy_entry(lang: str) -> None:
    files = sorted((MESSAGES / lang).glob("*.po"))
    assert {f.name for f in files} == {"report.po", "map.po", "tables.po", "cli.po", "errors.po"}
    for path in files:
        raw = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", raw), path.name
        with path.open("rb") as handle:
            parsed = read_po(handle, locale=lang)
        for message in parsed:
            assert not message.fuzzy or not message.id, (path.name, message.id)
    for message_id, text in catalogue(lang).items():
        assert unicodedata.is_normalized("NFC", text), (lang, message_id)


def test_every_vietnamese_message_has_diacritics() -> None:
    for message_id, text in catalogue("vi").items():
        assert VIETNAMESE & set(text.lower()), message_id
    for message_id, text in catalogue("en").items():
        assert not VIETNAMESE & set(text.lower()), message_id


@pytest.mark.parametrize("message_id", sorted(TERMS))
def test_core_terms_are_written_with_their_diacritics(message_id: str) -> None:
    text = catalogue("vi")[message_id]
    for term in TERMS[message_id]:
        assert unicodedata.normalize("NFC", term) in text, (message_id, term, text)


def test_vietnamese_words_are_spelled_one_way() -> None:
    """The words of the domain, each in one spelling only (no 'lỏm', 'Viêttel', 'nha mang')."""
    text = " ".join(catalogue("vi").values()).lower()
    for wrong in ("lỏm", "lõm sóng sóng", "nha mang", "nhà mang", " tram ", " song "):
        assert wrong not in text, wrong
    assert "vùng lõm sóng" in text and "vùng phủ sóng" in text and "ngưỡng" in text


def test_every_message_the_code_uses_is_in_the_catalogue() -> None:
    """Message ids quoted in the code all exist, and every catalogue entry is used."""
    known = set(catalogue("en"))
    families = "|".join(sorted({message_id.split(".")[0] for message_id in known}))
    pattern = re.compile(rf"[\"']((?:{families})(?:\.[a-z0-9_A-Z]+)+)[\"']")
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    file_names = {m for m in used if m.rsplit(".", 1)[1] in {"js", "css", "html", "csv"}}
    assert used - file_names - known == set()
    # looked up by a name built at run time: the model's or method's name, a column's name
    # (and its family's prefix), an input's name, a gap's kind, a log level, what a file is
    dynamic = ("model.", "population.", "column.", "map.input_", "map.gap_kind_", "cli.level_")
    dynamic += ("noun.",)
    unused = {m for m in known - used if not m.startswith(dynamic)}
    assert unused == set()


def test_english_sheet_names_are_the_documented_ones() -> None:
    from coverage.io.gaplists import ALL_OPERATORS, SUMMARY

    t = Translator("en")
    assert (t("sheet.summary"), t("sheet.all_operators")) == (SUMMARY, ALL_OPERATORS)
    for lang in LANGUAGES:  # Excel: at most 31 characters, none of []:*?/\
        for message_id, text in catalogue(lang).items():
            if message_id.startswith("sheet.") and "{" not in text:
                assert len(text) <= 31 and not set(text) & set("[]:*?/\\"), text


def test_translator_fills_fields_and_refuses_unknown_language() -> None:
    assert Translator("vi")("cover.period", period="Quý 3/2025") == "Kỳ báo cáo: Quý 3/2025"
    assert Translator("vi")("map.signal_layer", operator="Viettel") == "Có sóng: Viettel"
    with pytest.raises(SchemaError, match="--lang"):
        Translator("fr")
    with pytest.raises(KeyError, match="no.such"):
        Translator("en")("no.such")
    assert check_language("en") == "en"


@pytest.mark.parametrize(
    ("explicit", "default", "environ", "expected"),
    [
        ("en", "vi", {"PHUSONG_LANG": "vi", "LANG": "vi_VN.UTF-8"}, "en"),
        (None, "vi", {"PHUSONG_LANG": "en"}, "en"),
        (None, "vi", {"LANG": "en_GB.UTF-8"}, "vi"),
        (None, None, {"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}, "vi"),
        (None, None, {"LC_ALL": "", "LC_MESSAGES": "vi_VN", "LANG": "en_US.UTF-8"}, "vi"),
        (None, None, {"LANG": "fr_FR.UTF-8"}, "en"),
        (None, None, {"LANG": "C"}, "en"),
        (None, None, {}, "en"),
    ],
)
def test_language_resolution_order(
    explicit: str | None, default: str | None, environ: dict[str, str], expected: str
) -> None:
    assert resolve_language(explicit, default=default, environ=environ) == expected


def test_a_wrong_phusong_lang_is_refused_not_ignored() -> None:
    with pytest.raises(SchemaError, match="PHUSONG_LANG='fr'"):
        resolve_language(environ={"PHUSONG_LANG": "fr"})


# ---------------------------------------------------------------------------------------
# The product in each language: map, gap lists, command line


@pytest.fixture(scope="module")
def scenario() -> dict:
    from test_render import build_scenario

    return build_scenario()


def _map_page(scenario: dict, lang: str) -> str:
    from coverage.render.map import coverage_map
    from coverage.render.offline import html_document

    inputs = [scenario[name] for name in ("communes", "result", "gaps", "towers")]
    options = {"terrain": scenario["terrain"], "focus_commune": "Y Ty", "offline": True}
    m = coverage_map(*inputs, synthetic_inputs=["terrain", "towers"], lang=lang, **options)
    return html_document(m, offline=True)


def _in_page(text: str, page: str) -> bool:
    """``text`` is in the page as HTML, as a JSON string, or as HTML inside a JSON string."""
    import html
    import json

    from coverage.render.layers import js_literal

    forms = {text, html.escape(text), json.dumps(text, ensure_ascii=False)[1:-1]}
    forms.add(json.dumps(html.escape(text), ensure_ascii=False)[1:-1])
    forms |= {json.dumps(form, ensure_ascii=True)[1:-1] for form in set(forms)}
    forms |= {js_literal(form)[1:-1] for form in set(forms)}  # as phusong's scripts hold text
    return any(form in page for form in forms)


def test_vietnamese_map_has_vietnamese_words_and_no_english_label(scenario: dict) -> None:
    from test_render import XSS

    page = _map_page(scenario, "vi")
    t = Translator("vi")
    for text in (
        t("map.communes_layer"),
        t("map.signal_layer", operator="Viettel"),
        t("map.signal_layer", operator=t("map.any_operator")),
        t("map.gap_layer_any"),
        t("map.gap_layer", operator="VinaPhone"),
        t("map.towers_layer"),
        t("map.sectors_layer"),
        t("map.hillshade"),
        t("map.basemap_none"),
        t("map.legend_operators"),
        t("map.legend_gap"),
        t("map.search_placeholder"),
        t("map.search_none"),
        t("map.without_any"),
        t("map.gap_people"),
        "Không phải dữ liệu thật: địa hình và danh sách trạm là dữ liệu tổng hợp.",
        "Vùng phủ sóng: phusong (mô hình",
    ):
        assert _in_page(text, page), text
    # no English label of the map's catalogue is left: sentences anywhere, single words
    # where labels go (popup table headers, gap popup fields); "operator" is also code
    english = Translator("en")
    for message_id, text in english.messages.items():
        if not message_id.startswith("map.") or "{" in text:
            continue
        if " " in text:
            assert not _in_page(text, page), (message_id, text)
        for label in (f"<th>{text}</th>", f'"label":"{text}"', f'"label": "{text}"'):
            assert not _in_page(label, page), (message_id, label)
    # data stays data: the hostile name is escaped text, never markup
    assert "<img src=x" not in page and "window.__pwned" in page
    assert XSS not in page


def test_english_map_is_unchanged_by_default(scenario: dict) -> None:
    page = _map_page(scenario, "en")
    for text in ("Communes: share without signal", "Gaps: no signal from any operator"):
        assert _in_page(text, page)
    assert _in_page("Not real data: terrain and towers are synthetic.", page)
    # the forms the Vietnamese test looks for do find English labels where they are
    assert _in_page("<th>population</th>", page) and _in_page('"label":"commune"', page)
    assert not _in_page("Vùng lõm sóng", page)


def test_vietnamese_gap_lists_have_vietnamese_sheets_and_headers(
    scenario: dict, tmp_path: Path
) -> None:
    import openpyxl
    import pandas as pd

    from coverage.io.gaplists import write_gap_list

    gaps, summary = scenario["gaps"], scenario["communes"]
    xlsx = write_gap_list(gaps, summary, tmp_path / "vi.xlsx", lang="vi")
    book = openpyxl.load_workbook(xlsx, read_only=True)
    assert book.sheetnames[:3] == ["Tóm tắt theo xã", "Tất cả nhà mạng", "Không nhà mạng nào"]
    assert {"Viettel", "VinaPhone"} <= set(book.sheetnames)
    header = [c.value for c in next(book["Tất cả nhà mạng"].iter_rows(max_row=1))]
    assert {"Xã", "Số người không có sóng", "Diện tích, km²", "Nhà mạng không có sóng"} <= set(
        header
    )
    assert "Trạm Viettel gần nhất" in header
    summary_header = [c.value for c in next(book["Tóm tắt theo xã"].iter_rows(max_row=1))]
    assert "Số người không có sóng Viettel 4G" in summary_header
    assert "Số người không có sóng của bất kỳ nhà mạng nào" in summary_header
    assert all(unicodedata.is_normalized("NFC", str(h)) for h in header + summary_header)
    operators = {row[header.index("Nhà mạng không có sóng")] for row in
                 book["Tất cả nhà mạng"].iter_rows(min_row=2, values_only=True)}  # fmt: skip
    assert "Không nhà mạng nào" in operators and "no operator" not in operators

    csv = write_gap_list(gaps, summary, tmp_path / "vi.csv", lang="vi")
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert {"Xã", "Số người không có sóng"} <= set(table.columns)
    # the frames keep their English column names: only the file speaks Vietnamese
    assert {"commune_name", "people"} <= set(gaps.columns)
    english = pd.read_csv(write_gap_list(gaps, summary, tmp_path / "en.csv"), encoding="utf-8-sig")
    assert {"commune_name", "people", "operator"} <= set(english.columns)
    assert len(english.columns) == len(table.columns)
    assert english.shape == table.shape


def test_unknown_language_is_refused_before_writing(scenario: dict, tmp_path: Path) -> None:
    from coverage.io.gaplists import write_gap_list

    with pytest.raises(SchemaError, match="--lang"):
        write_gap_list(scenario["gaps"], None, tmp_path / "x.csv", lang="fr")
    assert not (tmp_path / "x.csv").exists()


def _cli(*args: object, env: dict[str, str] | None = None):
    from click.testing import CliRunner

    from coverage.cli import main

    environment = {"PHUSONG_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}
    return CliRunner().invoke(main, [str(a) for a in args], env=environment | (env or {}))


def test_command_line_messages_in_both_languages(small_scenario: dict, tmp_path: Path) -> None:
    bad = ["plan", "--communes", small_scenario["communes"], "--towers",
           small_scenario["towers"], "--dem", small_scenario["dem"], "--out", tmp_path / "p.csv"]  # fmt: skip
    english = _cli(*bad)
    assert english.exit_code == 2
    assert english.output.startswith("Error: give --new-sites N, --budget MONEY, or both. See '")
    assert english.output.strip().endswith(" plan --help'.")
    vietnamese = _cli(*bad, "--lang", "vi")
    assert vietnamese.exit_code == 2
    assert vietnamese.output.startswith(
        "Lỗi: hãy cho --new-sites N, --budget SỐ_TIỀN, hoặc cả hai. Xem hướng dẫn: '"
    ), vietnamese.output
    # the environment chooses when --lang is not given; an explicit --lang wins
    assert _cli(*bad, env={"PHUSONG_LANG": "vi"}).output.startswith("Lỗi: hãy cho")
    assert _cli(*bad, env={"LANG": "vi_VN.UTF-8"}).output.startswith("Lỗi: hãy cho")
    assert _cli(*bad, "--lang", "en", env={"PHUSONG_LANG": "vi"}).output.startswith("Error: give")
    wrong = _cli(*bad, env={"PHUSONG_LANG": "fr"})
    assert wrong.exit_code == 2 and "PHUSONG_LANG='fr'" in wrong.output
    assert len(wrong.output.strip().splitlines()) == 1


def test_gaps_command_writes_vietnamese_headers_and_says_so(
    small_scenario: dict, tmp_path: Path
) -> None:
    import pandas as pd

    out = tmp_path / "gaps.csv"
    files = ["--communes", small_scenario["communes"], "--towers", small_scenario["towers"]]
    result = _cli("-v", "gaps", *files, "--dem", small_scenario["dem"], "--radius", "4000",
                  "--population-column", "dan_so", "--lang", "vi", "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "THÔNG TIN coverage: 4 xã, 3 trạm, địa hình" in result.output
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert {"Xã", "Số người không có sóng", "Nhà mạng không có sóng"} <= set(table.columns)


def test_warnings_are_framed_in_the_command_language() -> None:
    import logging
    import warnings

    import click

    from coverage.cli.reporting import LANG, LevelFormatter, show_warning
    from coverage.errors import CoverageWarning

    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep()
    handler.setFormatter(LevelFormatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("coverage")
    logger.addHandler(handler)
    try:
        with click.Context(click.Command("x")) as ctx:
            ctx.meta[LANG] = "vi"
            show_warning(CoverageWarning("model outside its range"), CoverageWarning, "f", 1)
            ctx.meta[LANG] = "en"
            with warnings.catch_warnings():
                show_warning(CoverageWarning("model outside its range"), CoverageWarning, "f", 1)
    finally:
        logger.removeHandler(handler)
    assert records == [
        "CẢNH BÁO coverage: model outside its range",
        "WARNING coverage: model outside its range",
    ]


def test_map_command_speaks_the_language_of_the_environment(
    small_scenario: dict, tmp_path: Path
) -> None:
    files = ["--communes", small_scenario["communes"], "--towers", small_scenario["towers"]]
    job = [*files, "--dem", small_scenario["dem"], "--radius", "4000", "--offline"]
    result = _cli("map", *job, "--out", tmp_path / "vi.html", env={"LANG": "vi_VN.UTF-8"})
    assert result.exit_code == 0, result.output
    page = (tmp_path / "vi.html").read_text(encoding="utf-8")
    assert _in_page("Vùng lõm sóng: không nhà mạng nào có sóng", page)
    assert _in_page("Tìm xã (gõ có dấu hoặc không dấu)", page)
    assert not _in_page("Gaps: no signal from any operator", page)
