"""Rows for the sandbox: a small deterministic demo dataset, or the hub's canonical rows reshaped.

:func:`demo_rows` builds a dairy brand's master data (products of six lines with valid EAN-13
barcodes, a four-level dealer tree in real GB/T 2260 districts with valid unified social
credit codes, lot-tracked stock in three warehouses). Many rows share one ``lastModified``
(a batch import, the nightly stock snapshot), as real ERPs stamp them.
:func:`rows_from_canonical` turns canonical rows (e.g. the demo's sample network) into the
sandbox's field names, so the demo's "ERP" holds what the network holds.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypedDict

from stdnum.cn import uscc

from canonical_model.identifiers import gtin_check_digit
from connectors.rest.sandbox.store import BEIJING

__all__ = ["DEMO_WAREHOUSES", "SandboxRows", "demo_rows", "rows_from_canonical"]

Row = dict[str, Any]


class SandboxRows(TypedDict):
    """Rows per resource, ready for ``Sandbox(**rows)``."""

    products: list[Row]
    dealers: list[Row]
    stock: list[Row]


DEMO_WAREHOUSES = ("WH-SH", "WH-GZ", "WH-CD")
_PREFIX = "6923456"  # a fictitious GS1 China company prefix
_BRAND = "华夏乳业"
# code, name, unit, guide price, shelf life (days), case pack, lot-tracked
_LINES = (
    ("IF", "婴幼儿配方奶粉", "罐", 298.0, 720, 6, True),
    ("AP", "成人奶粉", "袋", 89.0, 540, 12, True),
    ("LM", "液态奶", "盒", 3.5, 180, 24, True),
    ("YG", "酸奶", "杯", 6.8, 21, 24, True),
    ("CH", "奶酪", "块", 18.0, 180, 12, False),
    ("BC", "黄油与奶油", "盒", 25.0, 270, 12, False),
)
_VARIANTS = ("经典", "高钙", "低脂", "有机", "儿童", "臻选", "全脂", "原味")
_DISTRICTS = (
    ("310115", "上海"),
    ("330106", "杭州"),
    ("440106", "广州"),
    ("440305", "深圳"),
    ("510107", "成都"),
    ("500103", "重庆"),
    ("420106", "武汉"),
    ("320106", "南京"),
    ("320505", "苏州"),
    ("330212", "宁波"),
    ("440604", "佛山"),
    ("530102", "昆明"),
)
_LEVELS = {1: "总代", 2: "一批", 3: "二批", 4: "终端"}
_STATUS = {"active": "正常", "suspended": "暂停", "frozen": "冻结"}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "军", "杰", "涛")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_BASE_TIME = datetime(2026, 10, 20, 9, 0, tzinfo=BEIJING)
_SNAPSHOT = datetime(2026, 11, 1, 6, 0, tzinfo=BEIJING)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


def demo_rows(seed: int = 2026, *, products: int = 48, dealers_per_parent: int = 3) -> SandboxRows:
    """``{"products": [...], "dealers": [...], "stock": [...]}``, the same for the same arguments."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    product_rows = [_product(i, rng) for i in range(products)]
    return {
        "products": product_rows,
        "dealers": _dealers(rng, dealers_per_parent),
        "stock": _stock(product_rows, rng),
    }


