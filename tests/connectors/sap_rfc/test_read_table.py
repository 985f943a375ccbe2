"""RFC_READ_TABLE done properly: 512-character rows, paging, delimiters inside values, ALPHA keys."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from connectors.errors import FatalConnectorError, RetriableConnectorError
from connectors.sap_rfc.abap import abap_decimal, alpha_input, alpha_output, format_packed, options_lines
from connectors.sap_rfc.read_table import FieldInfo, TableReader, plan_parts
from connectors.sap_rfc.rfc import RfcSession
from connectors.sap_rfc.sandbox import ABAPApplicationError, SapSandbox
from connectors.sap_rfc.sandbox.ddic import TABLES
from tests.connectors.sap_rfc.conftest import PASSWORD, USER

KNA1_WIDTHS = {f.name: f.length for f in TABLES["KNA1"].fields}


def open_session(sandbox: SapSandbox) -> RfcSession:
    connection = sandbox.connect(user=USER, passwd=PASSWORD, client="100", lang="ZH")
    return RfcSession(connection, system="sap-rfc", secrets=(PASSWORD,))


def row_width(fields: list[str], delimiter: str) -> int:
    return sum(KNA1_WIDTHS[name] for name in fields) + len(delimiter) * (len(fields) - 1)


def read_calls(sandbox: SapSandbox) -> list[dict[str, Any]]:
    return [
        dict(call.params) for call in sandbox.calls_to("RFC_READ_TABLE") if not call.params.get("NO_DATA")
    ]


def test_the_sandbox_raises_data_buffer_exceeded_exactly_when_a_row_passes_512_characters(
    sandbox: SapSandbox,
) -> None:
    connection = sandbox.connect(user=USER, passwd=PASSWORD, client="100")
    exactly = ["NAME1"] * 14 + ["KATR1", "LAND1", "LOEVM"]
    one_more = ["NAME1"] * 14 + ["KATR1", "LAND1", "KATR1"]
    assert (row_width(exactly, "|"), row_width(one_more, "|")) == (512, 513)

    result = connection.call(
        "RFC_READ_TABLE", QUERY_TABLE="KNA1", DELIMITER="|", FIELDS=[{"FIELDNAME": f} for f in exactly]
    )
    assert len(result["DATA"]) == 5
    with pytest.raises(ABAPApplicationError) as caught:
        connection.call(
            "RFC_READ_TABLE", QUERY_TABLE="KNA1", DELIMITER="|", FIELDS=[{"FIELDNAME": f} for f in one_more]
        )
    assert caught.value.key == "DATA_BUFFER_EXCEEDED"
    # The field catalog alone (NO_DATA) has no width limit, which is how the reader learns the widths.
    catalog = connection.call(
        "RFC_READ_TABLE", QUERY_TABLE="KNA1", NO_DATA="X", FIELDS=[{"FIELDNAME": f} for f in one_more]
    )
    assert [int(f["LENGTH"]) for f in catalog["FIELDS"]][-3:] == [2, 3, 2]


def test_a_40_field_table_is_read_in_parts_under_512_characters_and_joined_by_key(
    sandbox: SapSandbox,
) -> None:
    fields = [f.name for f in TABLES["KNA1"].fields if f.name != "MANDT"]
    assert len(fields) >= 40 and row_width(fields, "|") > 512

    reader = TableReader(open_session(sandbox), system="sap-rfc", page_size=3)
    rows = [row for page in reader.pages("KNA1", fields, key_fields=["KUNNR"]) for row in page]

    calls = read_calls(sandbox)
    assert all(row_width([f["FIELDNAME"] for f in call["FIELDS"]], "|") <= 512 for call in calls)
    parts = {tuple(f["FIELDNAME"] for f in call["FIELDS"]) for call in calls}
    assert len(parts) >= 2 and all(part[0] == "KUNNR" for part in parts)
    assert {name for part in parts for name in part} == set(fields)
    assert [row["KUNNR"] for row in rows] == ["0000000021", "0000000022", "BRAND", "ND-EAST", "T-0001"]
    assert all(set(row) == set(fields) for row in rows)
    brand = next(row for row in rows if row["KUNNR"] == "BRAND")
    assert (brand["NAME1"], brand["STCD5"], brand["ZZADCODE"]) == (
        "华夏乳业股份有限公司",
        "91330109458073021M",
        "310104",
    )


def test_pages_advance_with_rowskips_and_rowcount_until_a_short_page(sandbox: SapSandbox) -> None:
    reader = TableReader(open_session(sandbox), system="sap-rfc", page_size=2)
    pages = list(reader.pages("KNA1", ["KUNNR", "NAME1"], key_fields=["KUNNR"]))

    assert [len(page) for page in pages] == [2, 2, 1]
    assert [(c["ROWSKIPS"], c["ROWCOUNT"]) for c in read_calls(sandbox)] == [(0, 2), (2, 2), (4, 2)]


def test_a_value_containing_the_delimiter_is_read_again_at_fixed_offsets(sandbox: SapSandbox) -> None:
    sandbox.insert("KNA1", [{"KUNNR": "0000000099", "NAME1": "A|B 贸易", "ORT01": "杭州", "KTOKD": "ZL2"}])
    reader = TableReader(open_session(sandbox), system="sap-rfc")

    [page] = reader.pages("KNA1", ["KUNNR", "NAME1", "ORT01", "KTOKD"], key_fields=["KUNNR"])

    row = next(r for r in page if r["KUNNR"] == "0000000099")
    assert (row["NAME1"], row["ORT01"], row["KTOKD"]) == ("A|B 贸易", "杭州", "ZL2")
    assert [c["DELIMITER"] for c in read_calls(sandbox)] == ["|", ""]
    assert len(page) == 6


def test_keys_that_do_not_identify_rows_cannot_join_the_parts_of_a_wide_row(sandbox: SapSandbox) -> None:
    reader = TableReader(open_session(sandbox), system="sap-rfc")
    fields = ["KTOKD", *(f.name for f in TABLES["KNA1"].fields if f.name not in ("MANDT", "KTOKD"))]
    with pytest.raises(FatalConnectorError, match="not unique"):
        list(reader.pages("KNA1", fields, key_fields=["KTOKD"]))


class ShiftingTable:
    """A session whose table gains a row between the two parts of a page (a fake of the port)."""

    def __init__(self, sandbox: SapSandbox) -> None:
        self.inner = open_session(sandbox)
        self.sandbox = sandbox
        self.reads = 0

    def call(self, function: str, /, **params: Any) -> dict[str, Any]:
        if function == "RFC_READ_TABLE" and not params.get("NO_DATA"):
            self.reads += 1
            if self.reads == 2:
                self.sandbox.insert("KNA1", [{"KUNNR": "0000000001", "NAME1": "新客户"}])
        return self.inner.call(function, **params)


def test_rows_moving_between_the_parts_of_a_page_is_a_retriable_error(sandbox: SapSandbox) -> None:
    reader = TableReader(ShiftingTable(sandbox), system="sap-rfc")
    fields = [f.name for f in TABLES["KNA1"].fields if f.name != "MANDT"]
    with pytest.raises(RetriableConnectorError, match="changed between the parts"):
        list(reader.pages("KNA1", fields, key_fields=["KUNNR"]))


def test_a_where_clause_reaches_the_sandbox_in_72_character_lines(sandbox: SapSandbox) -> None:
    plants = " OR ".join(f"WERKS = '{1000 + 10 * i}'" for i in range(8))
    reader = TableReader(open_session(sandbox), system="sap-rfc")

    rows = [
        r
        for page in reader.pages("MARD", ["MATNR", "WERKS"], key_fields=["MATNR", "WERKS"], where=plants)
        for r in page
    ]

    [call] = read_calls(sandbox)
    assert len(call["OPTIONS"]) > 1 and all(len(line["TEXT"]) <= 72 for line in call["OPTIONS"])
    assert {r["WERKS"] for r in rows} == {"1000", "1010"}


def test_options_lines_never_split_a_quoted_literal() -> None:
    lines = options_lines("NAME1 = 'a b c' AND " + " AND ".join(f"ORT01 <> 'city {i}'" for i in range(6)))
    assert all(len(line["TEXT"]) <= 72 for line in lines)
    assert all(line["TEXT"].count("'") % 2 == 0 for line in lines)
    with pytest.raises(ValueError, match="longer than 72"):
        options_lines("NAME1 = '" + "x" * 80 + "'")


def test_plan_parts_repeats_the_keys_in_every_part_and_keeps_each_under_the_limit() -> None:
    fields = [FieldInfo("K", 0, 10, "C"), *(FieldInfo(f"F{i}", 0, 100, "C") for i in range(9))]
    parts = plan_parts(fields, ["K"], max_width=512, delimiter="|")
    assert [part[0].name for part in parts] == ["K"] * len(parts)
    assert all(sum(f.length for f in part) + len(part) - 1 <= 512 for part in parts)
    assert sorted(f.name for part in parts for f in part[1:]) == sorted(f"F{i}" for i in range(9))
    with pytest.raises(ValueError, match="does not fit"):
        plan_parts(
            [FieldInfo("K", 0, 10, "C"), FieldInfo("LONG", 0, 600, "C")], ["K"], max_width=512, delimiter="|"
        )


@pytest.mark.parametrize(
    ("internal", "shown"),
    [("0000000021", "21"), ("000000000000100200", "100200"), ("D1-003", "D1-003"), ("0000000000", "")],
)
def test_alpha_conversion_strips_the_zeros_of_numeric_keys_only(internal: str, shown: str) -> None:
    assert alpha_output(internal) == shown
    if shown:
        assert alpha_input(shown, len(internal)) == internal


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("    1234.500 ", Decimal("1234.500")),
        ("  12.500-", Decimal("-12.500")),
        ("   ", None),
        ("0", Decimal(0)),
    ],
)
def test_packed_numbers_are_read_with_abap_sign_rules(text: str, value: Decimal | None) -> None:
    assert abap_decimal(text) == value


def test_a_packed_number_that_overflowed_its_output_field_fails_loudly() -> None:
    overflowed = format_packed(Decimal("123456789012.345"), length=13, decimals=3)
    assert overflowed.startswith("*")
    with pytest.raises(ValueError, match="overflowed"):
        abap_decimal(overflowed)
