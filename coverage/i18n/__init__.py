"""Every word a person reads, in Vietnamese and English: one gettext catalogue per language.

A string a planner, analyst or operator reads (the report, the map's layers, legend and
popups, the gap lists' headers and sheet names, the command line's messages) is a message
id (``"summary.title"``) looked up in ``messages/<lang>.po``, read with Babel; the code
holds ids, never sentences. Placeholders are ``str.format`` fields (``{province}``), the
same in every language. This room sits at the bottom: ``render``, ``io``, ``report`` and
``cli`` all read it.

Which language a command speaks when ``--lang`` is not given: :func:`resolve_language`.

The library's own error messages (``errors.*`` ids, ``messages/<lang>/errors.po``) are
written by :func:`message` in the *current* language: English unless a caller chose
another with :func:`language` (the command line does, from its ``--lang``; a notebook
can too). Their English text is the one the library always gave.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

from coverage.errors import SchemaError

LANGUAGES = ("vi", "en")
"""Languages with a catalogue."""

ENV_VARIABLE = "PHUSONG_LANG"
"""Environment variable naming the language of every command that is given no ``--lang``."""

_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
"""The POSIX locale variables, in the order the C library reads them for messages."""


def check_language(lang: str) -> str:
    """``lang`` if it has a catalogue, else a one-line :class:`SchemaError`.

    Examples
    --------
    >>> check_language("vi")
    'vi'
    >>> check_language("fr")
    Traceback (most recent call last):
    ...
    coverage.errors.SchemaError: no language 'fr'; use one of vi, en (--lang).
    """
    if lang not in LANGUAGES:
        raise SchemaError(
            message("errors.api.no_language", lang=repr(lang), languages=", ".join(LANGUAGES))
        )
    return lang


def resolve_language(
    explicit: str | None = None,
    *,
    default: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The language to speak: ``explicit``, else ``PHUSONG_LANG``, else ``default``, else the locale.

    In order: ``explicit`` (``--lang``); the ``PHUSONG_LANG`` variable (``vi`` or ``en``;
    another value is an error, not ignored); ``default`` (the scenario's own language:
    ``"vi"`` for the Lào Cai demo); the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that
    is set and not empty, when it names Vietnamese (``vi_VN.UTF-8``) or English; English.

    Parameters
    ----------
    explicit
        The language asked for, or None.
    default
        The language of the data at hand, or None.
    environ
        Variables to read (default :data:`os.environ`).

    Examples
    --------
    >>> resolve_language("vi", environ={"PHUSONG_LANG": "en"})
    'vi'
    >>> resolve_language(environ={"PHUSONG_LANG": "en"}, default="vi")
    'en'
    >>> resolve_language(environ={"LANG": "en_US.UTF-8"}, default="vi")
    'vi'
    >>> resolve_language(environ={"LC_ALL": "", "LANG": "vi_VN.UTF-8"})
    'vi'
    >>> resolve_language(environ={"LANG": "C.UTF-8"})
    'en'
    """
    if explicit is not None:
        return check_language(explicit)
    environ = os.environ if environ is None else environ
    chosen = environ.get(ENV_VARIABLE, "").strip()
    if chosen:
        if chosen not in LANGUAGES:
            raise SchemaError(
                message(
                    "errors.api.env_language",
                    variable=ENV_VARIABLE,
                    chosen=repr(chosen),
                    languages=", ".join(LANGUAGES),
                )
            )
        return chosen
    if default is not None:
        return check_language(default)
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if value:
            code = value.split(".")[0].split("_")[0].lower()
            return code if code in LANGUAGES else "en"
    return "en"


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    """Message id -> text of one language's catalogue.

    The catalogue of a language is every ``.po`` file of ``messages/<lang>/`` (one per part
    of the product: ``report``, ``map``, ``tables``, ``cli``), read with Babel; an id
    written in two of them is refused.

    Parameters
    ----------
    lang
        ``"vi"`` or ``"en"``.

    Examples
    --------
    >>> catalogue("vi")["communes.title"]
    'Các xã'
    >>> catalogue("vi")["map.towers_layer"]
    'Trạm (BTS)'
    >>> catalogue("fr")
    Traceback (most recent call last):
    ...
    coverage.errors.SchemaError: no language 'fr'; use one of vi, en (--lang).
    """
    from babel.messages.pofile import read_po  # here: bottom rooms import this module

    check_language(lang)
    folder = files("coverage.i18n").joinpath("messages", lang)
    messages: dict[str, str] = {}
    for resource in sorted(folder.iterdir(), key=lambda r: r.name):
        if not resource.name.endswith(".po"):
            continue
        with resource.open("rb") as handle:
            parsed = read_po(handle, locale=lang)
        for message in parsed:
            if not message.id:
                continue
            if str(message.id) in messages:
                raise SchemaError(
                    f"message {message.id!r} is written twice in the {lang} catalogue "
                    f"(again in {resource.name}); keep one."
                )
            messages[str(message.id)] = str(message.string)
    return MappingProxyType(messages)


