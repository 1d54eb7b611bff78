"""Vietnamese mobile operators, radio technologies and documented radio defaults.

Three small jobs, all pure (no files):

* :data:`MNC_452` and :func:`operator_from_plmn` turn an MCC/MNC pair (as OpenCelliD and
  drive-test tools report it) into an operator name;
* :func:`normalise_operator` and :func:`normalise_technology` turn the spellings found
  in real tower lists ("VNPT", "viettel", "LTE1800", "WCDMA"...) into one canonical
  name each;
* :data:`RADIO_DEFAULTS` is the table of values used when a tower list leaves a radio
  field empty, with the reasoning for every number. :func:`radio_defaults` applies a
  caller's overrides to it.

Operator names used throughout phusong: ``Viettel``, ``VinaPhone``, ``MobiFone``,
``Vietnamobile``, ``Gmobile``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from coverage.errors import SchemaError
from coverage.i18n import message
from coverage.names import strip_diacritics

VIETNAM_MCC = 452

#: Mobile network codes under MCC 452 (Vietnam), as listed by Wikipedia's "Mobile
#: Network Codes in ITU region 4xx (Asia)" (the 2014 revision is mirrored in
#: Samsung's RIL ``plmn_list.h``; the npm package ``vietnam-mobile-providers`` agrees
#: for 01, 02, 04, 05, 07). 452-03 (S-Fone, CDMA) closed in 2012. 452-06 and 452-08
#: were EVNTelecom's 2G and 3G networks; EVNTelecom was merged into Viettel in 2011,
#: so cells still reported under them are Viettel's. Newer lists are not consistent
#: about a later re-use of 452-08: check it against the ITU-T E.212 list if it matters.
MNC_452: dict[int, str] = {
    1: "MobiFone",
    2: "VinaPhone",
    3: "S-Fone",
    4: "Viettel",
    5: "Vietnamobile",
    6: "Viettel",
    7: "Gmobile",
    8: "Viettel",
}

OPERATORS = ("Viettel", "VinaPhone", "MobiFone", "Vietnamobile", "Gmobile")

TECHNOLOGIES = ("2G", "3G", "4G", "5G")

#: Technology assumed for a tower whose list has no technology at all: LTE is the
#: layer every Vietnamese operator deploys at every new site, and the one coverage
#: targets are set for.
DEFAULT_TECHNOLOGY = "4G"

#: Operator written for a tower whose list names none.
UNKNOWN_OPERATOR = "unknown"

#: Horizontal beamwidth of a tower without an azimuth: an omnidirectional antenna.
OMNI_BEAMWIDTH_DEG = 360.0


def _plain(text: str) -> str:
    """Lower-case ASCII: diacritics removed (đ -> d), punctuation collapsed to spaces."""
    text = strip_diacritics(unicodedata.normalize("NFKC", str(text))).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def operator_from_plmn(mcc: int, mnc: int) -> str:
    """Operator name for a mobile country code and network code.

    Codes outside :data:`MNC_452` come back as ``"MCC-MNC"`` (e.g. ``"460-00"`` for a
    Chinese cell seen across the Lào Cai border), so nothing is silently merged.

    Examples
    --------
    >>> operator_from_plmn(452, 4)
    'Viettel'
    >>> operator_from_plmn(460, 0)
    '460-00'
    """
    if int(mcc) == VIETNAM_MCC and int(mnc) in MNC_452:
        return MNC_452[int(mnc)]
    return f"{int(mcc)}-{int(mnc):02d}"


# Long names are matched as substrings of the plain text, short codes as whole words.
# Order matters: "vietnamobile" contains "mobi".
_OPERATOR_NAMES: tuple[tuple[str, str], ...] = (
    ("vietnamobile", "Vietnamobile"),
    ("vietnam mobile", "Vietnamobile"),
    ("hanoi telecom", "Vietnamobile"),
    ("ht mobile", "Vietnamobile"),
    ("viettel", "Viettel"),
    ("evn", "Viettel"),
    ("vinaphone", "VinaPhone"),
    ("vina phone", "VinaPhone"),
    ("vnpt", "VinaPhone"),
    ("mobifone", "MobiFone"),
    ("mobi fone", "MobiFone"),
    ("gmobile", "Gmobile"),
    ("g mobile", "Gmobile"),
    ("gtel", "Gmobile"),
    ("beeline", "Gmobile"),
)
_OPERATOR_CODES = {
    "vtl": "Viettel",
    "vtt": "Viettel",
    "vnp": "VinaPhone",
    "vina": "VinaPhone",
    "vnpt": "VinaPhone",
    "mbf": "MobiFone",
    "vms": "MobiFone",
    "mobi": "MobiFone",
    "vnm": "Vietnamobile",
    "gm": "Gmobile",
}


@functools.lru_cache(maxsize=4096)
def normalise_operator(name: Any) -> str:
    """Canonical operator name for the spellings found in Vietnamese tower lists.

    Case, diacritics and punctuation are ignored. ``VNPT`` means VinaPhone (VNPT's
    mobile arm since MobiFone left VNPT in 2014). A name that is not recognised is
    returned stripped but otherwise unchanged, so other operators survive.

    Examples
    --------
    >>> [normalise_operator(n) for n in ["viettel", "VNPT", "Vinaphone", "MOBIFONE"]]
    ['Viettel', 'VinaPhone', 'VinaPhone', 'MobiFone']
    >>> normalise_operator("Tập đoàn Viettel")
    'Viettel'
    """
    original = str(name).strip()
    plain = _plain(original)
    squeezed = plain.replace(" ", "")
    for needle, canonical in _OPERATOR_NAMES:
        if needle in plain or needle.replace(" ", "") == squeezed:
            return canonical
    for word in plain.split():
        if word in _OPERATOR_CODES:
            return _OPERATOR_CODES[word]
    return original


_TECHNOLOGY_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"W[ -]?CDMA|UMTS|HSPA|HSDPA|HSUPA|3G", "3G"),
    (r"GSM|GPRS|EDGE|2G", "2G"),
    (r"LTE|4G", "4G"),
    (r"(?<![A-Z])NR(?![A-Z])|5G", "5G"),
)


@functools.lru_cache(maxsize=4096)
def normalise_technology(value: Any) -> str:
    """``"2G"``, ``"3G"``, ``"4G"`` or ``"5G"`` for a technology as tower lists write it.

    Accepts generation names and radio standards (GSM, UMTS/WCDMA/HSPA, LTE, NR), band
    suffixes ("LTE1800", "GSM900") and bare generation numbers (4, 4.0). Raises
    ``ValueError`` for an unknown technology (including CDMA, which no Vietnamese
    operator has run since S-Fone closed in 2012) and for several technologies in one
    value ("2G/3G"): give one row per technology.

    Examples
    --------
    >>> [normalise_technology(v) for v in ["GSM", "WCDMA", "LTE1800", "NR", 4]]
    ['2G', '3G', '4G', '5G', '4G']
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value) in (2.0, 3.0, 4.0, 5.0):
            return f"{int(value)}G"
        raise ValueError(message("errors.operators.not_a_generation", value=repr(value)))
    text = unicodedata.normalize("NFKC", str(value)).upper().strip()
    if text in ("2", "3", "4", "5"):
        return f"{text}G"
    remaining = text
    found: list[str] = []
    for pattern, generation in _TECHNOLOGY_PATTERNS:
        if re.search(pattern, remaining):
            remaining = re.sub(pattern, " ", remaining)
            if generation not in found:
                found.append(generation)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise ValueError(
            message(
                "errors.operators.several_technologies", value=repr(value), found=", ".join(found)
            )
        )
    hint = message("errors.operators.cdma_hint") if "CDMA" in text else ""
    raise ValueError(message("errors.operators.unknown_technology", value=repr(value), hint=hint))


