"""Vietnamese administrative names: loose matching keys, commune lookup, 2025 merger mapping.

Everything here is pure text work. The 1 July 2025 merger table (63 provinces to 34, the
commune-level units re-drawn) comes from the maintained ``vietnamadminunits`` package:
its converter tables (``converter_2025.json``) say which pre-2025 communes make up each
2025 unit, and its ``dataset.db`` gives the official spelling of every unit, old and new.
Nothing is typed in by hand.

Examples
--------
>>> normalize_name("Xã Y Tý") == normalize_name("y ty") == normalize_name("YTý")
True
>>> successor_commune("Cốc Ly")
'Bảo Nhai'
>>> predecessor_communes("Y Tý")
['A Lù', 'Y Tý']
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import pandas as pd

from coverage.errors import CommuneLookupError, SchemaError
from coverage.i18n import message

#: The remote communes of interest, by their pre-2025 names.
SEED_COMMUNES = ("Y Tý", "Mường Hum", "Cốc Ly", "Tả Van Chư", "Lùng Phình")


# Prefixes written with their diacritics are unambiguous and always stripped; their ASCII
# spellings could begin a real name ("Xa Phin", "Quan Than San"), so those are stripped
# only when at least two words remain. Abbreviations must carry their dot.
_PREFIXES_ACCENTED = ("thị trấn", "thị xã", "thành phố", "phường", "xã", "huyện", "quận", "tỉnh")
_PREFIXES_ASCII = ("thi tran", "thi xa", "thanh pho", "phuong", "xa", "huyen", "tinh", "tt", "tx")
_PREFIXES_ABBREVIATED = ("tt", "tx", "tp", "p", "x", "h", "q")
_PARENTHESISED = re.compile(r"\([^()]*\)")
_LOWERCASE_COMPOUNDS = {"thịtrấn": "thị trấn", "thịxã": "thị xã", "thànhphố": "thành phố"}


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics (tones, breve, circumflex, horn; ``đ`` to ``d``).

    Case and spacing are kept. The input may be NFC or NFD.

    Examples
    --------
    >>> strip_diacritics("Mường Hum, Đà Nẵng")
    'Muong Hum, Da Nang'
    """
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept.replace("đ", "d").replace("Đ", "D"))


# compiled once: normalize_name runs on every unit of the country's merger tables
_ABBREVIATED_RES = tuple(re.compile(rf"{re.escape(p)}\.\s*(\S.*)$") for p in _PREFIXES_ABBREVIATED)
_ACCENTED_RES = tuple(re.compile(rf"{p}\s+(\S.*)$") for p in _PREFIXES_ACCENTED)
_ASCII_RES = tuple(re.compile(rf"{p}\s+(\S.*)$") for p in _PREFIXES_ASCII)


def _strip_prefix(text: str) -> str:
    """Drop one leading administrative prefix from lower-cased NFC ``text``."""
    for pattern in _ABBREVIATED_RES:
        match = pattern.match(text)
        if match:
            return match.group(1)
    for pattern in _ACCENTED_RES:
        match = pattern.match(text)
        if match:
            return match.group(1)
    for pattern in _ASCII_RES:
        match = pattern.match(text)
        if match and len(match.group(1).split()) >= 2:
            return match.group(1)
    return text