class Translator:
    """``t("id", **fields)``: the message of one language, its fields filled in.

    Examples
    --------
    >>> t = Translator("en")
    >>> t("cover.period", period="Q3 2025")
    'Period: Q3 2025'
    >>> Translator("vi").get("column." + "my_own_column", "my_own_column")
    'my_own_column'
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

    def get(self, message_id: str, default: str, **fields: Any) -> str:
        """The message, or ``default`` when the catalogue has no such id."""
        if message_id not in self.messages:
            return default
        return self(message_id, **fields)


_CURRENT: ContextVar[str] = ContextVar("phusong_language", default="en")
"""The language :func:`message` writes in: English unless :func:`language` chose another."""


def current_language() -> str:
    """The language the library's messages are written in now (``"en"`` unless chosen).

    Examples
    --------
    >>> current_language()
    'en'
    >>> with language("vi"):
    ...     current_language()
    'vi'
    """
    return _CURRENT.get()


@contextlib.contextmanager
def language(lang: str) -> Iterator[str]:
    """Write the library's messages (errors) in ``lang`` inside the block.

    The choice belongs to the running thread or task (a context variable): other threads
    and the code after the block are unaffected.

    Examples
    --------
    >>> from coverage.io.files import existing_file
    >>> with language("vi"):
    ...     existing_file("towers.csv", what="towers")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    coverage.errors.MissingFileError: không tìm thấy tệp danh sách trạm: towers.csv. Hãy ...
    """
    token = _CURRENT.set(check_language(lang))
    try:
        yield lang
    finally:
        _CURRENT.reset(token)


def in_language(lang: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` with the library's messages in ``lang``.

    For work sent to other processes (dask's ``"processes"`` scheduler, a ``distributed``
    worker) or to threads that do not copy the caller's context (a plain thread pool):
    they do not inherit the caller's :func:`language`, so it travels with the task.
    (Dask's threaded scheduler copies the context itself.)

    Examples
    --------
    >>> in_language("vi", message, "errors.grid.source")
    'lưới'
    """
    with language(lang):
        return function(*args, **kwargs)


def use_language(lang: str) -> None:
    """Write the library's messages in ``lang`` from now on in this thread or task.

    For a program's entry point, which parsed the language from its own options and
    restores the previous one when it ends (the command line wraps each command in
    :func:`language`); elsewhere prefer the :func:`language` block.
    """
    _CURRENT.set(check_language(lang))


def message(message_id: str, **fields: Any) -> str:
    """The message ``message_id`` in the current language (:func:`language`), fields filled.

    This is how the library writes the text of an error it raises, e.g.
    ``raise OutputExistsError(message("errors.output_exists", path=path))``.

    Examples
    --------
    >>> message("errors.file_empty", what="towers", path="t.csv")
    'towers file t.csv is empty (0 bytes); re-export it.'
    >>> with language("vi"):
    ...     message("errors.file_empty", what="towers", path="t.csv")
    'tệp towers t.csv trống (0 byte); hãy xuất lại tệp.'
    """
    return Translator(_CURRENT.get())(message_id, **fields)


def term(word: str) -> str:
    """``word`` (what an input is: ``"towers"``, ``"communes"``...) in the current language.

    Looked up as ``noun.<word>`` (spaces as ``_``); a word with no entry is returned as it is.

    Examples
    --------
    >>> with language("vi"):
    ...     term("towers"), term("no such thing")
    ('danh sách trạm', 'no such thing')
    """
    return Translator(_CURRENT.get()).get("noun." + word.replace(" ", "_"), word)


def first_few(items: Iterable[object], limit: int = 10) -> str:
    """The first ``limit`` of ``items``, comma-separated, ``" ..."`` after when there are more.

    How a message lists the sites, rows or communes it is about without listing thousands.

    Examples
    --------
    >>> first_few(["A", "B", "C"], limit=2), first_few([1, 2])
    ('A, B ...', '1, 2')
    """
    listed = list(items)
    return ", ".join(map(str, listed[:limit])) + (" ..." if len(listed) > limit else "")


__all__ = [
    "ENV_VARIABLE",
    "LANGUAGES",
    "Translator",
    "catalogue",
    "check_language",
    "first_few",
    "current_language",
    "in_language",
    "language",
    "message",
    "resolve_language",
    "term",
    "use_language",
]