@dataclass(frozen=True)
class TechnologyDefaults:
    """Values used for one technology when a tower list leaves a radio field empty.

    Attributes
    ----------
    frequency_mhz
        Carrier frequency, MHz.
    eirp_dbm
        Total EIRP of one carrier in the main-beam direction, dBm: transmitter power
        plus antenna gain minus feeder loss, the whole carrier bandwidth (not per
        resource element; :mod:`coverage.physics.receiver` converts to RSRP).
    antenna_height_m
        Antenna centre height above ground, m.
    beamwidth_deg
        Horizontal half-power beamwidth of a sector antenna, degrees (towers without
        an azimuth get :data:`OMNI_BEAMWIDTH_DEG` instead).
    tilt_deg
        Downtilt below the horizon, degrees (positive = down).
    """

    frequency_mhz: float
    eirp_dbm: float
    antenna_height_m: float
    beamwidth_deg: float
    tilt_deg: float


DEFAULT_FIELDS = tuple(f.name for f in fields(TechnologyDefaults))

#: Typical macro-site values for Vietnamese networks, used only where a list is empty.
#:
#: Frequencies: the band each generation was launched on in Vietnam and still covers
#: rural areas with: GSM 900 (3GPP band 8), UMTS 2100 (band 1), LTE 1800 (band 3, the
#: LTE coverage layer of all Vietnamese operators), NR 3500 (centre of band n78,
#: 3300-3800 MHz; override with ``defaults={"5G": {"frequency_mhz": 2600}}`` for n41).
#:
#: EIRP, built as transmitter power + antenna gain - feeder/jumper loss:
#:
#: * 2G: one 20 W TRX (43 dBm) + 15 dBi 900 MHz panel - 3 dB feeder = 55 dBm;
#: * 3G: 20 W per carrier (43 dBm) + 18 dBi 2100 MHz panel - 3 dB = 58 dBm (the
#:   CPICH is about 10 % of it, i.e. 48 dBm);
#: * 4G: 40 W per 20 MHz carrier (46 dBm, 2x20 W MIMO) + 17 dBi - 3 dB = 60 dBm
#:   (RSRP reference: 60 - 10 log10(12 x 100) = 29.2 dBm per resource element);
#: * 5G: 200 W active antenna unit (53 dBm) over 100 MHz + about 22 dBi beamformed
#:   array gain, no feeder = 75 dBm.
#:
#: Antenna height 30 m: a usual rural lattice tower, and the lower end of the
#: Okumura-Hata base-height range (30-200 m, Hata 1980).
#: Beamwidth 65 deg: the standard three-sector panel (3GPP TR 36.814 uses 70 deg).
#: Tilt 3 deg: points the upper half-power edge of a ~7 deg vertical beam near the
#: horizon for a 30 m mast and a 5-10 km rural cell (atan(30/10000) + 3.5 ~= 3.7 deg),
#: rounded to the usual 2-4 deg of rural macro planning.
RADIO_DEFAULTS: dict[str, TechnologyDefaults] = {
    "2G": TechnologyDefaults(900.0, 55.0, 30.0, 65.0, 3.0),
    "3G": TechnologyDefaults(2100.0, 58.0, 30.0, 65.0, 3.0),
    "4G": TechnologyDefaults(1800.0, 60.0, 30.0, 65.0, 3.0),
    "5G": TechnologyDefaults(3500.0, 75.0, 30.0, 65.0, 3.0),
}