def normalize_name(text: str) -> str:
    """Key for loose matching of Vietnamese place names.

    The key ignores Unicode normal form (NFC/NFD), case, diacritics (``đ`` counts as
    ``d``), spacing and punctuation, a leading administrative prefix (``Xã``, ``Phường``,
    ``Thị trấn``, ``Huyện``, ``Tỉnh``, ``TT.``, ``P.``, and ASCII ``xa``, ``phuong``...
    when at least two words follow) and a parenthesised qualifier (GADM's
    ``Phố Lu (Thị trấn)``). ASCII prefixes before a single word are kept, since
    ``Xa Phin`` is a name, not ``xã Phin``.

    Parameters
    ----------
    text
        A name as written anywhere: official, ASCII, GADM without spaces, NFD.

    Returns
    -------
    str
        Lower-case ASCII-like letters and digits only; ``normalize_name`` of a key is the
        key itself.

    Examples
    --------
    >>> normalize_name("Xã Tả Van Chư")
    'tavanchu'
    >>> normalize_name("MườngHum") == normalize_name("muong hum")
    True
    """
    text = unicodedata.normalize("NFC", str(text)).casefold()
    text = " ".join(_PARENTHESISED.sub(" ", text).split())
    text = _strip_prefix(text)
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d"))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
    folded = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch))


def restore_spacing(name: str, *, ascii_hint: str | None = None) -> str:
    """Put back the spaces GADM removed from Vietnamese names (``YTý`` -> ``Y Tý``).

    Every syllable of a Vietnamese place name starts with a capital, so a word boundary
    is put before each capital that follows a letter. When ``ascii_hint`` (GADM's ASCII
    ``VARNAME_n``) spells the same letters, its capitals decide the boundaries instead, so
    a name that lost its capitals is still split. Names that already contain a space
    are only NFC-normalised and trimmed.

    Examples
    --------
    >>> restore_spacing("MườngHum")
    'Mường Hum'
    >>> restore_spacing("Ytý", ascii_hint="YTy")
    'Y Tý'
    >>> restore_spacing("PhốLu(Thịtrấn)")
    'Phố Lu (Thị trấn)'
    """
    text = " ".join(unicodedata.normalize("NFC", str(name)).split())
    if not text or " " in text:
        return text
    guide = text
    if ascii_hint is not None:
        hint = str(ascii_hint).strip()
        if len(hint) == len(text) and hint.casefold() == strip_diacritics(text).casefold():
            guide = hint
    pieces: list[str] = []
    for index, char in enumerate(text):
        previous = guide[index - 1] if index else ""
        starts_word = guide[index].isupper() and previous.isalpha()
        if index and (starts_word or char == "("):
            pieces.append(" ")
        pieces.append(char.upper() if guide[index].isupper() else char)
    words = []
    for word in "".join(pieces).split(" "):
        lead = word[:1] if word[:1] == "(" else ""
        core = word[len(lead) :]
        replacement = _LOWERCASE_COMPOUNDS.get(core.rstrip(")").casefold())
        if replacement is not None:
            tail = core[len(core.rstrip(")")) :]
            first = replacement[0].upper() if core[:1].isupper() else replacement[0]
            core = first + replacement[1:] + tail
        words.append(lead + core)
    return " ".join(words)


def _close_matches(query: str, names: Iterable[str], *, exact: bool) -> list[str]:
    names = list(dict.fromkeys(str(n) for n in names))
    if exact:
        return difflib.get_close_matches(query, names, n=5, cutoff=0.6)
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(normalize_name(name), name)
    keys = difflib.get_close_matches(normalize_name(query), list(by_key), n=5, cutoff=0.6)
    return [by_key[key] for key in keys]


