"""OData V2 value formats as SAP Gateway writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connectors.sap_odata.odata import (
    datetimeoffset_literal,
    error_messages,
    odata_date,
    odata_datetime,
    string_literal,
    to_odata_date,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/Date(1700000000000+0000)/", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("/Date(1700000000000+0480)/", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),  # offset: no shift
        ("/Date(1546992000000)/", datetime(2019, 1, 9, tzinfo=UTC)),
        ("2024-05-01T08:00:00Z", datetime(2024, 5, 1, 8, tzinfo=UTC)),
        (None, None),
        ("", None),
    ],
)
def test_dates_in_sap_gateway_json_are_utc_instants(text: str | None, expected: datetime | None) -> None:
    assert odata_datetime(text) == expected


def test_an_edm_datetime_holding_a_day_reads_as_that_day_and_writes_back_the_same() -> None:
    assert odata_date("/Date(1546992000000)/") == date(2019, 1, 9)
    assert to_odata_date(date(2019, 1, 9)) == "/Date(1546992000000)/"


def test_a_malformed_date_is_an_error_not_a_null() -> None:
    with pytest.raises(ValueError):
        odata_datetime("/Date(abc)/")


def test_filter_literals_quote_strings_and_write_instants_in_utc() -> None:
    assert string_literal("O'Brien") == "'O''Brien'"
    assert (
        datetimeoffset_literal(datetime(2026, 10, 1, 9, 30, tzinfo=UTC))
        == "datetimeoffset'2026-10-01T09:30:00Z'"
    )


def test_the_gateway_error_body_yields_its_message_and_each_distinct_detail() -> None:
    body = {
        "error": {
            "code": "V1/392",
            "message": {"lang": "en", "value": "Material X is not defined"},
            "innererror": {
                "errordetails": [
                    {"code": "V1/392", "message": "Material X is not defined", "severity": "error"},
                    {"code": "V4/219", "message": "Sales document was not changed", "severity": "error"},
                ]
            },
        }
    }
    assert error_messages(body) == [
        "V1/392: Material X is not defined",
        "V4/219: Sales document was not changed",
    ]
