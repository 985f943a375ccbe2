"""The sandbox's fixed names and seed data (deterministic, so tests and demos can rely on them)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from stdnum import ean
from stdnum.cn import uscc

__all__ = [
    "BASE_TIME",
    "CLASSES",
    "SANDBOX_PASSWORD",
    "SANDBOX_URL",
    "SANDBOX_USER",
    "SEED_CUSTOMERS",
    "SEED_ITEMS",
    "seed_rows",
]

SANDBOX_URL = "https://ebs-sandbox.dmshub.invalid"
SANDBOX_USER = "DMSHUB_ISG"
SANDBOX_PASSWORD = "welcome1-sandbox"  # noqa: S105 - the sandbox's own demo user, documented
CST = timezone(timedelta(hours=8))
BASE_TIME = datetime(2024, 5, 1, 8, 0, tzinfo=CST)
CLASSES = ("NATIONAL_DISTRIBUTOR", "LEVEL1_DEALER", "LEVEL2_DEALER", "TERMINAL")
SEED_CUSTOMERS = tuple(f"D{1000 + i}" for i in range(1, 13))
SEED_ITEMS = tuple(f"FG-{1000 + i}" for i in range(1, 10))


def seed_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(customers, items): a dealer tree of 12 accounts (six with a USCC) and 9 items in
    organization 204 plus 1 in 207; pairs of rows share a ``LAST_UPDATE_DATE``."""
    customers = []
    for i, number in enumerate(SEED_CUSTOMERS, start=1):
        level = 1 if i == 1 else 2 if i <= 3 else 3 if i <= 6 else 4
        parent = {1: None, 2: "D1001", 3: SEED_CUSTOMERS[1 + i % 2], 4: SEED_CUSTOMERS[3 + i % 3]}[level]
        customers.append(
            {
                "CUST_ACCOUNT_ID": Decimal(1040 + i),
                "ACCOUNT_NUMBER": number,
                "PARTY_NAME": f"经销商{i:03d}商贸有限公司",
                "CUSTOMER_CLASS_CODE": CLASSES[level - 1],
                "PARENT_ACCOUNT_NUMBER": parent,
                "STATUS": "I" if i == 12 else "A",
                "JGZZ_FISCAL_CODE": _uscc(i) if i <= 6 else None,
                "OVERALL_CREDIT_LIMIT": Decimal(500000) // level,
                "CURRENCY_CODE": "CNY",
                "PAYMENT_TERM_NAME": "30 NET" if level < 3 else "IMMEDIATE",
                "LAST_UPDATE_DATE": BASE_TIME + timedelta(seconds=(i + 1) // 2),
            }
        )
    items = []
    for i, number in enumerate((*SEED_ITEMS, "FG-2001"), start=1):
        base = f"0690123456{i:03d}"
        items.append(
            {
                "INVENTORY_ITEM_ID": Decimal(2150 + i),
                "ORGANIZATION_ID": Decimal(207 if i == 10 else 204),
                "SEGMENT1": number,
                "DESCRIPTION": f"示例产品 {number}",
                "PRIMARY_UOM_CODE": "Ea",
                "INVENTORY_ITEM_STATUS_CODE": "Inactive" if i == 9 else "Active",
                "SHELF_LIFE_DAYS": Decimal(365 if i % 2 else 540),
                "LIST_PRICE_PER_UNIT": Decimal("35.50") + i,
                "GTIN": base + ean.calc_check_digit(base),
                "LAST_UPDATE_DATE": BASE_TIME + timedelta(seconds=(i + 1) // 2),
            }
        )
    return customers, items


def _uscc(i: int) -> str:
    body = f"91310000MA1FL{i:04d}"  # a Shanghai company's unified social credit code, check digit computed
    return body + uscc.calc_check_digit(body)