def find_commune(
    communes: gpd.GeoDataFrame, query: str, *, exact: bool = False
) -> gpd.GeoDataFrame:
    """Rows of ``communes`` whose name matches ``query``.

    Parameters
    ----------
    communes
        A GeoDataFrame from :func:`coverage.io.communes.read_communes` (needs ``name``;
        ``commune_id`` is also searched).
    query
        A commune name, loosely written (``"muong hum"``, ``"Xã Y Tý"``, NFD...), or an
        exact ``commune_id``.
    exact
        Match the NFC name exactly (case, diacritics and spacing count) instead of by
        :func:`normalize_name`.

    Returns
    -------
    geopandas.GeoDataFrame
        The matching rows, with the caller's index and CRS. Several rows come back when
        several units share a name (GADM's ``Sa Pa`` town and ``Sa Pả`` commune).

    Raises
    ------
    CommuneLookupError
        Nothing matches; the message lists the closest names.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> communes = gpd.GeoDataFrame(
    ...     {"commune_id": ["1", "2"], "name": ["Y Tý", "Mường Hum"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:4326")
    >>> find_commune(communes, "xa muong hum")["commune_id"].tolist()
    ['2']
    """
    if "name" not in communes.columns:
        raise SchemaError(message("errors.names.no_name_column", columns=list(communes.columns)))
    names = communes["name"].astype("string").fillna("")
    wanted = unicodedata.normalize("NFC", str(query)).strip()
    if exact:
        mask = names.map(lambda n: unicodedata.normalize("NFC", n).strip() == wanted)
    else:
        key = normalize_name(wanted)
        mask = names.map(lambda n: bool(key) and normalize_name(n) == key)
    if not mask.any() and "commune_id" in communes.columns:
        mask = communes["commune_id"].astype("string") == wanted
    mask = mask.fillna(False).astype(bool)
    if not mask.any():
        close = _close_matches(wanted, names, exact=exact)
        hint = message("errors.names.closest_hint", names=", ".join(close)) if close else ""
        mode = message("errors.names.mode_exact" if exact else "errors.names.mode_loose")
        raise CommuneLookupError(
            message(
                "errors.names.no_commune",
                query=repr(query),
                mode=mode,
                count=len(communes),
                hint=hint,
            )
        )
    return communes.loc[mask.to_numpy()]


# ---------------------------------------------------------------------------------------
# The 1 July 2025 merger, from vietnamadminunits


@functools.cache
def _merger_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(old units, new units, old->new links) from the vietnamadminunits package."""
    from vietnamadminunits.converter import converter_2025
    from vietnamadminunits.database.main import query

    old = pd.DataFrame(
        query(
            "SELECT DISTINCT province, provinceShort, provinceKey, district, districtShort, "
            "districtKey, ward, wardShort, wardKey FROM admin_units_legacy"
        )
    )
    new = pd.DataFrame(
        query(
            "SELECT DISTINCT province, provinceShort, provinceKey, ward, wardShort, wardKey "
            "FROM admin_units"
        )
    )
    old = old.dropna(subset=["wardKey"])
    new = new.dropna(subset=["wardKey"])
    for table in (old, new):  # matching keys, computed once (per distinct name)
        table["name_match"] = _normalized(table["wardShort"])
        table["province_match"] = _normalized(table["provinceShort"])
    old["district_match"] = _normalized(old["districtShort"])
    old["link_key"] = [
        _fold_key(f"{p}_{d}_{w}")
        for p, d, w in zip(old["provinceKey"], old["districtKey"], old["wardKey"], strict=True)
    ]
    links: list[dict[str, Any]] = []
    for new_province, wards in converter_2025.DICT_PROVINCE_WARD_NO_DIVIDED.items():
        for new_ward, old_keys in wards.items():
            for old_key in old_keys:
                links.append(
                    {
                        "new_province_key": new_province,
                        "new_ward_key": new_ward,
                        "link_key": _fold_key(old_key),
                        "whole": True,
                        "default": True,
                    }
                )
    for new_province, divided in converter_2025.DICT_PROVINCE_WARD_DIVIDED.items():
        for old_key, parts in divided.items():
            for part in parts:
                links.append(
                    {
                        "new_province_key": new_province,
                        "new_ward_key": part["newWardKey"],
                        "link_key": _fold_key(old_key),
                        "whole": False,
                        "default": bool(part["isDefaultNewWard"]),
                    }
                )
    return old, new, pd.DataFrame(links).drop_duplicates()


def _normalized(names: pd.Series) -> pd.Series:
    """``names.map(normalize_name)``, normalising each distinct name once."""
    keys = {name: normalize_name(name) for name in names.unique()}
    return names.map(keys)


def _fold_key(key: str) -> str:
    """The package's keys are ASCII except a few typos ('xãminhquân'); fold those."""
    return strip_diacritics(key).casefold()


