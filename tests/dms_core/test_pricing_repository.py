"""``load_catalog`` over the canonical tables, on SQLite and PostgreSQL, priced end to end."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import (
    price_list_items,
    price_lists,
    price_rules,
    product_lines,
    products,
    promotions,
)
from dms_core.pricing import (
    CatalogDateMismatch,
    PricingContext,
    QuoteRequest,
    Reason,
    UnknownProduct,
    load_catalog,
    quote,
)

D = Decimal
DAY = date(2024, 5, 1)
CONTEXT = PricingContext("D1", 2, "440106", DAY)


def seed(engine: Engine) -> None:
    rows: list[tuple[sa.Table, list[dict[str, Any]]]] = [
        (product_lines, [{"code": "L1", "name": "Drinks"}]),
        (
            products,
            [
                {
                    "sku": "A",
                    "name": "Tea 500ml",
                    "product_line_code": "L1",
                    "guide_price": D("5.00"),
                    "price_floor": D("2.50"),
                },
                {"sku": "B", "name": "Tea 1L", "product_line_code": "L1", "price_floor": D("4.00")},
                {"sku": "G", "name": "Cup (gift)", "guide_price": D("3.00")},
                {"sku": "X", "name": "Gone", "deleted_at": datetime(2024, 1, 1, tzinfo=UTC)},
            ],
        ),
        (
            price_lists,
            [
                {"code": "STD", "name": "Standard"},
                {"code": "LV2", "name": "Level 2", "dealer_level": 2, "priority": 50, "valid_from": DAY},
            ],
        ),
        (
            price_list_items,
            [
                {"price_list_code": "STD", "sku": "A", "min_qty": D(0), "unit_price": D("4.00")},
                {"price_list_code": "STD", "sku": "B", "min_qty": D(0), "unit_price": D("7.00")},
                {"price_list_code": "STD", "sku": "G", "min_qty": D(0), "unit_price": D("1.20")},
                {"price_list_code": "LV2", "sku": "A", "min_qty": D(0), "unit_price": D("3.60")},
                {"price_list_code": "LV2", "sku": "A", "min_qty": D(48), "unit_price": D("3.40")},
            ],
        ),
        (
            price_rules,
            [
                {
                    "code": "GD5",
                    "name": "Guangdong 5%",
                    "region_prefix": "44",
                    "product_line_code": "L1",
                    "action": "percent_off",
                    "value": D("5"),
                    "priority": 10,
                },
                {
                    "code": "BULK",
                    "name": "Over 100",
                    "sku": "A",
                    "min_qty": D(100),
                    "tier_mode": "incremental",
                    "action": "fixed_price",
                    "value": D("3.00"),
                    "priority": 20,
                },
                {
                    "code": "OLD",
                    "name": "Expired",
                    "action": "percent_off",
                    "value": D("50"),
                    "valid_until": date(2024, 4, 30),
                },
                {
                    "code": "DEL",
                    "name": "Deleted",
                    "action": "percent_off",
                    "value": D("50"),
                    "deleted_at": datetime(2024, 1, 1, tzinfo=UTC),
                },
            ],
        ),
        (
            promotions,
            [
                {
                    "code": "MJ",
                    "name": "满400减20",
                    "kind": "threshold_discount",
                    "threshold_amount": D(400),
                    "discount_amount": D(20),
                },
                {
                    "code": "GIFT",
                    "name": "买24送1杯",
                    "kind": "buy_x_get_y",
                    "sku": "A",
                    "buy_qty": D(24),
                    "free_sku": "G",
                    "free_qty": D(1),
                },
                {
                    "code": "SET",
                    "name": "A+B",
                    "kind": "bundle",
                    "bundle": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 1}],
                    "bundle_price": D("12.00"),
                    "priority": 200,
                },
            ],
        ),
    ]
    with engine.begin() as conn:
        for table, values in rows:
            for value in values:  # one by one: the rows set different columns
                conn.execute(sa.insert(table).values(**value))


def test_load_catalog_and_quote_end_to_end(engine: Engine) -> None:
    seed(engine)
    with engine.connect() as conn:
        catalog = load_catalog(conn)
    assert set(catalog.products) == {"A", "B", "G"}  # soft-deleted X is not loaded
    assert "DEL" not in catalog.rules and "OLD" in catalog.rules
    result = quote(catalog, CONTEXT, QuoteRequest([("A", 120), ("B", 10)]))
    a, b, gift = result.lines
    # A: level-2 list, tier from 48 → 3.40; GD5 (region 44, line L1) 5 % → 3.23;
    # BULK (incremental from 100): units 101-120 at 3.00 → 100 × 3.23 + 20 × 3.00 = 383.00.
    assert (a.price_list_code, a.list_price, a.list_amount) == ("LV2", D("3.40"), D("408.00"))
    assert {e.code: e.reason for e in a.explanation if e.source == "rule"} == {
        "GD5": Reason.APPLIED,
        "BULK": Reason.APPLIED,
        "OLD": Reason.NOT_IN_WINDOW,
    }
    assert a.rule_discount == D("25.00")
    # B: 10 × 7.00 → GD5 → 66.50.
    assert (b.price_list_code, b.list_amount, b.rule_discount) == ("STD", D("70.00"), D("3.50"))
    # Promotions in rank order: GIFT (买24送1: 5 cups), MJ (449.50 ≥ 400: 20.00 split 17.04 / 2.96),
    # then SET (priority 200): 10 sets of A×2 + B×1 worth 124.53 for 120.00 → 4.53 split 2.22 / 2.31.
    assert [(p.code, p.amount) for p in result.order_promotions] == [
        ("GIFT", D("6.00")),
        ("MJ", D("20.00")),
        ("SET", D("4.53")),
    ]
    assert result.order_promotions[1].allocations == ((1, D("17.04")), (2, D("2.96")))
    assert result.order_promotions[2].allocations == ((1, D("2.22")), (2, D("2.31")))
    assert (gift.sku, gift.qty, gift.is_free_goods, gift.list_amount, gift.net_amount) == (
        "G",
        D(5),
        True,
        D("6.00"),
        D("0.00"),
    )
    assert (a.net_amount, b.net_amount) == (D("363.74"), D("61.23"))
    assert (result.total_list, result.total_discount, result.total_net) == (
        D("484.00"),
        D("59.03"),
        D("424.97"),
    )


def test_load_catalog_on_a_day_keeps_only_rows_valid_that_day(engine: Engine) -> None:
    seed(engine)
    with engine.connect() as conn:
        catalog = load_catalog(conn, on=DAY)
        before = load_catalog(conn, on=date(2024, 4, 30))
    assert "OLD" not in catalog.rules and "LV2" in catalog.price_lists
    assert "OLD" in before.rules and "LV2" not in before.price_lists
    with pytest.raises(CatalogDateMismatch):
        quote(before, CONTEXT, QuoteRequest([("A", 1)]))


def test_load_catalog_for_some_skus_brings_the_gift_and_bundle_skus_along(engine: Engine) -> None:
    seed(engine)
    with engine.connect() as conn:
        catalog = load_catalog(conn, skus=["A"])
    assert set(catalog.products) == {"A", "B", "G"}  # B is a bundle component, G the gift
    assert "BULK" in catalog.rules and "GD5" in catalog.rules
    result = quote(catalog, CONTEXT, QuoteRequest([("A", 24)]))
    assert [line.sku for line in result.lines] == ["A", "G"]
    with engine.connect() as conn:
        narrow = load_catalog(conn, skus=["B"])
    with pytest.raises(UnknownProduct):
        quote(narrow, CONTEXT, QuoteRequest([("Z", 1)]))