def radio_defaults(
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, TechnologyDefaults]:
    """:data:`RADIO_DEFAULTS` with a caller's overrides applied.

    ``overrides`` maps a field name to a value for every technology
    (``{"antenna_height_m": 25}``), or a technology to a mapping of fields
    (``{"4G": {"eirp_dbm": 58}}``); both may be mixed, per-technology values win.
    Unknown keys raise :class:`SchemaError` listing the accepted ones.

    Examples
    --------
    >>> table = radio_defaults({"antenna_height_m": 25, "4G": {"eirp_dbm": 58}})
    >>> table["4G"].eirp_dbm, table["4G"].antenna_height_m, table["2G"].eirp_dbm
    (58.0, 25.0, 55.0)
    """
    table = dict(RADIO_DEFAULTS)
    if not overrides:
        return table
    accepted = f"fields {', '.join(DEFAULT_FIELDS)} or technologies {', '.join(TECHNOLOGIES)}"
    common: dict[str, float] = {}
    per_technology: dict[str, dict[str, float]] = {}
    for key, value in overrides.items():
        if key in DEFAULT_FIELDS:
            common[key] = float(value)
        elif key in TECHNOLOGIES:
            if not isinstance(value, Mapping):
                raise SchemaError(
                    message("errors.operators.defaults_mapping", key=repr(key), value=repr(value))
                )
            unknown = sorted(set(value) - set(DEFAULT_FIELDS))
            if unknown:
                raise SchemaError(
                    message(
                        "errors.operators.defaults_fields",
                        key=repr(key),
                        unknown=unknown,
                        accepted=accepted,
                    )
                )
            per_technology[key] = {k: float(v) for k, v in value.items()}
        else:
            raise SchemaError(
                message("errors.operators.defaults_key", key=repr(key), accepted=accepted)
            )
    for technology in TECHNOLOGIES:
        table[technology] = replace(
            table[technology], **{**common, **per_technology.get(technology, {})}
        )
    return table


__all__ = [
    "DEFAULT_FIELDS",
    "DEFAULT_TECHNOLOGY",
    "MNC_452",
    "OMNI_BEAMWIDTH_DEG",
    "OPERATORS",
    "RADIO_DEFAULTS",
    "TECHNOLOGIES",
    "UNKNOWN_OPERATOR",
    "VIETNAM_MCC",
    "TechnologyDefaults",
    "normalise_operator",
    "normalise_technology",
    "operator_from_plmn",
    "radio_defaults",
]