def _province_scope(province: str) -> tuple[str, list[str]]:
    """(new province key, old province keys it covers) for a new or old province name."""
    from vietnamadminunits.converter import converter_2025

    old, new, _ = _merger_tables()
    key = normalize_name(province)
    new_keys = new.loc[new["province_match"] == key, "provinceKey"].unique()
    if len(new_keys):
        new_key = str(new_keys[0])
        return new_key, list(converter_2025.DICT_PROVINCE[new_key])
    old_keys = old.loc[old["province_match"] == key, "provinceKey"].unique()
    if len(old_keys):
        old_key = str(old_keys[0])
        for new_key, members in converter_2025.DICT_PROVINCE.items():
            if old_key in members:
                return str(new_key), [old_key]
    choices = sorted(set(new["provinceShort"]))
    close = _close_matches(province, choices, exact=False)
    raise CommuneLookupError(
        message(
            "errors.names.unknown_province",
            province=repr(province),
            closest=", ".join(close) or message("errors.none_found"),
            first="'Lào Cai'",
            second="'Yên Bái'",
        )
    )


def _prefer_full_name(units: pd.DataFrame, query: str) -> pd.DataFrame:
    """Among same-named units, keep those whose full name (with prefix) is ``query``."""
    full = strip_diacritics(" ".join(unicodedata.normalize("NFC", query).split())).casefold()
    same = units[units["ward"].map(lambda ward: strip_diacritics(ward).casefold() == full)]
    return same if len(same) else units


def successor_commune(
    old_name: str, *, province: str = "Lào Cai", district: str | None = None
) -> str:
    """The 1 July 2025 unit (xã or phường) that a pre-2025 commune became part of.

    Parameters
    ----------
    old_name
        Pre-2025 commune name, loosely written (``"Coc Ly"``, ``"Xã Cốc Ly"``).
    province
        Province after the merger (``"Lào Cai"``, which took in old Yên Bái), or a
        pre-2025 province to search only its communes (``"Yên Bái"``).
    district
        Pre-2025 district, to tell apart communes of the same name.

    Returns
    -------
    str
        The 2025 unit's name without its prefix, e.g. ``'Bảo Nhai'``. A commune split
        between several 2025 units gives the one the official table marks as default.

    Raises
    ------
    CommuneLookupError
        The name is unknown in that province (closest names listed), or it names several
        communes that went to different 2025 units (pass ``district=``).

    Examples
    --------
    >>> successor_commune("Tả Van Chư")
    'Lùng Phình'
    >>> successor_commune("y ty")
    'Y Tý'
    """
    old, new, links = _merger_tables()
    new_province, old_provinces = _province_scope(province)
    scope = old[old["provinceKey"].isin(old_provinces)]
    candidates = scope[scope["name_match"] == normalize_name(old_name)]
    candidates = _prefer_full_name(candidates, old_name)
    if district is not None:
        candidates = candidates[candidates["district_match"] == normalize_name(district)]
    if candidates.empty:
        close = _close_matches(old_name, scope["wardShort"], exact=False)
        where = f"{province}" + (
            message("errors.names.district", district=district) if district else ""
        )
        raise CommuneLookupError(
            message(
                "errors.names.no_old_commune",
                old_name=repr(old_name),
                where=where,
                closest=", ".join(close) or message("errors.none_found"),
            )
        )
    merged = candidates.merge(links[links["new_province_key"] == new_province], on="link_key")
    merged = merged[merged["default"]]
    merged = merged.merge(
        new[new["provinceKey"] == new_province][["wardKey", "wardShort"]].rename(
            columns={"wardKey": "new_ward_key", "wardShort": "new_name"}
        ),
        on="new_ward_key",
    )
    successors = list(dict.fromkeys(merged["new_name"]))
    if not successors:
        raise CommuneLookupError(
            message("errors.names.no_successor", old_name=repr(old_name), province=province)
        )
    if len(successors) > 1:
        described = "; ".join(
            f"{row.ward} ({row.districtShort}) -> {row.new_name}" for row in merged.itertuples()
        )
        raise CommuneLookupError(
            message(
                "errors.names.ambiguous_old",
                old_name=repr(old_name),
                province=province,
                described=described,
            )
        )
    return str(successors[0])


