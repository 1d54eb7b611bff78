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
    assert {f.name for f in files} == {"report.po", "map.po", "tables.po", "cli.po"}
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
    pattern = re.compile(rf"[\"']((?:{families})\.[a-z0-9_A-Z]+)[\"']")
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    file_names = {m for m in used if m.rsplit(".", 1)[1] in {"js", "css", "html", "csv"}}
    assert used - file_names - known == set()
    # looked up by a name built at run time: the model's or method's name, a column's name
    # (and its family's prefix), an input's name, a log level
    dynamic = ("model.", "population.", "column.", "map.input_", "cli.level_")
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
