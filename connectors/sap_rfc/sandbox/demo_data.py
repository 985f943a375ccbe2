"""A small built-in data set for the sandbox (``sandbox: true`` without a seeded system).

Canonical-shaped rows, turned into SAP tables by :mod:`connectors.sap_rfc.sandbox.seed`.
Customers ``21`` and ``22`` and material ``100200`` are numeric, so they are stored
ALPHA-padded (``0000000021``) as SAP stores them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

__all__ = ["DEMO_DEALERS", "DEMO_PRODUCTS", "DEMO_PRODUCT_LINES", "DEMO_STOCK", "DEMO_UNIT_CONVERSIONS"]

DEMO_DEALERS: list[dict[str, Any]] = [
    {
        "code": "BRAND",
        "name": "华夏乳业股份有限公司",
        "level": 0,
        "parent_code": None,
        "grade": None,
        "uscc": "91330109458073021M",
        "region_code": "310104",
        "address": "上海市徐汇区黄河路850号",
    },
    {
        "code": "ND-EAST",
        "name": "浙江华东乳品贸易有限公司",
        "level": 1,
        "parent_code": "BRAND",
        "grade": "A",
        "uscc": "913301057368193034",
        "region_code": "330106",
        "address": "杭州市西湖区文三路99号",
        "contact_phone": "057188886666",
    },
    {
        "code": "21",
        "name": "杭州西湖乳业商行",
        "level": 2,
        "parent_code": "ND-EAST",
        "grade": "B",
        "uscc": "913301064262129974",
        "region_code": "330106",
        "address": "杭州市西湖区天目山路18号",
    },
    {
        "code": "22",
        "name": "宁波海曙食品经营部",
        "level": 2,
        "parent_code": "ND-EAST",
        "grade": "C",
        "status": "suspended",
        "uscc": "913301022003322459",
        "region_code": "330203",
        "address": "宁波市海曙区中山西路7号",
    },
    {
        "code": "T-0001",
        "name": "联华超市(西湖店)",
        "level": 4,
        "parent_code": "21",
        "grade": "B",
        "uscc": "91330103832364056W",
        "region_code": "330106",
        "address": "杭州市西湖区教工路1号",
    },
]

DEMO_PRODUCT_LINES: list[dict[str, Any]] = [
    {"code": "IF", "name": "婴幼儿配方奶粉"},
    {"code": "LM", "name": "液态奶"},
]

DEMO_PRODUCTS: list[dict[str, Any]] = [
    {
        "sku": "SKU-10001",
        "gtin": "06923456100015",
        "name": "华夏臻护1段婴儿配方奶粉(0-6月龄) 800g罐",
        "product_line_code": "IF",
        "base_unit": "EA",
        "shelf_life_days": 720,
        "guide_price": Decimal("308.50"),
    },
    {
        "sku": "SKU-10002",
        "gtin": "06923456100022",
        "name": "华夏臻护2段较大婴儿配方奶粉 800g罐",
        "product_line_code": "IF",
        "base_unit": "EA",
        "shelf_life_days": 720,
        "guide_price": Decimal("298.00"),
    },
    {
        "sku": "100200",
        "gtin": "06923456102002",
        "name": "华夏纯牛奶 250ml×24盒",
        "product_line_code": "LM",
        "base_unit": "EA",
        "shelf_life_days": 180,
        "guide_price": Decimal("69.90"),
    },
]

DEMO_UNIT_CONVERSIONS: list[dict[str, Any]] = [
    {"sku": "SKU-10001", "unit": "CS", "factor": Decimal(6)},
    {"sku": "SKU-10002", "unit": "CS", "factor": Decimal(6)},
    {"sku": "100200", "unit": "CS", "factor": Decimal(4)},
]

DEMO_STOCK: list[dict[str, Any]] = [
    {"location_code": "WH-SH", "sku": "SKU-10001", "on_hand": Decimal(876)},
    {"location_code": "WH-SH", "sku": "SKU-10002", "on_hand": Decimal(420)},
    {"location_code": "WH-SH", "sku": "100200", "on_hand": Decimal(1500)},
    {"location_code": "WH-GZ", "sku": "SKU-10001", "on_hand": Decimal(240)},
    {"location_code": "WH-GZ", "sku": "100200", "on_hand": Decimal(960), "in_transit": Decimal(96)},
]
