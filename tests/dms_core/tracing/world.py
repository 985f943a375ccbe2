"""A small world for the tracing tests and the codes that move through it.

Dealers under BRAND: DA (level 2, 广州 440106, authorised for line LM in 440100 广州市), DB
(level 2, 杭州 330106, LM in 330100) and DC (level 3 under DA, LM in 440100). One product, MILK
(line LM). Items are ``urn:epc:id:sgtin:6923456.000001.<n>``, cases ``urn:epc:id:sscc:…``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from canonical_model.identifiers import gs1_check_digit, gtin_check_digit, sgtin_urn, sscc_urn
from canonical_model.store.hierarchy import refresh_dealer_closure
from canonical_model.tables import authorizations, dealers, product_lines, products
from dms_core.tracing import CodeLine, Event, commission, pack, ship

MILK_GTIN = "0692345600001" + gtin_check_digit("0692345600001")
T0 = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def item(n: int) -> str:
    return sgtin_urn(MILK_GTIN, f"S{n:05d}")


def item_link(n: int) -> str:
    return f"https://id.gs1.org/01/{MILK_GTIN}/21/S{n:05d}"


def case(n: int) -> str:
    body = f"0692345600000{n:04d}"
    return sscc_urn(body + gs1_check_digit(body))


def _dealer(code: str, level: int, parent: str | None, region: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Dealer {code}",
        "level": level,
        "parent_code": parent,
        "region_code": region,
        "credit_limit": Decimal(100_000),
    }


def load_world(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            dealers.insert(),
            [
                _dealer("BRAND", 0, None, "310104"),
                _dealer("DA", 2, "BRAND", "440106"),
                _dealer("DB", 2, "BRAND", "330106"),
                _dealer("DC", 3, "DA", "440106"),
            ],
        )
        refresh_dealer_closure(conn)
        conn.execute(product_lines.insert(), [{"code": "LM", "name": "Liquid milk"}])
        conn.execute(
            products.insert(),
            [{"sku": "MILK", "gtin": MILK_GTIN, "name": "Milk", "product_line_code": "LM", "case_pack": 6}],
        )
        conn.execute(
            authorizations.insert(),
            [
                {
                    "dealer_code": code,
                    "scope_type": "product_line",
                    "scope_code": "LM",
                    "region_code": region,
                    "valid_from": YEAR[0],
                    "valid_until": YEAR[1],
                }
                for code, region in (("DA", "440100"), ("DB", "330100"), ("DC", "440100"))
            ],
        )


def ship_two_cases(engine: sa.Engine) -> dict[str, Event]:
    """Commission items 1-12, pack 1-6 into case 1 and 7-12 into case 2, ship case 1 to DA and
    case 2 to DB; returns the events by step."""
    with engine.begin() as conn:
        commissioned = commission(
            conn, [CodeLine(item(n), "L2610", date(2027, 5, 1)) for n in range(1, 13)], event_time=T0
        )
        one = pack(conn, case(1), [item(n) for n in range(1, 7)], event_time=T0 + timedelta(hours=1))
        two = pack(conn, case(2), [item(n) for n in range(7, 13)], event_time=T0 + timedelta(hours=1))
        to_a = ship(
            conn,
            [case(1)],
            dealer_code="DA",
            order_no="SO-1",
            delivery_no="DN-1",
            event_time=T0 + timedelta(hours=2),
        )
        to_b = ship(conn, [case(2)], dealer_code="DB", order_no="SO-2", event_time=T0 + timedelta(hours=2))
    return {"commissioning": commissioned[0], "pack_1": one, "pack_2": two, "ship_a": to_a, "ship_b": to_b}
