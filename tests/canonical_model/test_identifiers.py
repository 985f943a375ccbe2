"""Tests for canonical_model.identifiers: GS1 keys, USCC, EPC URNs and GS1 Digital Link."""

from __future__ import annotations

import re
from urllib.parse import quote

import pydantic
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from canonical_model.errors import InvalidIdentifier, ValidationError
from canonical_model.identifiers import (
    GLN,
    GS1_CHARSET_82,
    GTIN14,
    SSCC,
    USCC,
    gs1_check_digit,
    gtin_check_digit,
    is_valid_gtin,
    is_valid_uscc,
    normalize_gln,
    normalize_gtin,
    normalize_sscc,
    normalize_uscc,
    parse_sgtin,
    parse_sscc,
    sgtin_digital_link,
    sgtin_urn,
    sscc_digital_link,
    sscc_urn,
)

props = settings(database=None, deadline=None, max_examples=150)

DIGITS = "0123456789"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CHARSET_82 = "".join(sorted(GS1_CHARSET_82))


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=DIGITS, min_size=n, max_size=n)


def oracle_gs1(body: str) -> str:
    """Independent GS1 mod-10: weights 3, 1, 3, … from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str(-total % 10)


def oracle_uscc(body: str) -> str:
    """Independent GB 32100 mod-31: weights 3**i mod 31."""
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return USCC_ALPHABET[-total % 31]


def wrong_digit(correct: str) -> st.SearchStrategy[str]:
    return st.sampled_from([d for d in DIGITS if d != correct])


serials = st.text(alphabet=CHARSET_82, min_size=1, max_size=20)
outside_82 = st.characters(exclude_characters=CHARSET_82, exclude_categories=["Cs"])
gtin_bodies = st.sampled_from([7, 11, 12, 13]).flatmap(digits)


# --------------------------------------------------------------------------- GTIN


@props
@given(body=digits(13))
def test_gtin14_round_trips_with_correct_check_digit(body: str) -> None:
    code = body + gtin_check_digit(body)
    assert normalize_gtin(code) == code
    assert normalize_gtin(normalize_gtin(code)) == code
    assert is_valid_gtin(code)


@props
@given(body=gtin_bodies)
def test_short_gtins_are_zero_padded_to_14(body: str) -> None:
    check = gtin_check_digit(body)
    assert check == oracle_gs1(body)
    assert normalize_gtin(body + check) == (body + check).zfill(14)


@props
@given(body=digits(13), data=st.data())
def test_gtin_wrong_check_digit_names_the_expected_one(body: str, data: st.DataObject) -> None:
    correct = oracle_gs1(body)
    wrong = data.draw(wrong_digit(correct))
    with pytest.raises(InvalidIdentifier) as info:
        normalize_gtin(body + wrong)
    assert info.value.kind == "GTIN"
    assert info.value.reason == f"check digit should be {correct}, got {wrong}"
    assert not is_valid_gtin(body + wrong)


@props
@given(body=gtin_bodies, data=st.data())
def test_gtin_separators_and_fullwidth_digits_are_ignored(body: str, data: st.DataObject) -> None:
    code = body + oracle_gs1(body)
    cuts = sorted(data.draw(st.lists(st.integers(1, len(code) - 1), max_size=4)))
    pieces = [code[i:j] for i, j in zip([0, *cuts], [*cuts, len(code)], strict=True)]
    spaced = data.draw(st.sampled_from([" ", "-", " - "])).join(pieces)
    assert normalize_gtin(f"  {spaced} ") == code.zfill(14)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert normalize_gtin(fullwidth) == code.zfill(14)


@props
@given(code=st.integers(1, 20).flatmap(digits))
def test_gtin_wrong_length_is_rejected(code: str) -> None:
    assume(len(code) not in (8, 12, 13, 14))
    with pytest.raises(InvalidIdentifier, match=f"must be 8, 12, 13 or 14 digits, got {len(code)}"):
        normalize_gtin(code)


@pytest.mark.parametrize(
    "code", ["4006381333931", "73513537", "036000291452", "98412345678908", "9780471117094"]
)
def test_known_gtins(code: str) -> None:
    assert normalize_gtin(code) == code.zfill(14)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("4006381333932", "check digit should be 1, got 2"),
        ("40063813339A1", "must contain only digits, found 'A'"),
        ("", "must not be empty"),
        ("12345", "must be 8, 12, 13 or 14 digits, got 5"),
        (4006381333931, "must be a string, got int"),
    ],
)
def test_gtin_rejections_explain_themselves(value: object, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        normalize_gtin(value)  # type: ignore[arg-type]
    assert info.value.reason == reason
    assert isinstance(info.value, ValidationError)
    assert repr(value) in str(info.value)


@pytest.mark.parametrize("body", ["", "123456", "12345678901234", "123456789012a"])
def test_gtin_check_digit_wants_a_gtin_body(body: str) -> None:
    with pytest.raises(InvalidIdentifier):
        gtin_check_digit(body)


# --------------------------------------------------------------------------- GLN / SSCC


@props
@given(body=digits(12), data=st.data())
def test_gln_check_digit(body: str, data: st.DataObject) -> None:
    correct = oracle_gs1(body)
    assert normalize_gln(body + correct) == body + correct
    wrong = data.draw(wrong_digit(correct))
    with pytest.raises(InvalidIdentifier, match=f"check digit should be {correct}, got {wrong}"):
        normalize_gln(body + wrong)


@props
@given(body=digits(17), data=st.data())
def test_sscc_check_digit(body: str, data: st.DataObject) -> None:
    correct = oracle_gs1(body)
    assert gs1_check_digit(body) == correct
    assert normalize_sscc(f"{body[:1]} {body[1:8]}-{body[8:]} {correct}") == body + correct
    wrong = data.draw(wrong_digit(correct))
    with pytest.raises(InvalidIdentifier) as info:
        normalize_sscc(body + wrong)
    assert (info.value.kind, info.value.reason) == (
        "SSCC",
        f"check digit should be {correct}, got {wrong}",
    )


def test_gln_and_sscc_lengths_are_exact() -> None:
    with pytest.raises(InvalidIdentifier, match="must be 13 digits, got 14"):
        normalize_gln("98412345678908")
    with pytest.raises(InvalidIdentifier, match="must be 18 digits, got 13"):
        normalize_sscc("4006381333931")
    assert normalize_sscc("106141412345678908") == "106141412345678908"


# --------------------------------------------------------------------------- USCC

uscc_bodies = st.tuples(
    st.text(alphabet=USCC_ALPHABET, min_size=2, max_size=2),
    digits(6),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


@props
@given(body=uscc_bodies)
def test_uscc_round_trips(body: str) -> None:
    code = body + stdnum_uscc.calc_check_digit(body)
    assert code[-1] == oracle_uscc(body)
    assert normalize_uscc(code) == code
    assert normalize_uscc(f" {code[:8].lower()} {code[8:].lower()} ") == code
    assert is_valid_uscc(code)
    if code[:2].isdigit():  # stdnum only accepts numeric registration authorities
        assert stdnum_uscc.is_valid(code)


@props
@given(body=uscc_bodies, data=st.data())
def test_uscc_wrong_check_character_names_the_expected_one(body: str, data: st.DataObject) -> None:
    correct = oracle_uscc(body)
    wrong = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != correct]))
    with pytest.raises(InvalidIdentifier) as info:
        normalize_uscc(body + wrong)
    assert (info.value.kind, info.value.reason) == (
        "USCC",
        f"check digit should be {correct}, got {wrong}",
    )
    assert not is_valid_uscc(body + wrong)


@props
@given(body=uscc_bodies, letter=st.sampled_from("IOSVZ"), pos=st.integers(8, 16))
def test_uscc_forbidden_letters_are_rejected(body: str, letter: str, pos: int) -> None:
    code = body[:pos] + letter + body[pos + 1 :] + "0"
    with pytest.raises(InvalidIdentifier, match=f"character '{letter}' at position {pos + 1} is not allowed"):
        normalize_uscc(code)


@props
@given(body=uscc_bodies, bad=st.sampled_from(list("#_@*.,/+~!é中Ø")), pos=st.integers(8, 16))
def test_uscc_characters_outside_the_alphabet_are_rejected(body: str, bad: str, pos: int) -> None:
    code = body[:pos] + bad + body[pos + 1 :] + "0"
    with pytest.raises(
        InvalidIdentifier, match=re.escape(f"character '{bad.upper()}' at position {pos + 1}")
    ):
        normalize_uscc(code)


@pytest.mark.parametrize("code", ["91110000600037341L", "914403001922038216", "91440300708461136T"])
def test_known_usccs(code: str) -> None:
    assert normalize_uscc(code) == code


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("91110000600037341", "must be 18 characters, got 17"),
        ("91110000600037341M", "check digit should be L, got M"),
        ("911100A0600037341L", "characters 3-8 (region code) must be digits, got '1100A0'"),
    ],
)
def test_uscc_rejections_explain_themselves(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        normalize_uscc(value)
    assert info.value.reason == reason


# --------------------------------------------------------------------------- SGTIN

gtin14s = digits(13).map(lambda b: b + oracle_gs1(b))
prefix_lengths = st.integers(6, 12)


@props
@given(gtin=gtin14s, serial=serials, length=prefix_lengths)
def test_sgtin_urn_round_trips(gtin: str, serial: str, length: int) -> None:
    urn = sgtin_urn(gtin, serial, length)
    prefix, reference, escaped = urn.removeprefix("urn:epc:id:sgtin:").split(".", 2)
    assert urn.startswith("urn:epc:id:sgtin:")
    assert prefix == gtin[1 : 1 + length]
    assert reference == gtin[0] + gtin[1 + length : 13]  # indicator first, check digit dropped
    assert not set(escaped) & set('"&/<>?')
    assert re.fullmatch(r"([^%]|%(22|25|26|2F|3C|3E|3F))*", escaped)
    assert parse_sgtin(urn) == (gtin, serial)


@props
@given(
    gtin=gtin14s,
    serial=serials,
    length=prefix_lengths,
    base=st.sampled_from(["https://id.gs1.org", "http://dl.example.com/prefix/"]),
)
def test_sgtin_urn_and_digital_link_agree(gtin: str, serial: str, length: int, base: str) -> None:
    link = sgtin_digital_link(gtin, serial, base)
    assert link.startswith(base.rstrip("/") + f"/01/{gtin}/21/")
    assert parse_sgtin(link) == (gtin, serial)
    assert sgtin_urn(*parse_sgtin(link), company_prefix_length=length) == sgtin_urn(gtin, serial, length)
    assert parse_sgtin(sgtin_urn(gtin, serial, length)) == parse_sgtin(link)


@props
@given(gtin=gtin14s, serial=st.text(alphabet=CHARSET_82, max_size=19), bad=outside_82, data=st.data())
def test_sgtin_serial_outside_charset_82_is_rejected(
    gtin: str, serial: str, bad: str, data: st.DataObject
) -> None:
    pos = data.draw(st.integers(0, len(serial)))
    tainted = serial[:pos] + bad + serial[pos:]
    message = f"serial character {bad!r} is not in the GS1 AI encodable character set 82"
    with pytest.raises(InvalidIdentifier, match=re.escape(message)):
        sgtin_urn(gtin, tainted)
    with pytest.raises(InvalidIdentifier, match=re.escape(message)):
        parse_sgtin(f"https://id.gs1.org/01/{gtin}/21/{quote(tainted, safe='')}")


@props
@given(body=digits(13), serial=serials, data=st.data())
def test_digital_link_with_bad_gtin_check_digit_is_rejected(
    body: str, serial: str, data: st.DataObject
) -> None:
    correct = oracle_gs1(body)
    wrong = data.draw(wrong_digit(correct))
    with pytest.raises(InvalidIdentifier) as info:
        parse_sgtin(f"https://example.org/01/{body}{wrong}/21/{quote(serial, safe='')}")
    assert info.value.kind == "SGTIN"
    assert info.value.reason == f"GTIN check digit should be {correct}, got {wrong}"


def test_tag_data_standard_example() -> None:
    assert sgtin_urn("80614141123458", "6789") == "urn:epc:id:sgtin:0614141.812345.6789"
    assert parse_sgtin("urn:epc:id:sgtin:0614141.812345.6789") == ("80614141123458", "6789")
    assert parse_sgtin("URN:EPC:ID:SGTIN:0614141.812345.6789") == ("80614141123458", "6789")
    assert sgtin_urn("80614141123458", "a/b%c", 7) == "urn:epc:id:sgtin:0614141.812345.a%2Fb%25c"


def test_digital_link_variants() -> None:
    expected = ("09506000134352", "12345.a")
    assert parse_sgtin("https://id.gs1.org/01/09506000134352/21/12345.a") == expected
    assert (
        parse_sgtin("https://brand.example.cn/p/01/09506000134352/10/LOT7/21/12345.a?linkType=all")
        == expected
    )
    assert (
        parse_sgtin("https://brand.example.cn/01/9506000134352/21/12345.a/") == expected
    )  # GTIN-13 accepted


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        (
            "urn:epc:id:sgtin:0614141.812345",
            "must have the form urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial",
        ),
        ("urn:epc:id:sgtin:06141.8123456.1", "company prefix must be 6 to 12 digits, got '06141'"),
        (
            "urn:epc:id:sgtin:0614141.81234.1",
            "reference must be 6 digits for a 7-digit company prefix, got '81234'",
        ),
        (
            "urn:epc:id:sgtin:0614141.812345.a%41",
            "serial '%41' is not allowed in an EPC URN (escape \"%&/<>? as %22 %25 %26 %2F %3C %3E %3F)",
        ),
        (
            "urn:epc:id:sgtin:0614141.812345.a/b",
            "serial '/' is not allowed in an EPC URN (escape \"%&/<>? as %22 %25 %26 %2F %3C %3E %3F)",
        ),
        (
            "urn:epc:id:sgtin:0614141.812345." + "9" * 21,
            "serial must be 1 to 20 characters, got 21",
        ),
        ("https://id.gs1.org/01/80614141123458", "GS1 Digital Link has no serial number (/21/…)"),
        (
            "https://id.gs1.org/02/80614141123458/21/1",
            "GS1 Digital Link path must contain /01/ followed by AI/value pairs",
        ),
        (
            "80614141123458",
            "must be an EPC URN (urn:epc:id:sgtin:…) or a GS1 Digital Link URI (https://host/01/…)",
        ),
    ],
)
def test_sgtin_rejections_explain_themselves(uri: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse_sgtin(uri)
    assert (info.value.kind, info.value.reason) == ("SGTIN", reason)


def test_sgtin_urn_rejects_bad_company_prefix_length() -> None:
    with pytest.raises(InvalidIdentifier, match="company prefix length must be 6 to 12, got 13"):
        sgtin_urn("80614141123458", "1", 13)


# --------------------------------------------------------------------------- SSCC URN

ssccs = digits(17).map(lambda b: b + oracle_gs1(b))


@props
@given(sscc=ssccs, length=prefix_lengths)
def test_sscc_urn_and_digital_link_round_trip(sscc: str, length: int) -> None:
    urn = sscc_urn(sscc, length)
    prefix, reference = urn.removeprefix("urn:epc:id:sscc:").split(".")
    assert prefix == sscc[1 : 1 + length]
    assert reference == sscc[0] + sscc[1 + length : 17]
    assert parse_sscc(urn) == sscc
    assert parse_sscc(sscc_digital_link(sscc)) == sscc
    assert parse_sscc(sscc_digital_link(sscc, "http://example.com/x/")) == sscc


@props
@given(body=digits(17), data=st.data())
def test_sscc_digital_link_with_bad_check_digit_is_rejected(body: str, data: st.DataObject) -> None:
    correct = oracle_gs1(body)
    wrong = data.draw(wrong_digit(correct))
    with pytest.raises(InvalidIdentifier, match=f"SSCC check digit should be {correct}, got {wrong}"):
        parse_sscc(f"https://id.gs1.org/00/{body}{wrong}")


def test_sscc_tag_data_standard_example() -> None:
    assert sscc_urn("106141412345678908") == "urn:epc:id:sscc:0614141.1234567890"
    assert parse_sscc("urn:epc:id:sscc:0614141.1234567890") == "106141412345678908"


@pytest.mark.parametrize(
    "uri",
    [
        "urn:epc:id:sscc:0614141.123456789",
        "urn:epc:id:sscc:0614141.1234567890.1",
        "https://id.gs1.org/00/106141412345678908/21/1",
        "https://id.gs1.org/01/80614141123458",
    ],
)
def test_sscc_rejections(uri: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse_sscc(uri)
    assert info.value.kind == "SSCC"


# --------------------------------------------------------------------------- pydantic field types


class _Party(pydantic.BaseModel):
    gtin: GTIN14
    gln: GLN
    sscc: SSCC
    uscc: USCC


def test_pydantic_field_types_normalise_and_reject() -> None:
    party = _Party(
        gtin="4006381333931",
        gln="4006381333931",
        sscc="106141412345678908",
        uscc="91110000600037341l",
    )
    assert (party.gtin, party.uscc) == ("04006381333931", "91110000600037341L")
    with pytest.raises(pydantic.ValidationError, match="check digit should be 1, got 2"):
        _Party(
            gtin="4006381333932",
            gln="4006381333931",
            sscc="106141412345678908",
            uscc="91110000600037341L",
        )
