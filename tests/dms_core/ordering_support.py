"""A small, hand-built world for the ordering tests, and helpers to look at what happened.

Dealers (under BRAND): DA (level 2, grade A, contract required, 330106 杭州西湖), DB
(level 2, grade B, 330102), DC (level 3 under DA, grade C). Products: MILK (by the case
of 24), FORMULA (6 per case, any quantity), CHEESE (the gift of 买6送1 on FORMULA),
BUTTER (line BC: nobody is authorised), OLD (discontinued), NOPRICE (on no price list).
Warehouses: WH-SH (priority 10, 上海浦东) and WH-HZ (priority 20, 杭州上城).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.store.hierarchy import refresh_dealer_closure
from canonical_model.tables import (
    authorizations,
    contracts,
    dealer_qualifications,
    dealers,
    locations,
    order_lines,
    order_status_history,
    orders,
    outbox,
    price_list_items,
    price_lists,
    product_lines,
    products,
    promotions,
    receivables,
    reservations,
    stock_levels,
    unit_conversions,
)
from dms_core.ordering import OrderingSettings, OrderRequest, check_reservation_invariant

D = Decimal
DAY = date(2026, 11, 2)
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def _dealer(
    code: str, level: int, parent: str | None, grade: str | None, region: str, **more: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": code,
        "name": f"Dealer {code}",
        "level": level,
        "parent_code": parent,
        "grade": grade,
        "region_code": region,
        "credit_limit": D(100_000),
        "contract_required": False,
    }
    row.update(more)
    return row


def _product(sku: str, line: str, case_pack: int, multiple: int, **more: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "sku": sku,
        "name": f"Product {sku}",
        "product_line_code": line,
        "case_pack": case_pack,
        "order_multiple": multiple,
        "min_order_qty": D(multiple),
        "guide_price": D("10.00"),
    }
    row.update(more)
    return row


def _stock(
    location: str, sku: str, on_hand: int, lot: str = "", expiry: date | None = None
) -> dict[str, Any]:
    return {"location_code": location, "sku": sku, "lot": lot, "on_hand": D(on_hand), "expiry_date": expiry}


WORLD: tuple[tuple[sa.Table, list[dict[str, Any]]], ...] = (
    (
        dealers,
        [
            _dealer("BRAND", 0, None, None, "310104"),
            _dealer("DA", 2, "BRAND", "A", "330106", contract_required=True),
            _dealer("DB", 2, "BRAND", "B", "330102"),
            _dealer("DC", 3, "DA", "C", "330102", credit_limit=D(50_000)),
        ],
    ),
    (
        dealer_qualifications,
        [
            row
            for code in ("DA", "DB", "DC")
            for row in (
                {"dealer_code": code, "kind": "business_license", "valid_from": date(2020, 1, 1)},
                {
                    "dealer_code": code,
                    "kind": "food_permit",
                    "valid_from": date(2024, 1, 1),
                    "valid_until": date(2027, 12, 31),
                },
            )
        ],
    ),
    (
        contracts,
        [
            {
                "contract_no": "HT-DA",
                "dealer_code": "DA",
                "status": "signed",
                "valid_from": YEAR[0],
                "valid_until": YEAR[1],
            }
        ],
    ),
    (product_lines, [{"code": c, "name": c} for c in ("LM", "IF", "CH", "BC")]),
    (
        products,
        [
            _product("MILK", "LM", 24, 24),
            _product("FORMULA", "IF", 6, 1),
            _product("CHEESE", "CH", 24, 1),
            _product("BUTTER", "BC", 12, 1),
            _product("OLD", "LM", 24, 1, status="discontinued"),
            _product("NOPRICE", "LM", 1, 1),
        ],
    ),
    (
        unit_conversions,
        [{"sku": "MILK", "unit": "CS", "factor": D(24)}, {"sku": "FORMULA", "unit": "CS", "factor": D(6)}],
    ),
    (
        authorizations,
        [
            {
                "dealer_code": code,
                "scope_type": "product_line",
                "scope_code": line,
                "region_code": region,
                "valid_from": YEAR[0],
                "valid_until": YEAR[1],
            }
            for code, region in (("DA", "330000"), ("DB", "330000"), ("DC", "330100"))
            for line in ("LM", "IF", "CH")
        ],
    ),
    (
        locations,
        [
            {
                "code": "WH-SH",
                "name": "Shanghai",
                "kind": "brand_warehouse",
                "region_code": "310115",
                "priority": 10,
            },
            {
                "code": "WH-HZ",
                "name": "Hangzhou",
                "kind": "brand_warehouse",
                "region_code": "330102",
                "priority": 20,
            },
            {
                "code": "LOC-DA",
                "name": "DA",
                "kind": "dealer_warehouse",
                "owner_dealer_code": "DA",
                "region_code": "330106",
            },
            {
                "code": "LOC-DB",
                "name": "DB",
                "kind": "dealer_warehouse",
                "owner_dealer_code": "DB",
                "region_code": "330102",
            },
            {
                "code": "LOC-DC",
                "name": "DC",
                "kind": "store",
                "owner_dealer_code": "DC",
                "region_code": "330102",
            },
        ],
    ),
    (
        price_lists,
        [
            {
                "code": "PL-L1",
                "name": "Level 1",
                "dealer_level": 2,
                "valid_from": YEAR[0],
                "valid_until": YEAR[1],
            },
            {
                "code": "PL-L2",
                "name": "Level 2",
                "dealer_level": 3,
                "valid_from": YEAR[0],
                "valid_until": YEAR[1],
            },
        ],
    ),
    (
        price_list_items,
        [
            {"price_list_code": pl, "sku": sku, "min_qty": D(0), "unit_price": D(price)}
            for pl in ("PL-L1", "PL-L2")
            for sku, price in (
                ("MILK", "3.00"),
                ("FORMULA", "200.00"),
                ("CHEESE", "10.00"),
                ("BUTTER", "20.00"),
                ("OLD", "3.00"),
            )
        ],
    ),
    (
        promotions,
        [
            {
                "code": "BUY6-GET-CHEESE",
                "name": "买6罐送1奶酪",
                "kind": "buy_x_get_y",
                "sku": "FORMULA",
                "buy_qty": D(6),
                "free_sku": "CHEESE",
                "free_qty": D(1),
                "valid_from": YEAR[0],
                "valid_until": YEAR[1],
            }
        ],
    ),
    (
        stock_levels,
        [
            _stock("WH-SH", "MILK", 480),
            _stock("WH-SH", "FORMULA", 12, "F-B", date(2027, 6, 1)),
            _stock("WH-SH", "FORMULA", 6, "F-A", date(2027, 1, 1)),
            _stock("WH-SH", "FORMULA", 100, "F-X", date(2026, 10, 1)),  # expired: never allocated
            _stock("WH-SH", "CHEESE", 100),
            _stock("WH-HZ", "MILK", 240),
            _stock("WH-HZ", "FORMULA", 30, "F-C", date(2027, 3, 1)),
            _stock("WH-HZ", "BUTTER", 50),
        ],
    ),
    (receivables, [{"document_no": "AR-1", "dealer_code": "DA", "amount_open": D(10_000)}]),
)


def seed_world(engine: Engine) -> None:
    """Insert the world (tables must exist) and build the dealer closure."""
    with engine.begin() as conn:
        for table, rows in WORLD:
            for row in rows:  # one by one: rows leave different columns to their defaults
                conn.execute(table.insert(), [row])
        refresh_dealer_closure(conn)


def settings(**overrides: Any) -> OrderingSettings:
    """Fresh settings (and so a fresh catalog cache) for one test's database."""
    return OrderingSettings(**overrides)


