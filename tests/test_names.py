"""Tests for coverage.names: matching keys, spacing repair, lookup, 2025 merger mapping."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import given, strategies as st
from shapely.geometry import box

from coverage.errors import CoverageError, SchemaError
from coverage.names import (
    SEED_COMMUNES,
    CommuneLookupError,
    find_commune,
    normalize_name,
    predecessor_communes,
    restore_spacing,
    seed_communes_in,
    strip_diacritics,
    successor_commune,
)

# Syllables that occur in Lào Cai place names, to build names for the properties.
SYLLABLES = (
    "Y", "Tý", "Mường", "Hum", "Cốc", "Ly", "Tả", "Van", "Chư", "Lùng", "Phình", "Bảo",
    "Nhai", "Nậm", "Đét", "A", "Lù", "Thẩn", "Trung", "Lèng", "Hồ", "Pung", "Sa", "Pả",
    "Ngũ", "Chỉ", "Sơn", "Quản", "Hoà", "Dương", "Quỳ", "Ư", "Ơ",
)  # fmt: skip
names = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=4).map(" ".join)


# --- normalize_name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        "Y Tý",
        "Ý Tý",
        "YTý",
        "y ty",
        "Y TY",
        "  y   tý ",
        "Xã Y Tý",
        "xã y tý",
        "xa Y Ty",
        "X. Y Tý",
        "Y-Tý",
        unicodedata.normalize("NFD", "Xã Y Tý"),
    ],
)
def test_forms_of_y_ty_share_one_key(form: str) -> None:
    assert normalize_name(form) == "yty"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Phường Sa Pa", "sapa"),
        ("P. Sa Pa", "sapa"),
        ("Thị trấn Bắc Hà", "bacha"),
        ("TT. Bắc Hà", "bacha"),
        ("TT Bắc Hà", "bacha"),
        ("thi tran Bac Ha", "bacha"),
        ("Nậm Đét", "namdet"),
        ("NẬM ĐÉT", "namdet"),
        ("Phố Lu (Thị trấn)", "pholu"),
        ("Huyện Bát Xát", "batxat"),
        ("Tỉnh Lào Cai", "laocai"),
    ],
)
def test_prefixes_and_qualifiers_are_stripped(text: str, key: str) -> None:
    assert normalize_name(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Xà Phìn", "xaphin"),  # Xà is part of the name, not "xã"
        ("Xa Phin", "xaphin"),  # an ASCII prefix needs two words after it
        ("Quan Thần Sán", "quanthansan"),  # "quan" is not stripped in ASCII
        ("Xã", "xa"),  # nothing would be left
    ],
)
def test_name_words_that_look_like_prefixes_are_kept(text: str, key: str) -> None:
    assert normalize_name(text) == key


def test_different_names_keep_different_keys() -> None:
    keys = {normalize_name(name) for name in SEED_COMMUNES}
    assert len(keys) == len(SEED_COMMUNES)
    assert normalize_name("Tả Van") != normalize_name("Tả Van Chư")


@given(st.text())
def test_normalize_name_is_idempotent(text: str) -> None:
    key = normalize_name(text)
    assert normalize_name(key) == key


@given(st.text())
def test_normalize_name_ignores_normal_form(text: str) -> None:
    forms = {unicodedata.normalize(form, text) for form in ("NFC", "NFD")}
    assert len({normalize_name(form) for form in forms}) == 1


@given(names, st.sampled_from(["", "Xã ", "xã ", "Phường ", "Thị trấn ", "P. ", "TT."]))
def test_key_of_a_name_ignores_case_accents_spacing_and_prefix(name: str, prefix: str) -> None:
    key = normalize_name(name)
    assert normalize_name(prefix + name) == key
    assert normalize_name(strip_diacritics(name).upper()) == key
    assert normalize_name(name.replace(" ", "")) == key
    assert normalize_name(unicodedata.normalize("NFD", name.lower())) == key
    assert key.isascii() and key.isalnum() and key == key.lower()


def test_strip_diacritics() -> None:
    assert strip_diacritics("Đồng Tuyển, Ư Ơ ă") == "Dong Tuyen, U O a"
    assert strip_diacritics(unicodedata.normalize("NFD", "Mường")) == "Muong"


# --- restore_spacing ---------------------------------------------------------------------


@given(names)
def test_restore_spacing_undoes_gadm_joining(name: str) -> None:
    assert restore_spacing(name.replace(" ", "")) == name


@given(names)
def test_restore_spacing_with_ascii_hint_repairs_lost_capitals(name: str) -> None:
    joined = name.replace(" ", "")
    hint = strip_diacritics(joined)
    assert restore_spacing(joined.lower(), ascii_hint=hint) == name


@pytest.mark.parametrize(
    ("gadm", "hint", "expected"),
    [
        ("YTý", "YTy", "Y Tý"),
        ("MườngHum", "MuongHum", "Mường Hum"),
        ("TảVanChư", "TaVanChu", "Tả Van Chư"),
        ("PhốLu(Xã)", "PhoLu", "Phố Lu (Xã)"),
        ("PhốLu(Thịtrấn)", "PhoLu", "Phố Lu (Thị trấn)"),
        ("NậmXây", "Namy", "Nậm Xây"),  # GADM's broken hint is ignored
        ("Mường Hum", None, "Mường Hum"),  # already spaced: untouched
        (unicodedata.normalize("NFD", "CốcLy"), "CocLy", "Cốc Ly"),
    ],
)
def test_restore_spacing_on_gadm_spellings(gadm: str, hint: str | None, expected: str) -> None:
    assert restore_spacing(gadm, ascii_hint=hint) == expected


# --- find_commune ------------------------------------------------------------------------


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    data = {
        "commune_id": ["1", "2", "3", "4"],
        "name": ["Y Tý", "Mường Hum", "Sa Pa", "Sa Pả"],
    }
    squares = [box(i, 0, i + 1, 1) for i in range(4)]
    return gpd.GeoDataFrame(data, geometry=squares, crs="EPSG:32648", index=[10, 11, 12, 13])


@pytest.mark.parametrize(
    "query", ["Y Ty", "y tý", "Xã Y Tý", "YTý", unicodedata.normalize("NFD", "Y Tý")]
)
def test_find_commune_loose(communes: gpd.GeoDataFrame, query: str) -> None:
    found = find_commune(communes, query)
    assert found.index.tolist() == [10]
    assert found.crs == communes.crs


def test_find_commune_returns_every_row_sharing_a_key(communes: gpd.GeoDataFrame) -> None:
    assert find_commune(communes, "sa pa")["commune_id"].tolist() == ["3", "4"]
    assert find_commune(communes, "Sa Pả", exact=True)["commune_id"].tolist() == ["4"]


def test_find_commune_exact(communes: gpd.GeoDataFrame) -> None:
    assert (
        find_commune(communes, unicodedata.normalize("NFD", "Mường Hum"), exact=True).index[0] == 11
    )
    with pytest.raises(CommuneLookupError, match="Closest names: Mường Hum"):
        find_commune(communes, "Muong Hum", exact=True)


def test_find_commune_by_code(communes: gpd.GeoDataFrame) -> None:
    assert find_commune(communes, "2")["name"].item() == "Mường Hum"


def test_find_commune_not_found_lists_close_matches(communes: gpd.GeoDataFrame) -> None:
    with pytest.raises(CommuneLookupError, match=r"'Muong Hung'.*Closest names: Mường Hum") as info:
        find_commune(communes, "Muong Hung")
    assert isinstance(info.value, LookupError) and isinstance(info.value, CoverageError)


def test_find_commune_needs_a_name_column(communes: gpd.GeoDataFrame) -> None:
    with pytest.raises(SchemaError, match="read_communes"):
        find_commune(communes.drop(columns="name"), "Y Tý")


# --- 2025 merger ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Cốc Ly", "Bảo Nhai"),
        ("Tả Van Chư", "Lùng Phình"),
        ("Y Tý", "Y Tý"),
        ("Mường Hum", "Mường Hum"),
        ("Lùng Phình", "Lùng Phình"),
        ("A Lù", "Y Tý"),
        ("Nậm Pung", "Mường Hum"),
        ("Trung Lèng Hồ", "Mường Hum"),
        ("Nậm Đét", "Bảo Nhai"),
        ("Lùng Thẩn", "Lùng Phình"),
        ("xa coc ly", "Bảo Nhai"),
    ],
)
def test_successor_commune(old: str, new: str) -> None:
    assert successor_commune(old) == new


@pytest.mark.parametrize(
    ("new", "old"),
    [
        ("Y Tý", {"Y Tý", "A Lù"}),
        ("Mường Hum", {"Mường Hum", "Nậm Pung", "Trung Lèng Hồ"}),
        ("Bảo Nhai", {"Cốc Ly", "Nậm Đét", "Bảo Nhai"}),
        ("Lùng Phình", {"Tả Van Chư", "Lùng Phình", "Lùng Thẩn"}),
    ],
)
def test_predecessor_communes_match_the_shared_readme(new: str, old: set[str]) -> None:
    predecessors = predecessor_communes(new)
    assert set(predecessors) == old
    assert len(predecessors) == len(old)


def test_every_seed_commune_round_trips() -> None:
    for old in SEED_COMMUNES:
        assert old in predecessor_communes(successor_commune(old))


def test_seed_communes_in_a_layer_of_old_or_2025_names() -> None:
    old_layer = ["Xã Cốc Ly", "Tả Van Chư", "Bát Xát", "A Lù"]  # pre-2025 communes
    assert seed_communes_in(old_layer) == ["Cốc Ly", "Tả Van Chư"]
    new_layer = ["Xã Bảo Nhai", "Lung Phinh", "Sa Pa", "Y Tý", "Mường Hum"]  # 2025 units
    assert seed_communes_in(new_layer) == ["Bảo Nhai", "Lùng Phình", "Mường Hum", "Y Tý"]
    assert seed_communes_in(["Sa Pa", "Bát Xát"]) == []


def test_old_yen_bai_commune_goes_to_new_lao_cai() -> None:
    new = successor_commune("Âu Lâu", province="Yên Bái")
    assert new == successor_commune("Âu Lâu", province="Lào Cai")
    assert "Âu Lâu" in predecessor_communes(new, province="lao cai")


def test_unknown_names_and_provinces() -> None:
    with pytest.raises(CommuneLookupError, match="Closest: Cốc Ly"):
        successor_commune("Coc Lyy")
    with pytest.raises(CommuneLookupError, match="no 2025 unit named 'Cốc Ly'"):
        predecessor_communes("Cốc Ly")
    with pytest.raises(CommuneLookupError, match="unknown province"):
        successor_commune("Y Tý", province="Atlantis")


def test_district_keyword_narrows_the_search() -> None:
    assert successor_commune("Y Tý", district="Bát Xát") == "Y Tý"
    with pytest.raises(CommuneLookupError):
        successor_commune("Y Tý", district="Bắc Hà")


def test_merger_agrees_with_the_2025_metadata(laocai_dir: Path) -> None:
    """Independent source: the 2025 map's own ``beforeMerger`` field for every unit."""
    metadata = json.loads((laocai_dir / "communes_2025_metadata.json").read_text("utf-8"))
    assert len(metadata["wards"]) == 99
    disagree = {}
    for ward in metadata["wards"]:
        before = ward["beforeMerger"]
        if normalize_name(before) == "khongsapnhap":  # "Không sáp nhập": unchanged unit
            before = ward["name"]
        listed = {normalize_name(part) for part in before.split(",")}
        ours = {normalize_name(name) for name in predecessor_communes(ward["name"])}
        if listed != ours:
            disagree[ward["name"]] = (listed, ours)
    # the only difference is spelling: the old commune was "Tà Si Láng", the new "Tà Xi Láng"
    assert disagree == {"Tà Xi Láng": ({"taxilang"}, {"tasilang"})}


def test_real_2025_file_contains_every_seed_successor(laocai_dir: Path) -> None:
    from coverage.io.communes import read_communes

    new = read_communes(laocai_dir / "communes_2025.geojson")
    for old in SEED_COMMUNES:
        assert len(find_commune(new, successor_commune(old))) == 1
