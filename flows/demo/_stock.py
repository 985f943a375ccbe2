"""Warehouses of the sample network and the stock in the brand's four central warehouses.

Lots are produced per SKU first (code ``L<YYYY-MM>-<letter>``, expiry = production date +
shelf life) and then spread over the warehouses, so one lot code always means one expiry.
Cheese and butter are not lot-tracked (lot ``''``, no expiry).
"""

from __future__ import annotations

import random
import string
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from canonical_model.identifiers import gs1_check_digit
from flows.demo._catalog import COMPANY_PREFIX
from flows.demo._dealers import address_in

__all__ = ["BRAND_WAREHOUSES", "build_locations", "build_stock_levels", "snapshot_time"]

Row = dict[str, Any]

#: code, name, district, allocation priority (smaller first), relative size
BRAND_WAREHOUSES: Final = (
    ("WH-SH", "华夏乳业上海中央仓", "310115", 10, 1.5),  # 浦东新区
    ("WH-GZ", "华夏乳业广州中央仓", "440111", 20, 1.0),  # 白云区
    ("WH-CD", "华夏乳业成都中央仓", "510116", 30, 0.8),  # 双流区
    ("WH-WH", "华夏乳业武汉中央仓", "420116", 40, 0.9),  # 黄陂区
)
_LOTTED_LINES: Final = ("IF", "AP", "LM", "YG")
_NOT_STOCKED: Final = 0.12
_OUT_EVERYWHERE: Final = 2
_OUT_PER_WAREHOUSE: Final = 2
_SNAPSHOT_HOUR_UTC: Final = 22  # 06:00 Beijing time, when the WMS writes its nightly snapshot


def snapshot_time(today: date) -> datetime:
    """When the WMS took the stock snapshot for ``today``: 06:00 Beijing time, as aware UTC."""
    return datetime(today.year, today.month, today.day, _SNAPSHOT_HOUR_UTC, tzinfo=UTC) - timedelta(days=1)


def build_locations(dealers: list[Row], rng: random.Random) -> list[Row]:
    """The brand's four central warehouses and one warehouse per national distributor."""
    rows: list[Row] = []
    for index, (code, name, district, priority, _size) in enumerate(BRAND_WAREHOUSES, start=1):
        body = f"{COMPANY_PREFIX}{10 + index:05d}"
        rows.append(
            {
                "code": code,
                "name": name,
                "kind": "brand_warehouse",
                "owner_dealer_code": None,
                "region_code": district,
                "gln": body + gs1_check_digit(body),
                "priority": priority,
                "address": address_in(district, rng),
            }
        )
    for dealer in (d for d in dealers if d["level"] == 1):
        rows.append(
            {
                "code": f"WH-{dealer['code']}",
                "name": f"{str(dealer['name']).split('(')[0]}仓库",
                "kind": "dealer_warehouse",
                "owner_dealer_code": dealer["code"],
                "region_code": dealer["region_code"],
                "gln": None,
                "priority": 100,
                "address": address_in(dealer["region_code"], rng),
            }
        )
    return rows


def _lots(product: Row, rng: random.Random, today: date) -> list[tuple[str, date]]:
    """1–3 production lots of a SKU still in date: (lot code, expiry), oldest first."""
    shelf = int(product["shelf_life_days"])
    oldest = max(2, int(shelf * 0.4))
    ages = sorted(rng.sample(range(1, oldest + 1), min(rng.randint(1, 3), oldest)), reverse=True)
    produced = [today - timedelta(days=age) for age in ages]
    lots: list[tuple[str, date]] = []
    for day in produced:
        same_month = sum(
            1 for earlier in produced if earlier < day and earlier.strftime("%Y%m") == day.strftime("%Y%m")
        )
        lots.append((f"L{day:%Y-%m}-{string.ascii_uppercase[same_month]}", day + timedelta(days=shelf)))
    return lots


def _row(
    warehouse: str, sku: str, lot: str, on_hand: int, in_transit: int, expiry: date | None, as_of: datetime
) -> Row:
    return {
        "location_code": warehouse,
        "sku": sku,
        "lot": lot,
        "on_hand": Decimal(on_hand),
        "reserved": Decimal(0),
        "in_transit": Decimal(in_transit),
        "expiry_date": expiry,
        "as_of": as_of,
    }


def build_stock_levels(products: list[Row], rng: random.Random, today: date) -> list[Row]:
    """Stock rows for the brand warehouses: most active SKUs, a few at zero."""
    as_of = snapshot_time(today)
    active = [p for p in products if p["status"] == "active"]
    lots = {p["sku"]: _lots(p, rng, today) for p in active if p["product_line_code"] in _LOTTED_LINES}
    out_everywhere = {p["sku"] for p in rng.sample(active, _OUT_EVERYWHERE)}
    rows: list[Row] = []
    for warehouse, _name, _district, _priority, size in BRAND_WAREHOUSES:
        out_here = out_everywhere | {p["sku"] for p in rng.sample(active, _OUT_PER_WAREHOUSE)}
        for product in active:
            sku, case_pack = str(product["sku"]), int(product["case_pack"])
            if sku not in out_here and rng.random() < _NOT_STOCKED:
                continue
            inbound = rng.randint(10, 80) * case_pack if rng.random() < 0.25 else 0
            if sku in out_here:
                rows.append(_row(warehouse, sku, "", 0, inbound, None, as_of))
                continue
            held: list[tuple[str, date | None]] = [("", None)]
            if sku in lots:
                held = list(sorted(rng.sample(lots[sku], rng.randint(1, min(2, len(lots[sku]))))))
            for position, (lot, expiry) in enumerate(held):
                cases = max(1, round(rng.randint(5, 300) * size))
                rows.append(
                    _row(
                        warehouse, sku, lot, cases * case_pack, inbound if position == 0 else 0, expiry, as_of
                    )
                )
    return rows
