"""JSON schemas of the default streams: rows as the demo sandbox's master-data API sends them.

Field names follow a Chinese ERP's master-data API (物料 / 客户 / 库存); amounts come as
strings (lossless), quantities as numbers, times as ISO-8601 with ``+08:00``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["DEALERS_SCHEMA", "PRODUCTS_SCHEMA", "STOCK_SCHEMA", "generic_schema"]

_DRAFT = "http://json-schema.org/draft-07/schema#"
_STRING = {"type": "string"}
_TEXT = {"type": ["null", "string"]}
_INT = {"type": ["null", "integer"]}
_NUMBER = {"type": ["null", "number"]}
_DATE = {"type": ["null", "string"], "format": "date"}
_TIMESTAMP = {"type": "string", "format": "date-time", "airbyte_type": "timestamp_with_timezone"}


def _object(properties: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "$schema": _DRAFT,
        "type": "object",
        "additionalProperties": True,
        "properties": dict(properties),
    }


PRODUCTS_SCHEMA: dict[str, Any] = _object(
    {
        "materialCode": _STRING,  # 物料编码
        "materialName": _STRING,  # 物料名称
        "barcode": _TEXT,  # 条码 (EAN-13 / GTIN-14)
        "brandName": _TEXT,
        "seriesCode": _TEXT,  # 产品系列 = product line
        "seriesName": _TEXT,
        "unitName": _TEXT,  # 基本单位: 罐, 盒, 瓶 ...
        "caseQty": _INT,  # 箱规: base units per case
        "minOrderQty": _INT,
        "shelfLife": _INT,  # days
        "retailPrice": _TEXT,  # 建议零售价, a decimal string
        "lowestPrice": _TEXT,  # 最低限价
        "status": _INT,  # 1 在售, 2 停产
        "lastModified": _TIMESTAMP,
    }
)

DEALERS_SCHEMA: dict[str, Any] = _object(
    {
        "custCode": _STRING,  # 客户编码
        "custName": _STRING,
        "custLevel": _TEXT,  # 总代 / 一批 / 二批 / 终端
        "parentCustCode": _TEXT,
        "regionCode": _TEXT,  # GB/T 2260
        "custGrade": _TEXT,  # A / B / C
        "taxNo": _TEXT,  # unified social credit code
        "creditLimit": _TEXT,  # a decimal string
        "payDays": _INT,
        "needContract": _TEXT,  # Y / N
        "custStatus": _TEXT,  # 正常 / 冻结 / 暂停
        "contactName": _TEXT,
        "contactPhone": _TEXT,
        "address": _TEXT,
        "lastModified": _TIMESTAMP,
    }
)

STOCK_SCHEMA: dict[str, Any] = _object(
    {
        "whCode": _STRING,  # 仓库编码
        "materialCode": _STRING,
        "batchNo": _STRING,  # 批次号, "" when not lot-tracked
        "qtyOnHand": _NUMBER,  # 现存量, base units
        "qtyInTransit": _NUMBER,  # 在途量
        "expireDate": _DATE,
        "lastModified": _TIMESTAMP,
    }
)


def generic_schema(primary_key: Sequence[str], cursor_field: str | None, cursor_type: str) -> dict[str, Any]:
    """An open schema naming only the key and cursor fields (streams configured without one)."""
    properties: dict[str, Any] = {name: {"type": ["string", "integer", "number"]} for name in primary_key}
    if cursor_field:
        properties[cursor_field] = {
            "datetime": dict(_TIMESTAMP),
            "number": {"type": "number"},
            "string": {"type": "string"},
        }[cursor_type]
    return _object(properties)