def predecessor_communes(new_name: str, *, province: str = "Lào Cai") -> list[str]:
    """The pre-2025 communes that make up a 1 July 2025 unit, in the official table's order.

    Communes split between several 2025 units are listed under each unit that got a part.

    Parameters
    ----------
    new_name
        2025 unit name, loosely written (``"Bao Nhai"``, ``"Phường Sa Pa"``).
    province
        Province after the merger.

    Returns
    -------
    list of str
        Pre-2025 commune names without prefix, e.g. ``['Cốc Ly', 'Nậm Đét', 'Bảo Nhai']``.

    Examples
    --------
    >>> predecessor_communes("Mường Hum")
    ['Mường Hum', 'Trung Lèng Hồ', 'Nậm Pung']
    """
    old, new, links = _merger_tables()
    new_province, _ = _province_scope(province)
    scope = new[new["provinceKey"] == new_province]
    units = scope[scope["name_match"] == normalize_name(new_name)]
    if units.empty:
        close = _close_matches(new_name, scope["wardShort"], exact=False)
        raise CommuneLookupError(
            message(
                "errors.names.no_new_unit",
                new_name=repr(new_name),
                province=province,
                closest=", ".join(close) or message("errors.none_found"),
            )
        )
    units = _prefer_full_name(units, new_name)
    if len(units) > 1:
        raise CommuneLookupError(
            message(
                "errors.names.ambiguous_new",
                new_name=repr(new_name),
                province=province,
                units=", ".join(units["ward"]),
                examples="'Xã ...'" + message("errors.or") + "'Phường ...'",
            )
        )
    ward_key = units["wardKey"].iloc[0]
    parts = links[(links["new_province_key"] == new_province) & (links["new_ward_key"] == ward_key)]
    named = parts.merge(old[["link_key", "wardShort"]], on="link_key", how="left")
    return list(dict.fromkeys(str(name) for name in named["wardShort"].dropna()))


def seed_communes_in(names: Iterable[str], *, province: str = "Lào Cai") -> list[str]:
    """The remote seed communes that a commune layer holds, by old or 2025 name.

    A layer of pre-2025 communes holds the :data:`SEED_COMMUNES` themselves; a layer of
    2025 units holds the units they became part of (:func:`successor_commune`). Either
    way the names returned are those of the layer, so a map can outline them
    (:func:`find_commune` finds every one).

    Parameters
    ----------
    names
        The layer's commune names (e.g. ``communes["name"]``), loosely written.
    province
        Province after the 2025 merger, for the successors.

    Returns
    -------
    list of str
        Seed communes and successors present in ``names``, sorted, in the spelling of
        :data:`SEED_COMMUNES` and of the official 2025 table; empty when none is present.

    Examples
    --------
    >>> seed_communes_in(["Xã Y Tý", "Bảo Nhai", "Sa Pa"])
    ['Bảo Nhai', 'Y Tý']
    >>> seed_communes_in(["Sa Pa"])
    []
    """
    present = {normalize_name(str(name)) for name in names}
    wanted = [*SEED_COMMUNES, *(successor_commune(n, province=province) for n in SEED_COMMUNES)]
    return sorted({name for name in wanted if normalize_name(name) in present})


__all__ = [
    "SEED_COMMUNES",
    "CommuneLookupError",
    "find_commune",
    "normalize_name",
    "predecessor_communes",
    "restore_spacing",
    "seed_communes_in",
    "strip_diacritics",
    "successor_commune",
]
