"""The report's words: one gettext catalogue per language, read with Babel.

Every string a reader of the report sees is a message id (``"summary.title"``) looked up
in ``messages/<lang>.po``; the code holds ids, never sentences. Placeholders are
``str.format`` fields (``{province}``), the same in every language.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

from babel.messages.pofile import read_po

from coverage.errors import SchemaError

LANGUAGES = ("vi", "en")
"""Languages with a catalogue; the first is the default."""


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    """Message id -> text of one language's catalogue.

    Parameters
    ----------
    lang
        ``"vi"`` or ``"en"``.

    Examples
    --------
    >>> catalogue("vi")["communes.title"]
    'Các xã'
    >>> catalogue("fr")
    Traceback (most recent call last):
    ...
    coverage.errors.SchemaError: no report language 'fr'; use one of vi, en (--lang).
    """
    if lang not in LANGUAGES:
        raise SchemaError(
            f"no report language {lang!r}; use one of {', '.join(LANGUAGES)} (--lang)."
        )
    resource = files("coverage.report").joinpath("messages", f"{lang}.po")
    with resource.open("rb") as handle:
        parsed = read_po(handle, locale=lang)
    return MappingProxyType(
        {str(message.id): str(message.string) for message in parsed if message.id}
    )


class Translator:
    """``t("id", **fields)``: the message of one language, its fields filled in.

    Examples
    --------
    >>> t = Translator("en")
    >>> t("cover.period", period="Q3 2025")
    'Period: Q3 2025'
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.messages = catalogue(lang)

    def __call__(self, message_id: str, **fields: Any) -> str:
        try:
            text = self.messages[message_id]
        except KeyError:
            raise KeyError(
                f"message {message_id!r} missing from the {self.lang} catalogue"
            ) from None
        return text.format(**fields) if fields else text
