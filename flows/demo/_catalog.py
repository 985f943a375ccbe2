"""The sample brand's catalogue: product lines, ~200 dairy SKUs and their unit conversions.

Pure data generation, no database. SKUs are numbered in catalogue order (``SKU-10001`` …)
and carry GTIN-14s under a GS1 China company prefix (690–699), the check digit computed
by :func:`canonical_model.identifiers.gtin_check_digit`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import product
from typing import Any, Final

from canonical_model.identifiers import gtin_check_digit

__all__ = [
    "BRAND_NAME",
    "BRAND_SHORT",
    "COMPANY_PREFIX",
    "LINE_CODES",
    "build_product_lines",
    "build_products",
    "build_unit_conversions",
    "money",
]

Row = dict[str, Any]

BRAND_NAME: Final = "华夏乳业"
BRAND_SHORT: Final = "华夏"
#: Fictitious GS1 China company prefix (692…): the brand's GTINs and GLNs hang off it.
COMPANY_PREFIX: Final = "6923456"
_CENT: Final = Decimal("0.01")
_FLOOR_SHARE: Final = Decimal("0.52")
_DISCONTINUED: Final = 2


def money(value: Decimal | float | int) -> Decimal:
    """Round to the cent (half up), the way prices are quoted."""
    return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class _Line:
    code: str
    name: str
    base_price: float  # guide price of the first item in the first pack
    shelf_life_days: int
    by_the_case: bool  # order in whole cases only
    items: tuple[tuple[str, float, int | None], ...]  # name, price factor, shelf life override
    packs: tuple[tuple[str, int, float, int | None], ...]  # label, case pack, price factor, shelf life
    joiner: str = " "  # between item and pack in the product name


def _infant_items() -> tuple[tuple[str, float, int | None], ...]:
    series = (("臻护", 1.0), ("启智", 1.15), ("有机", 1.35), ("悦享", 0.85))
    stages = (
        ("1段婴儿配方奶粉(0-6月龄)", 1.05),
        ("2段较大婴儿配方奶粉(6-12月龄)", 1.0),
        ("3段幼儿配方奶粉(12-36月龄)", 0.95),
        ("4段儿童成长配方奶粉(3岁以上)", 0.85),
    )
    return tuple((f"{s}{st}", sf * stf, None) for (s, sf), (st, stf) in product(series, stages))


_LINES: Final = (
    _Line(
        "IF",
        "婴幼儿配方奶粉",
        298.0,
        720,
        False,
        _infant_items(),
        (("800g罐", 6, 1.0, None), ("400g盒", 12, 0.55, None), ("130g试用装", 24, 0.2, None)),
    ),
    _Line(
        "AP",
        "成人奶粉",
        98.0,
        540,
        False,
        (
            ("中老年高钙奶粉", 1.0, None),
            ("全家营养奶粉", 0.9, None),
            ("学生高锌奶粉", 1.05, None),
            ("女士高铁奶粉", 1.1, None),
            ("脱脂高蛋白奶粉", 1.2, None),
            ("无蔗糖全脂奶粉", 0.95, None),
        ),
        (
            ("800g罐", 6, 1.0, None),
            ("400g袋", 12, 0.5, None),
            ("1kg袋", 6, 1.15, None),
            ("25g×20条盒", 12, 0.6, None),
        ),
    ),
    _Line(
        "LM",
        "液态奶",
        5.0,
        180,
        True,
        (
            ("纯牛奶", 1.0, None),
            ("低脂纯牛奶", 1.0, None),
            ("高钙牛奶", 1.1, None),
            ("有机纯牛奶", 1.5, None),
            ("儿童成长牛奶", 1.3, None),
            ("舒化无乳糖牛奶", 1.4, None),
            ("A2β-酪蛋白纯牛奶", 1.8, None),
            ("早餐奶", 0.95, None),
            ("核桃牛奶", 0.9, None),
            ("巴氏鲜牛奶", 1.6, 7),
        ),
        (
            ("250ml利乐砖", 24, 1.0, None),
            ("200ml利乐枕", 24, 0.7, None),
            ("1L家庭装", 12, 3.4, None),
            ("125ml儿童装", 24, 0.6, None),
        ),
    ),
    _Line(
        "YG",
        "酸奶",
        5.5,
        21,
        True,
        (
            ("原味", 1.0, None),
            ("草莓", 1.05, None),
            ("黄桃", 1.05, None),
            ("蓝莓", 1.1, None),
            ("芒果", 1.05, None),
            ("燕麦", 1.1, None),
            ("红枣", 1.05, None),
            ("无蔗糖", 1.15, None),
        ),
        (
            ("常温酸奶 200g", 12, 1.0, 150),
            ("风味发酵乳 100g杯", 24, 0.55, 21),
            ("希腊式酸奶 135g", 12, 1.8, 28),
            ("酸奶饮品 300ml", 24, 1.2, 21),
            ("家庭装酸奶 1kg", 6, 3.6, 21),
        ),
        joiner="",
    ),
    _Line(
        "CH",
        "奶酪",
        16.0,
        180,
        False,
        (
            ("原味儿童奶酪棒", 1.0, None),
            ("草莓味儿童奶酪棒", 1.0, None),
            ("高钙奶酪棒", 1.1, None),
            ("切达再制干酪片", 1.2, 270),
            ("低钠芝士片", 1.25, 270),
            ("马苏里拉干酪碎", 1.4, 365),
            ("奶油奶酪", 1.5, None),
        ),
        (
            ("100g", 24, 1.0, None),
            ("200g", 12, 1.9, None),
            ("500g", 12, 4.2, None),
            ("1kg餐饮装", 6, 7.8, None),
        ),
    ),
    _Line(
        "BC",
        "黄油与奶油",
        22.0,
        365,
        False,
        (
            ("淡味黄油", 1.0, None),
            ("有盐黄油", 1.0, None),
            ("发酵黄油", 1.3, None),
            ("动物性稀奶油", 0.8, 180),
            ("甜炼乳", 0.5, None),
        ),
        (
            ("200g", 12, 1.0, None),
            ("454g", 12, 2.1, None),
            ("1kg", 6, 4.2, None),
            ("2.5kg餐饮装", 6, 9.5, None),
        ),
    ),
)

#: Product line codes in catalogue order.
LINE_CODES: Final = tuple(line.code for line in _LINES)


def build_product_lines() -> list[Row]:
    """One row per product line."""
    return [{"code": line.code, "name": line.name, "brand": BRAND_NAME} for line in _LINES]


def _gtin(item_reference: int) -> str:
    body = f"0{COMPANY_PREFIX}{item_reference:05d}"
    return body + gtin_check_digit(body)


def _guide_price(base: float, rng: random.Random) -> Decimal:
    # Retail prices end in a whole ten-fen (e.g. 29.90); a few percent of noise per SKU.
    jittered = base * rng.uniform(0.97, 1.03)
    return money(Decimal(f"{jittered:.1f}"))


def build_products(rng: random.Random) -> list[Row]:
    """~200 SKUs across the product lines; two of them discontinued."""
    rows: list[Row] = []
    for line in _LINES:
        for (item, item_factor, item_shelf), (pack, case_pack, pack_factor, pack_shelf) in product(
            line.items, line.packs
        ):
            number = 10001 + len(rows)
            guide = _guide_price(line.base_price * item_factor * pack_factor, rng)
            shelf = item_shelf or pack_shelf or line.shelf_life_days
            order_multiple = case_pack if line.by_the_case else 1
            rows.append(
                {
                    "sku": f"SKU-{number}",
                    "gtin": _gtin(number),
                    "name": f"{BRAND_SHORT}{item}{line.joiner}{pack}",
                    "brand": BRAND_NAME,
                    "product_line_code": line.code,
                    "base_unit": "EA",
                    "case_pack": case_pack,
                    "order_multiple": order_multiple,
                    "min_order_qty": Decimal(order_multiple),
                    "shelf_life_days": shelf,
                    "guide_price": guide,
                    "price_floor": money(guide * _FLOOR_SHARE),
                    "currency": "CNY",
                    "status": "active",
                }
            )
    # Adult powders turn over slowest: that is where a brand retires SKUs.
    for row in rng.sample([r for r in rows if r["product_line_code"] == "AP"], _DISCONTINUED):
        row["status"] = "discontinued"
    return rows


def build_unit_conversions(products: list[Row]) -> list[Row]:
    """A case (``CS``) of every SKU in base units."""
    return [{"sku": p["sku"], "unit": "CS", "factor": Decimal(p["case_pack"])} for p in products]
