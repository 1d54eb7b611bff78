"""The report's catalogues: the same messages in Vietnamese and English, in NFC."""

from __future__ import annotations

import re
import string
import unicodedata
from pathlib import Path

import pytest

from coverage.errors import SchemaError
from coverage.report.messages import LANGUAGES, Translator, catalogue

REPORT = Path(__file__).resolve().parents[1] / "coverage" / "report"
# Vietnamese letters beyond ASCII: a message with none of them is untranslated or stripped
VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_exists_in_both_languages() -> None:
    vi, en = catalogue("vi"), catalogue("en")
    assert set(vi) == set(en)
    assert len(vi) > 50
    for message_id in vi:
        assert vi[message_id] and en[message_id], message_id
        assert _fields(vi[message_id]) == _fields(en[message_id]), message_id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_messages_are_nfc(lang: str) -> None:
    for message_id, text in catalogue(lang).items():
        assert unicodedata.is_normalized("NFC", text), (lang, message_id)
    raw = (REPORT / "messages" / f"{lang}.po").read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw)


def test_every_vietnamese_message_has_diacritics() -> None:
    for message_id, text in catalogue("vi").items():
        assert VIETNAMESE & set(text.lower()), message_id
    for message_id, text in catalogue("en").items():
        assert not VIETNAMESE & set(text.lower()), message_id


def test_every_message_the_code_uses_is_in_the_catalogue() -> None:
    """Message ids quoted in the report's code all exist, and every catalogue entry is used."""
    known = set(catalogue("en"))
    families = "|".join(sorted({message_id.split(".")[0] for message_id in known}))
    pattern = re.compile(rf"[\"']((?:{families})\.[a-z0-9_]+)[\"']")
    used = set()
    for path in REPORT.glob("*.py"):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert used - known == set()
    # "model." and "population." entries are looked up by the model's or method's name
    unused = {m for m in known - used if not m.startswith(("model.", "population."))}
    assert unused == set()


def test_translator_fills_fields_and_refuses_unknown_language() -> None:
    assert Translator("vi")("cover.period", period="Quý 3/2025") == "Kỳ báo cáo: Quý 3/2025"
    with pytest.raises(SchemaError, match="--lang"):
        Translator("fr")
