"""统一社会信用代码 (GB 32100-2015), names and districts: the checks a roster row goes through."""

from __future__ import annotations

from pathlib import Path

import pytest

from tzkg.loaders.roster import uscc
from tzkg.loaders.roster.districts import DistrictIndex
from tzkg.loaders.roster.text import NameRules, clean, name_key

ROOT = Path(__file__).resolve().parents[3]


# --- codes ----------------------------------------------------------------------------------


def test_the_published_example_validates() -> None:
    assert uscc.check("91110000600037341L") == ("91110000600037341L", None)


def test_weights_are_powers_of_three_mod_31() -> None:
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(uscc.CHARSET) == 31 and not set("IOSVZ") & set(uscc.CHARSET)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("91110000600037341l", "91110000600037341L"),  # lower case
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),  # full width
        (" 9111 0000 6000 3734 1L\u3000", "91110000600037341L"),  # spaces
        ("911100006-00037341-L", "91110000600037341L"),  # separators
    ],
)
def test_normalised_before_checking(raw: str, normal: str) -> None:
    assert uscc.check(raw) == (normal, None)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("91110000600037341", "uscc-length"),
        ("91110000600037341LL", "uscc-length"),
        ("", "uscc-length"),
        ("9111000060003734IL", "uscc-charset"),  # I is not used
        ("91110000600O37341L", "uscc-charset"),  # nor O
        ("91110000600037341A", "uscc-checksum"),
        ("91110000600037342L", "uscc-checksum"),  # one digit changed
    ],
)
def test_bad_codes(raw: str, reason: str) -> None:
    assert uscc.check(raw)[1] == reason


def test_every_check_character_value_occurs() -> None:
    """The check character can be any of the 31 characters, and the check finds one-char typos."""
    bodies = [f"9132120{n:010d}" for n in range(400)]
    checks = {uscc.check_character(body) for body in bodies}
    assert len(checks) == 31
    body = bodies[7]
    code = body + uscc.check_character(body)
    for position in range(17):
        for char in "0123456789ABC":
            if char != code[position]:
                typo = code[:position] + char + code[position + 1 :]
                assert not uscc.is_valid(typo)


# --- names ----------------------------------------------------------------------------------


def test_clean_and_name_key() -> None:
    assert clean("  扬子江药业集团（江苏）有限公司\u3000") == "扬子江药业集团(江苏)有限公司"
    assert clean("扬子江 药业") == "扬子江药业"
    assert clean("ABC  Co., Ltd ") == "ABC Co., Ltd"
    assert clean("\ufeff泰州\u200b市") == "泰州市"
    assert clean(2021.0) == "2021"
    assert name_key("新浦化学（泰兴）有限公司") == name_key("新浦化学(泰兴)有限公司 ")


@pytest.mark.parametrize(
    ("name", "core"),
    [
        ("扬子江药业集团有限公司", ("扬子江药业", ())),
        ("苏中药业集团股份有限公司", ("苏中药业", ())),
        ("江苏亚星锚链股份有限公司", ("亚星锚链", ())),
        ("江苏太平洋精锻科技股份有限公司", ("太平洋精锻科技", ())),
        ("新浦化学（泰兴）有限公司", ("新浦化学", ("泰兴",))),
        ("双登集团", ("双登", ())),
        ("某某(有限合伙)", ("某某", ())),
        ("泰州亚星锚链配件有限公司", ("亚星锚链配件", ())),
        ("扬子江药业集团有限公司泰州分公司", ("扬子江药业集团有限公司泰州分", ())),
        ("有限公司", ("有限公司", ())),  # too generic to reduce
    ],
)
def test_core(name: str, core: tuple[str, tuple[str, ...]]) -> None:
    assert NameRules().core(name) == core


def test_county_names_are_region_words() -> None:
    rules = NameRules().with_regions(["靖江", "靖江市"])
    assert rules.core("靖江市亚星锚链有限公司")[0] == "亚星锚链"
    assert NameRules().core("靖江市亚星锚链有限公司")[0] == "靖江市亚星锚链"


# --- districts ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def districts() -> DistrictIndex:
    return DistrictIndex.load(ROOT / "data")


@pytest.mark.parametrize(
    ("text", "county", "township"),
    [
        ("泰州市高港区", "321203", None),
        ("高港区", "321203", None),
        ("高港", "321203", None),
        ("江苏省泰州市高港区", "321203", None),
        ("医药高新区", "321203", None),
        ("泰州医药高新区", "321203", None),
        ("泰州医药高新区（高港区）", "321203", None),
        ("泰州医药高新技术产业开发区", "321203", None),
        ("姜堰市", "321204", None),  # the name before 2012
        ("姜堰", "321204", None),
        ("靖江市", "321282", None),
        ("兴化", "321281", None),
        ("泰兴经济开发区", "321283", None),
        ("海陵区", "321202", None),
        ("白马镇", "321203", "321203101"),
        ("海陵区城东街道", "321202", "321202001"),
        ("沿江街道", "321203", "321203007"),  # part of 化学新材料产业园-沿江街道
        ("泰州市", "321200", None),
        ("市直", "321200", None),
        (" 高 港 区 ", "321203", None),
    ],
)
def test_districts(districts: DistrictIndex, text: str, county: str, township: str | None) -> None:
    found = districts.resolve(text)
    assert found is not None
    assert (found.county, found.township) == (county, township)


@pytest.mark.parametrize("text", ["南京市", "鼓楼区", "海陵区(高港区)", "高港区城东街道", "x", ""])
def test_unknown_or_contradictory_districts(districts: DistrictIndex, text: str) -> None:
    assert districts.resolve(text) is None