def request(**overrides: Any) -> OrderRequest:
    """A valid order of DA to its own region: 2 cases of MILK and 2 FORMULA (544.00 CNY)."""
    fields: dict[str, Any] = {
        "dealer_code": "DA",
        "ship_to_region_code": "330106",
        "order_date": DAY,
        "lines": [("MILK", 2, "CS"), ("FORMULA", 2)],
    }
    fields.update(overrides)
    return OrderRequest(**fields)


def update(engine: Engine, table: sa.Table, where: Mapping[str, Any], **values: Any) -> None:
    """Change rows of the world for one test."""
    with engine.begin() as conn:
        conn.execute(table.update().where(*(table.c[k] == v for k, v in where.items())).values(**values))


def assert_consistent(engine: Engine) -> None:
    """reserved == sum(active reservations) for every stock row, and nothing available below zero."""
    with engine.connect() as conn:
        assert check_reservation_invariant(conn) == []
        negative = conn.execute(
            sa.select(stock_levels.c.location_code, stock_levels.c.sku, stock_levels.c.lot).where(
                stock_levels.c.on_hand < stock_levels.c.reserved
            )
        ).all()
        assert negative == []


def stock_of(engine: Engine, location: str, sku: str, lot: str = "") -> tuple[Decimal, Decimal]:
    """(on_hand, reserved) of one stock row."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(stock_levels.c.on_hand, stock_levels.c.reserved).where(
                stock_levels.c.location_code == location, stock_levels.c.sku == sku, stock_levels.c.lot == lot
            )
        ).one()
    return row.on_hand, row.reserved


def order_row(engine: Engine, order_no: str) -> Any:
    """The stored order header."""
    with engine.connect() as conn:
        return conn.execute(sa.select(orders).where(orders.c.order_no == order_no)).one()


def lines_of(engine: Engine, order_no: str) -> list[Any]:
    """The stored order lines."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(order_lines)
                .where(order_lines.c.order_no == order_no)
                .order_by(order_lines.c.line_no)
            )
        )


def history(engine: Engine, order_no: str) -> list[tuple[str | None, str]]:
    """(from, to) of every recorded transition, in order."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(order_status_history.c.from_status, order_status_history.c.to_status)
            .where(order_status_history.c.order_no == order_no)
            .order_by(order_status_history.c.id)
        )
        return [(r.from_status, r.to_status) for r in rows]


def reservation_rows(engine: Engine, order_no: str) -> list[tuple[int, str, str, Decimal, str]]:
    """(line, location, lot, qty, status) of the order's reservations."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(reservations)
            .where(reservations.c.order_no == order_no)
            .order_by(reservations.c.line_no, reservations.c.location_code, reservations.c.lot)
        )
        return [(r.line_no, r.location_code, r.lot, r.qty, r.status) for r in rows]


def outbox_rows(engine: Engine) -> list[Any]:
    """Every outbox message."""
    with engine.connect() as conn:
        return list(conn.execute(sa.select(outbox).order_by(outbox.c.message_id)))


def count_orders(engine: Engine) -> int:
    """How many orders are stored."""
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(orders)).scalar_one())
