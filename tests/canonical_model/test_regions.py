"""Tests for canonical_model.regions and its data file."""

from __future__ import annotations

import csv
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canonical_model.errors import InvalidIdentifier
from canonical_model.regions import (
    Region,
    RegionCode,
    all_regions,
    ancestors,
    children,
    cities,
    districts,
    get_region,
    is_within,
    parent_region,
    prefix_of,
    provinces,
    region_level,
    region_name,
    validate_region_code,
)

props = settings(database=None, deadline=None, max_examples=200)
REPO = Path(__file__).resolve().parents[2]

regions = st.deferred(lambda: st.sampled_from(all_regions()))
district_regions = st.deferred(lambda: st.sampled_from(districts()))


def raw_rows() -> list[dict[str, str]]:
    text = files("canonical_model").joinpath("data").joinpath("regions.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def shape_level(code: str) -> str:
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "district"


# --------------------------------------------------------------------------- data file integrity


def test_data_file_header_and_size() -> None:
    text = files("canonical_model").joinpath("data").joinpath("regions.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "code,name,level,parent_code"
    assert len(raw_rows()) >= 300


def test_codes_are_unique_six_digits() -> None:
    codes = [row["code"] for row in raw_rows()]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 6 and code.isascii() and code.isdigit() for code in codes)


def test_levels_match_code_shape_and_parents_exist() -> None:
    rows = {row["code"]: row for row in raw_rows()}
    for code, row in rows.items():
        assert row["level"] == shape_level(code), code
        assert row["name"].strip() == row["name"] and row["name"], code
        parent = row["parent_code"]
        if row["level"] == "province":
            assert parent == "", code
            continue
        assert parent in rows, code
        expected_parent_level = "province" if row["level"] == "city" else "city"
        assert rows[parent]["level"] == expected_parent_level, code
        assert code.startswith(prefix_of(parent)), code


def test_all_34_provincial_divisions() -> None:
    codes = {region.code for region in provinces()}
    assert len(codes) == 34
    assert {"710000", "810000", "820000", "110000", "650000"} <= codes
    assert region_name("810000") == "香港特别行政区"
    assert region_name("820000") == "澳门特别行政区"
    assert region_name("710000") == "台湾省"


@pytest.mark.parametrize(
    "province", ["11", "12", "31", "50", "32", "33", "35", "37", "41", "42", "43", "44", "51", "61"]
)
def test_required_provinces_have_cities_with_districts(province: str) -> None:
    found = cities(province)
    assert found
    assert all(districts(city.code) for city in found if city.code not in {"441900", "442000"})


@pytest.mark.parametrize(
    ("code", "name", "level", "parent"),
    [
        ("110100", "市辖区", "city", "110000"),
        ("110101", "东城区", "district", "110100"),
        ("110105", "朝阳区", "district", "110100"),
        ("110108", "海淀区", "district", "110100"),
        ("440100", "广州市", "city", "440000"),
        ("440300", "深圳市", "city", "440000"),
        ("440600", "佛山市", "city", "440000"),
        ("441900", "东莞市", "city", "440000"),
        ("440106", "天河区", "district", "440100"),
        ("440305", "南山区", "district", "440300"),
        ("330106", "西湖区", "district", "330100"),
        ("510104", "锦江区", "district", "510100"),
        ("420106", "武昌区", "district", "420100"),
        ("500200", "县", "city", "500000"),
        ("440000", "广东省", "province", None),
    ],
)
def test_known_regions(code: str, name: str, level: str, parent: str | None) -> None:
    assert get_region(code) == Region(code, name, level, parent)  # type: ignore[arg-type]
    assert (region_name(code), region_level(code), parent_region(code)) == (name, level, parent)


# --------------------------------------------------------------------------- API behaviour


@pytest.mark.parametrize("value", ["4401", "4401060", "44010a", "", " ", "４４０１０６x"])
def test_malformed_codes_are_told_apart_from_unknown_ones(value: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        validate_region_code(value)
    assert info.value.kind == "region code"
    assert info.value.reason.startswith("must be 6 digits")


@pytest.mark.parametrize("value", ["000000", "440199", "990000", "449900"])
def test_unknown_codes(value: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        validate_region_code(value)
    assert info.value.reason == "unknown region code"


def test_non_string_code_is_rejected() -> None:
    with pytest.raises(InvalidIdentifier, match="must be a string of 6 digits"):
        validate_region_code(440106)  # type: ignore[arg-type]


def test_prefix_examples() -> None:
    assert (prefix_of("440000"), prefix_of("440100"), prefix_of("440106")) == (
        "44",
        "4401",
        "440106",
    )
    assert ancestors("440106") == ["440000", "440100"]
    assert ancestors("440000") == []
    for container in ("44", "440000", "4401", "440100", "440106"):
        assert is_within("440106", container)
    assert not is_within("440106", "4403")
    assert not is_within("440000", "4401")
    assert not is_within("110101", "12")


@pytest.mark.parametrize("prefix", ["4", "440", "4400", "99", "4499", "440199", "44a1"])
def test_bad_prefixes_are_rejected(prefix: str) -> None:
    with pytest.raises(InvalidIdentifier):
        is_within("440106", prefix)


def test_listing_helpers() -> None:
    assert all_regions() == sorted(all_regions(), key=lambda r: r.code)
    all_regions().clear()  # callers get a copy
    assert all_regions()
    assert {r.code for r in children("440100")} == {r.code for r in districts("4401")}
    assert all(r.level == "district" for r in districts())
    assert all(r.code.startswith("44") for r in cities("440000"))


def test_pydantic_region_code() -> None:
    class Address(pydantic.BaseModel):
        region: RegionCode

    assert Address(region=" 440106 ").region == "440106"
    with pytest.raises(pydantic.ValidationError, match="unknown region code"):
        Address(region="440199")


def test_importing_reads_no_file() -> None:
    probe = "import canonical_model.regions as r; assert r._table.cache_info().currsize == 0"
    subprocess.run([sys.executable, "-c", probe], cwd=REPO, check=True)


# --------------------------------------------------------------------------- hierarchy properties


def test_every_region_is_within_itself_its_parent_and_its_ancestors() -> None:
    for region in all_regions():
        assert is_within(region.code, region.code)
        assert is_within(region.code, prefix_of(region.code))
        assert is_within(region.code, region.code[:2])
        chain = ancestors(region.code)
        assert [region_level(code) for code in chain] == ["province", "city"][: len(chain)]
        if region.parent_code is not None:
            assert chain[-1] == region.parent_code
            assert is_within(region.code, region.parent_code)
            assert not is_within(region.parent_code, region.code)


@props
@given(district=district_regions, other=regions)
def test_no_district_is_within_another_province(district: Region, other: Region) -> None:
    inside = other.code == district.code or other.code in ancestors(district.code)
    assert is_within(district.code, other.code) is inside
    if other.code[:2] != district.code[:2]:
        assert not is_within(district.code, other.code[:2])
        assert not is_within(district.code, prefix_of(other.code))


@props
@given(a=regions, b=regions)
def test_within_is_a_partial_order(a: Region, b: Region) -> None:
    if is_within(a.code, b.code) and is_within(b.code, a.code):
        assert a == b
    for c in ancestors(b.code):
        if is_within(a.code, b.code):
            assert is_within(a.code, c)  # transitive
    assert is_within(a.code, prefix_of(b.code)) == is_within(a.code, b.code)
