"""Fill the SAP sandbox from plain canonical-shaped rows (dealers, products, stock).

The demo hands over the rows of its sample network (``dealers``, ``product_lines``,
``products``, ``unit_conversions``, ``stock_levels``) as plain dicts, and gets a system
whose master data looks like SAP's: dealers become KNA1 customers (external, alphanumeric
numbers as in a project-specific number range; numeric codes are ALPHA-padded) with their
parents in the customer hierarchy KNVH; products become MARA/MAKT/MARM materials (EA → ST,
CS → KAR); each stock location becomes a plant and storage location in MARD.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from connectors.sap_rfc.abap import alpha_input

__all__ = ["SAP_UNITS", "SeedResult", "customer_rows", "material_rows", "stock_rows"]

SAP_UNITS = {"EA": "ST", "CS": "KAR", "PK": "PAK", "KG": "KG", "L": "L"}
"""Canonical unit → SAP internal unit of measure."""

ACCOUNT_GROUPS = {0: "ZBRD", 1: "ZNAT", 2: "ZL1", 3: "ZL2", 4: "ZTRM"}
"""Dealer level → customer account group (KTOKD) used by the sandbox."""

# SAP's standard region keys for China (T005S, LAND1 = CN) by GB/T 2260 province prefix.
_CN_REGIONS = {
    "11": "010",
    "31": "020",
    "12": "030",
    "15": "040",
    "14": "050",
    "13": "060",
    "21": "070",
    "22": "080",
    "23": "090",
    "32": "100",
    "33": "110",
    "34": "120",
    "35": "130",
    "36": "140",
    "37": "150",
    "41": "160",
    "42": "170",
    "43": "180",
    "44": "190",
    "45": "200",
    "46": "210",
    "51": "220",
    "52": "230",
    "53": "240",
    "54": "250",
    "61": "260",
    "62": "270",
    "63": "280",
    "64": "290",
    "65": "300",
    "50": "310",
}
_CREATED = date(2020, 1, 6)
_HIERARCHY_FROM = date(2020, 1, 1)
_HIERARCHY_TO = date(9999, 12, 31)

Row = dict[str, Any]


@dataclass(frozen=True)
class SeedResult:
    """What seeding created; ``plants`` maps each location code to its (plant, storage location)."""

    customers: int
    materials: int
    stock_rows: int
    plants: Mapping[str, tuple[str, str]]


def _customer_number(code: str) -> str:
    return alpha_input(str(code), 10)


def customer_rows(
    dealers: Iterable[Mapping[str, Any]],
    *,
    sales_area: tuple[str, str, str] = ("1000", "10", "00"),
    hierarchy_type: str = "A",
) -> tuple[list[Row], list[Row]]:
    """KNA1 and KNVH rows for canonical dealer rows (code, name, level, parent_code, ...)."""
    kna1: list[Row] = []
    knvh: list[Row] = []
    for dealer in dealers:
        number = _customer_number(dealer["code"])
        name = str(dealer.get("name") or "")
        region = str(dealer.get("region_code") or "")
        status = dealer.get("status") or "active"
        kna1.append(
            {
                "KUNNR": number,
                "LAND1": "CN",
                "NAME1": name[:35],
                "NAME2": name[35:70],
                "STRAS": str(dealer.get("address") or "")[:35],
                "REGIO": _CN_REGIONS.get(region[:2], ""),
                "SORTL": str(dealer["code"])[:10].upper(),
                "TELF1": str(dealer.get("contact_phone") or "")[:16],
                "KTOKD": ACCOUNT_GROUPS.get(int(dealer.get("level", 4)), "ZTRM"),
                "KATR1": dealer.get("grade") or "",
                "STCD5": dealer.get("uscc") or "",
                "SPRAS": "1",
                "ERDAT": _CREATED,
                "ERNAM": "MIGRATION",
                "AUFSD": "01" if status == "suspended" else "",
                "SPERR": "X" if status == "frozen" else "",
                "ZZADCODE": region,
            }
        )
        if dealer.get("parent_code"):
            knvh.append(
                {
                    "HITYP": hierarchy_type,
                    "KUNNR": number,
                    "VKORG": sales_area[0],
                    "VTWEG": sales_area[1],
                    "SPART": sales_area[2],
                    "DATAB": _HIERARCHY_FROM,
                    "DATBI": _HIERARCHY_TO,
                    "HKUNNR": _customer_number(dealer["parent_code"]),
                    "HVKORG": sales_area[0],
                    "HVTWEG": sales_area[1],
                    "HSPART": sales_area[2],
                }
            )
    return kna1, knvh


def material_rows(
    products: Iterable[Mapping[str, Any]],
    unit_conversions: Iterable[Mapping[str, Any]] = (),
    product_lines: Iterable[Mapping[str, Any]] = (),
) -> dict[str, list[Row]]:
    """MARA, MAKT, MARM and T023T rows for canonical products, units and product lines."""
    tables: dict[str, list[Row]] = {"MARA": [], "MAKT": [], "MARM": [], "T023T": []}
    numbers: dict[str, str] = {}
    for product in products:
        matnr = alpha_input(str(product["sku"]), 18) if str(product["sku"]).isdigit() else str(product["sku"])
        numbers[str(product["sku"])] = matnr
        base = SAP_UNITS.get(str(product.get("base_unit") or "EA"), str(product.get("base_unit")))
        gtin = str(product.get("gtin") or "")
        tables["MARA"].append(
            {
                "MATNR": matnr,
                "ERSDA": _CREATED,
                "ERNAM": "MIGRATION",
                "LVORM": "X" if product.get("status") == "discontinued" else "",
                "MTART": "FERT",
                "MBRSH": "L",
                "MATKL": str(product.get("product_line_code") or ""),
                "MEINS": base,
                "EAN11": gtin.lstrip("0") if len(gtin) == 14 and gtin.startswith("0") else gtin,
                "NUMTP": "HE" if gtin else "",
                "SPART": "00",
                "MHDHB": product.get("shelf_life_days") or 0,
            }
        )
        name = str(product.get("name") or "")
        tables["MAKT"].append({"MATNR": matnr, "SPRAS": "1", "MAKTX": name[:40], "MAKTG": name[:40].upper()})
        tables["MARM"].append({"MATNR": matnr, "MEINH": base, "UMREZ": 1, "UMREN": 1})
    for conversion in unit_conversions:
        converted = numbers.get(str(conversion["sku"]))
        if converted is None:
            continue
        factor = Decimal(conversion["factor"])
        numerator, denominator = factor.as_integer_ratio()
        unit = SAP_UNITS.get(str(conversion["unit"]), str(conversion["unit"]))
        tables["MARM"].append({"MATNR": converted, "MEINH": unit, "UMREZ": numerator, "UMREN": denominator})
    for line in product_lines:
        text = str(line.get("name") or "")
        tables["T023T"].append(
            {"SPRAS": "1", "MATKL": str(line["code"]), "WGBEZ": text[:20], "WGBEZ60": text[:60]}
        )
    return tables


def stock_rows(
    stock_levels: Iterable[Mapping[str, Any]], *, plants: Mapping[str, tuple[str, str]] | None = None
) -> tuple[list[Row], dict[str, tuple[str, str]]]:
    """MARD rows (lots summed per storage location) and the location → (plant, sloc) used.

    Locations not in ``plants`` get plants ``1000``, ``1010``, ... in code order, storage
    location ``0001``.
    """
    levels = list(stock_levels)
    assignment = dict(plants or {})
    for index, code in enumerate(sorted({str(s["location_code"]) for s in levels} - set(assignment))):
        assignment[code] = (f"{1000 + 10 * (index + len(plants or {}))}", "0001")
    totals: dict[tuple[str, str, str], dict[str, Decimal]] = {}
    for level in levels:
        werks, lgort = assignment[str(level["location_code"])]
        sku = str(level["sku"])
        matnr = alpha_input(sku, 18) if sku.isdigit() else sku
        bucket = totals.setdefault((matnr, werks, lgort), {"LABST": Decimal(0), "UMLME": Decimal(0)})
        bucket["LABST"] += Decimal(level.get("on_hand") or 0)
        bucket["UMLME"] += Decimal(level.get("in_transit") or 0)
    rows = [
        {"MATNR": m, "WERKS": w, "LGORT": lg, "LFGJA": "2026", "LFMON": "11", "ERSDA": _CREATED, **q}
        for (m, w, lg), q in sorted(totals.items())
    ]
    return rows, assignment
