"""Headers of the tables people read, in their language, from the column names analysts use.

The frames phusong returns keep English ``snake_case`` column names (``people``,
``uncovered_population_viettel``): that is the Python API and the schema scripts read.
Only at the output edge, when a spreadsheet is written in Vietnamese, does each column get
a header from the message catalogue (:mod:`coverage.i18n`, ids ``column.<name>`` and, for
the per-operator families, ``column.<prefix>`` with the operator's name filled in).
English spreadsheets keep the column names as headers, so that an English CSV is the
documented schema, unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from coverage.i18n import Translator
from coverage.names import strip_diacritics

__all__ = ["column_header", "column_headers"]

#: Column families named ``<prefix><operator key>``, longest prefix first.
_FAMILIES = (
    "uncovered_population_share_",
    "uncovered_population_",
    "covered_population_",
    "covered_area_km2_",
    "covered_share_",
    "nearest_site_km_",
    "nearest_site_",
)

#: The key of the columns counting any operator's signal.
_ANY = "any"


def _squeezed(text: str) -> str:
    """Letters and digits only, lower case, without diacritics: how keys and names compare."""
    return re.sub(r"[^0-9a-z]", "", strip_diacritics(text).lower())


def _who(key: str, operators: Sequence[str], t: Translator) -> str:
    """The operator (and technology) a column key stands for, as people write it.

    >>> _who("viettel_4g", ["VNPT-Vinaphone", "Viettel"], Translator("vi"))
    'Viettel 4G'
    >>> _who("vnpt_vinaphone", ["VNPT-Vinaphone"], Translator("en"))
    'VNPT-Vinaphone'
    >>> _who("any", [], Translator("vi"))
    'của bất kỳ nhà mạng nào'
    """
    if key == _ANY:
        return t("column.any_operator")
    parts = key.split("_")
    for operator in sorted(operators, key=len, reverse=True):
        wanted = _squeezed(operator)
        for cut in range(len(parts), 0, -1):
            if _squeezed("".join(parts[:cut])) == wanted:
                return " ".join([operator, *(p.upper() for p in parts[cut:])])
    return key


def column_header(column: str, *, lang: str, operators: Sequence[str] = ()) -> str:
    """The header a person reads for ``column``, in ``lang``; unknown columns as they are.

    Parameters
    ----------
    column
        A column name of a gap list or commune summary (``people``,
        ``uncovered_population_share_viettel_4g``).
    lang
        ``"vi"`` or ``"en"``.
    operators
        Operator names as written, to name the per-operator columns (their keys are ASCII
        forms of these names).

    Examples
    --------
    >>> column_header("people", lang="vi")
    'Số người không có sóng'
    >>> column_header("uncovered_population_viettel_4g", lang="vi", operators=["Viettel"])
    'Số người không có sóng Viettel 4G'
    >>> column_header("covered_share_any", lang="en")
    "Share of area with any operator's signal"
    >>> column_header("my_own_column", lang="vi")
    'my_own_column'
    """
    t = Translator(lang)
    message = f"column.{column}"
    if message in t.messages:
        return t(message)
    for prefix in _FAMILIES:
        if column.startswith(prefix) and len(column) > len(prefix):
            who = _who(column[len(prefix) :], operators, t)
            return t(f"column.{prefix}", operator=who)
    return column


def column_headers(
    columns: Iterable[object], *, lang: str, operators: Sequence[str] = ()
) -> list[str]:
    """Headers of a spreadsheet in ``lang``: the column names in English, else translated.

    Two columns that would read the same keep their names after the header (``Xã
    (commune_name)``), so no header is ambiguous.

    Examples
    --------
    >>> column_headers(["commune_name", "people"], lang="en")
    ['commune_name', 'people']
    >>> column_headers(["commune_name", "name", "people"], lang="vi")
    ['Xã (commune_name)', 'Xã (name)', 'Số người không có sóng']
    """
    names = [str(c) for c in columns]
    if lang == "en":
        Translator(lang)  # an unknown language is refused all the same
        return names
    headers = [column_header(c, lang=lang, operators=operators) for c in names]
    seen: dict[str, int] = {}
    for header in headers:
        seen[header] = seen.get(header, 0) + 1
    return [
        f"{header} ({name})" if seen[header] > 1 else header
        for header, name in zip(headers, names, strict=True)
    ]
