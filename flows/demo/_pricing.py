"""The sample brand's prices: lists per dealer level, a regional list, tiers, rules, promotions.

Every price is a share of the SKU's guide (retail) price, rounded to the cent, and stays
above the SKU's price floor. Priorities: a smaller number wins (regional 50 before base 100).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Final

from flows.demo._catalog import BRAND_SHORT, money

__all__ = ["build_price_list_items", "build_price_lists", "build_price_rules", "build_promotions"]

Row = dict[str, Any]

#: (code, name, dealer level, share of guide price)
_BASE_LISTS: Final = (
    ("PL-NATIONAL", "全国总代供货价", 1, Decimal("0.58")),
    ("PL-LEVEL1", "一级经销商供货价", 2, Decimal("0.65")),
    ("PL-LEVEL2", "二级经销商供货价", 3, Decimal("0.72")),
    ("PL-TERMINAL", "终端门店供货价", 4, Decimal("0.80")),
)
#: Sichuan terminals buy chilled and liquid lines cheaper: they come from the Chengdu plant.
_REGIONAL = ("PL-SC-TERMINAL", "四川终端液奶酸奶区域价", 4, "51", Decimal("0.78"), ("LM", "YG"))
#: Infant formula bought by 20 cases or more gets 3 % off on the dealer lists.
_TIER_LINES: Final = ("IF",)
_TIER_LISTS: Final = ("PL-LEVEL1", "PL-LEVEL2")
_TIER_CASES: Final = 20
_TIER_SHARE: Final = Decimal("0.97")


def _year(today: date) -> tuple[date, date]:
    return date(today.year, 1, 1), date(today.year, 12, 31)


def build_price_lists(today: date) -> list[Row]:
    """Four base lists (one per dealer level) and one regional list, valid for the year."""
    start, end = _year(today)
    rows = [
        {
            "code": code,
            "name": name,
            "currency": "CNY",
            "dealer_level": level,
            "region_prefix": None,
            "dealer_code": None,
            "priority": 100,
            "valid_from": start,
            "valid_until": end,
        }
        for code, name, level, _share in _BASE_LISTS
    ]
    code, name, level, prefix, _share, _lines = _REGIONAL
    rows.append(
        {
            "code": code,
            "name": name,
            "currency": "CNY",
            "dealer_level": level,
            "region_prefix": prefix,
            "dealer_code": None,
            "priority": 50,
            "valid_from": start,
            "valid_until": end,
        }
    )
    return rows


def _item(list_code: str, sku: str, min_qty: Decimal, price: Decimal) -> Row:
    return {"price_list_code": list_code, "sku": sku, "min_qty": min_qty, "unit_price": price}


def build_price_list_items(products: list[Row]) -> list[Row]:
    """Every active SKU on every base list (tier 0), tiers for infant formula, the regional subset."""
    active = [p for p in products if p["status"] == "active"]
    rows: list[Row] = []
    for code, _name, _level, share in _BASE_LISTS:
        for p in active:
            price = money(p["guide_price"] * share)
            rows.append(_item(code, p["sku"], Decimal(0), price))
            if code in _TIER_LISTS and p["product_line_code"] in _TIER_LINES:
                tier_qty = Decimal(p["case_pack"] * _TIER_CASES)
                rows.append(_item(code, p["sku"], tier_qty, money(price * _TIER_SHARE)))
    code, _name, _level, _prefix, share, lines = _REGIONAL
    rows.extend(
        _item(code, p["sku"], Decimal(0), money(p["guide_price"] * share))
        for p in active
        if p["product_line_code"] in lines
    )
    return rows


def _rule(code: str, name: str, today: date, **fields: Any) -> Row:
    start, end = _year(today)
    row: Row = {
        "code": code,
        "name": name,
        "dealer_level": None,
        "region_prefix": None,
        "dealer_code": None,
        "product_line_code": None,
        "sku": None,
        "min_qty": None,
        "max_qty": None,
        "min_amount": None,
        "tier_mode": "threshold",
        "action": "percent_off",
        "value": Decimal(0),
        "priority": 100,
        "exclusive": False,
        "allow_below_floor": False,
        "valid_from": start,
        "valid_until": end,
        "active": True,
    }
    unknown = set(fields) - set(row)
    if unknown:
        raise KeyError(f"unknown price rule fields {sorted(unknown)}")
    row.update(fields)
    return row


def _named(products: list[Row], name: str) -> Row:
    return next(p for p in products if p["name"] == f"{BRAND_SHORT}{name}")


def build_price_rules(products: list[Row], dealers: list[Row], today: date) -> list[Row]:
    """Grade-A level-1 dealers get 3 % off infant formula; one contract price; one incremental tier."""
    rules = [
        _rule(
            f"PR-GA-{d['code']}",
            f"A级一级经销商婴配粉返利折扣 {d['code']}",
            today,
            dealer_code=d["code"],
            product_line_code="IF",
            action="percent_off",
            value=Decimal("0.03"),
            priority=80,
        )
        for d in dealers
        if d["level"] == 2 and d["grade"] == "A" and d["status"] == "active"
    ]
    contract_dealer = next(d for d in dealers if d["level"] == 2)
    milk = _named(products, "纯牛奶 250ml利乐砖")
    rules.append(
        _rule(
            "PR-FIX-001",
            f"{contract_dealer['code']} 纯牛奶合同价",
            today,
            dealer_code=contract_dealer["code"],
            sku=milk["sku"],
            action="fixed_price",
            value=money(milk["guide_price"] * Decimal("0.60")),
            priority=10,
            exclusive=True,
        )
    )
    rules.append(
        _rule(
            "PR-TIER-YG",
            "一级经销商酸奶超量阶梯(超出240件部分95折)",
            today,
            dealer_level=2,
            product_line_code="YG",
            min_qty=Decimal(240),
            tier_mode="incremental",
            action="percent_off",
            value=Decimal("0.05"),
            priority=90,
        )
    )
    return rules


def _promotion(code: str, name: str, kind: str, start: date, end: date, **fields: Any) -> Row:
    row: Row = {
        "code": code,
        "name": name,
        "kind": kind,
        "dealer_level": None,
        "region_prefix": None,
        "dealer_code": None,
        "product_line_code": None,
        "sku": None,
        "threshold_amount": None,
        "discount_amount": None,
        "buy_qty": None,
        "free_sku": None,
        "free_qty": None,
        "bundle": None,
        "bundle_price": None,
        "priority": 100,
        "stackable": True,
        "valid_from": start,
        "valid_until": end,
        "active": True,
    }
    row.update(fields)
    return row


def build_promotions(products: list[Row], today: date) -> list[Row]:
    """A 满减 on yogurt, a 买A送B on stage-3 formula, a family bundle for terminals."""
    quarter_start = date(today.year, 10, 1)
    year_end = date(today.year, 12, 31)
    formula = _named(products, "臻护3段幼儿配方奶粉(12-36月龄) 800g罐")
    cheese = _named(products, "原味儿童奶酪棒 100g")
    family_milk = _named(products, "纯牛奶 1L家庭装")
    family_yogurt = _named(products, "原味常温酸奶 200g")
    bundle = [(family_milk, 12), (family_yogurt, 12), (cheese, 24)]
    terminal_total = sum((money(p["guide_price"] * Decimal("0.80")) * qty for p, qty in bundle), Decimal(0))
    return [
        _promotion(
            "PROMO-MJ-YG-Q4",
            "四季度酸奶满5000减300",
            "threshold_discount",
            quarter_start,
            year_end,
            product_line_code="YG",
            threshold_amount=Decimal("5000.00"),
            discount_amount=Decimal("300.00"),
        ),
        _promotion(
            "PROMO-BXGY-IF3",
            "买6罐臻护3段送1盒奶酪棒",
            "buy_x_get_y",
            date(today.year, 11, 1),
            date(today.year, 11, 30),
            sku=formula["sku"],
            buy_qty=Decimal(6),
            free_sku=cheese["sku"],
            free_qty=Decimal(1),
            priority=50,
        ),
        _promotion(
            "PROMO-BUNDLE-FAMILY",
            "家庭营养组合装(牛奶+酸奶+奶酪棒)",
            "bundle",
            quarter_start,
            year_end,
            dealer_level=4,
            bundle=[{"sku": p["sku"], "qty": qty} for p, qty in bundle],
            bundle_price=money(terminal_total * Decimal("0.90")),
            stackable=False,
        ),
    ]