def _product(i: int, rng: random.Random) -> Row:
    code, line_name, unit, price, shelf, case, _lots = _LINES[i % len(_LINES)]
    number = 10001 + i
    body = f"{_PREFIX}{number:05d}"
    guide = Decimal(str(price)) * Decimal(str(rng.choice((0.8, 1.0, 1.2, 1.5))))
    return {
        "materialCode": f"SKU-{number}",
        "materialName": f"华夏{_VARIANTS[(i // len(_LINES)) % len(_VARIANTS)]}{line_name}",
        "barcode": body + gtin_check_digit(body),
        "brandName": _BRAND,
        "seriesCode": code,
        "seriesName": line_name,
        "unitName": unit,
        "caseQty": case,
        "minOrderQty": case if code == "IF" else 1,
        "shelfLife": shelf,
        "retailPrice": f"{guide:.2f}",
        "lowestPrice": f"{guide * Decimal('0.6'):.2f}",
        "status": 2 if i % 23 == 22 else 1,
        # Products come in batches of six with one timestamp: a bulk import in the ERP.
        "lastModified": _stamp(_BASE_TIME + timedelta(hours=3 * (i // 6), minutes=rng.choice((0, 0, 7)))),
    }


def _dealers(rng: random.Random, fan_out: int) -> list[Row]:
    # Three national distributors (总代), each over four districts; fan_out level-1 dealers under
    # each, fan_out - 1 level-2 dealers under those, and one terminal under every level-2 dealer.
    rows: list[Row] = []

    def add(level: int, parent: str | None, district: int) -> str:
        rows.append(_dealer(len(rows), level, parent, district, rng))
        return str(rows[-1]["custCode"])

    for region in range(3):
        national = add(1, None, 4 * region)
        for first in range(fan_out):
            district = 4 * region + first % 4
            level1 = add(2, national, district)
            for _ in range(max(1, fan_out - 1)):
                add(4, add(3, level1, district), district)
    return rows


def _dealer(index: int, level: int, parent: str | None, district: int, rng: random.Random) -> Row:
    region, city = _DISTRICTS[district]
    kind = {1: "供应链管理", 2: "商贸", 3: "食品", 4: "母婴生活馆"}[level]
    org = "".join(rng.choice(_USCC_ALPHABET) for _ in range(9))
    tax = f"91{region}{org}"
    status = "frozen" if index == 7 else "suspended" if index == 11 else "active"
    return {
        "custCode": f"C{10001 + index}",
        "custName": f"{city}{rng.choice(_SURNAMES)}氏{kind}有限公司",
        "custLevel": _LEVELS[level],
        "parentCustCode": parent,
        "regionCode": region,
        "custGrade": rng.choice("AABC"),
        "taxNo": tax + uscc.calc_check_digit(tax),
        "creditLimit": f"{[5_000_000, 800_000, 200_000, 50_000][level - 1]:.2f}",
        "payDays": [45, 30, 15, 0][level - 1],
        "needContract": "Y" if level <= 2 else "N",
        "custStatus": _STATUS[status],
        "contactName": rng.choice(_SURNAMES) + rng.choice(_GIVEN),
        "contactPhone": f"13{rng.randrange(10**9):09d}",
        "address": f"{city}市{rng.randrange(1, 999)}号",
        "lastModified": _stamp(_BASE_TIME + timedelta(days=1, minutes=10 * (index // 4))),
    }


def _stock(products: list[Row], rng: random.Random) -> list[Row]:
    lotted = {code for code, *_rest, lots in _LINES if lots}
    rows: list[Row] = []
    for warehouse in DEMO_WAREHOUSES:
        for product in products:
            if rng.random() < 0.15:
                continue  # not stocked here
            lots = [""]
            if product["seriesCode"] in lotted:
                lots = sorted({f"2026{rng.randrange(6, 11):02d}{rng.randrange(1, 29):02d}" for _ in range(2)})
            for lot in lots:
                produced = date(int(lot[:4]), int(lot[4:6]), int(lot[6:])) if lot else None
                # The nightly snapshot stamps most rows at once; a few moved since.
                moved = rng.random() < 0.2
                modified = _SNAPSHOT + timedelta(minutes=rng.randrange(5, 240)) if moved else _SNAPSHOT
                rows.append(
                    {
                        "whCode": warehouse,
                        "materialCode": product["materialCode"],
                        "batchNo": lot,
                        "qtyOnHand": rng.randrange(0, 400) * int(product["caseQty"]),
                        "qtyInTransit": rng.choice((0, 0, 0, int(product["caseQty"]) * 10)),
                        "expireDate": (produced + timedelta(days=int(product["shelfLife"]))).isoformat()
                        if produced
                        else None,
                        "lastModified": _stamp(modified),
                    }
                )
    return rows


def rows_from_canonical(
    *,
    products: Iterable[Mapping[str, Any]] = (),
    dealers: Iterable[Mapping[str, Any]] = (),
    stock_levels: Iterable[Mapping[str, Any]] = (),
    modified: datetime = _SNAPSHOT,
) -> SandboxRows:
    """Canonical ``products`` / ``dealers`` / ``stock_levels`` rows in the sandbox's field names.

    The brand itself (dealer level 0) is no customer in its own ERP and is left out.
    """
    stamp = _stamp(modified)
    return {
        "products": [
            {
                "materialCode": p["sku"],
                "materialName": p["name"],
                "barcode": _barcode(p.get("gtin")),
                "brandName": p.get("brand"),
                "seriesCode": p.get("product_line_code"),
                "seriesName": None,
                "unitName": "个" if p.get("base_unit", "EA") == "EA" else p.get("base_unit"),
                "caseQty": int(p.get("case_pack") or 1),
                "minOrderQty": int(p.get("min_order_qty") or 0),
                "shelfLife": p.get("shelf_life_days"),
                "retailPrice": _text(p.get("guide_price")),
                "lowestPrice": _text(p.get("price_floor")),
                "status": 1 if p.get("status", "active") == "active" else 2,
                "lastModified": stamp,
            }
            for p in products
        ],
        "dealers": [
            {
                "custCode": d["code"],
                "custName": d["name"],
                "custLevel": _LEVELS[int(d["level"])],
                "parentCustCode": d.get("parent_code"),
                "regionCode": d.get("region_code"),
                "custGrade": d.get("grade"),
                "taxNo": d.get("uscc"),
                "creditLimit": _text(d.get("credit_limit")),
                "payDays": int(d.get("payment_terms_days") or 0),
                "needContract": "Y" if d.get("contract_required") else "N",
                "custStatus": _STATUS.get(str(d.get("status", "active")), "正常"),
                "contactName": d.get("contact_name"),
                "contactPhone": d.get("contact_phone"),
                "address": d.get("address"),
                "lastModified": stamp,
            }
            for d in dealers
            if int(d["level"]) > 0
        ],
        "stock": [
            {
                "whCode": s["location_code"],
                "materialCode": s["sku"],
                "batchNo": s.get("lot") or "",
                "qtyOnHand": _number(s.get("on_hand")),
                "qtyInTransit": _number(s.get("in_transit")),
                "expireDate": s["expiry_date"].isoformat() if s.get("expiry_date") else None,
                "lastModified": _stamp(s["as_of"]) if isinstance(s.get("as_of"), datetime) else stamp,
            }
            for s in stock_levels
        ],
    }


def _barcode(gtin: Any) -> str | None:
    if not gtin:
        return None
    text = str(gtin)
    return text[1:] if len(text) == 14 and text.startswith("0") else text


def _text(value: Any) -> str | None:
    return None if value is None else f"{Decimal(str(value)):.2f}"


def _number(value: Any) -> int | float:
    number = Decimal(str(value or 0))
    return int(number) if number == number.to_integral_value() else float(number)
