"""The sandbox's sales-order BAPIs: create a sales order, commit or roll back the LUW.

Behaves like the real function modules where a client can tell: ``RETURN`` rows in BAPIRET2
shape (``TYPE``/``ID``/``NUMBER``/``MESSAGE``/``MESSAGE_V1..V4`` ...), numbers taken from the
number range at create time (a rolled-back order leaves a gap), the order written only by
``BAPI_TRANSACTION_COMMIT`` on the same session, no conversion exits over RFC (a customer
number must arrive ALPHA-padded), the order quantity taken from the schedule lines, a
warning (not an error) for a purchase order number already used. Message texts are the
sandbox's own wording of SAP's messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from connectors.sap_rfc.abap import alpha_output

if TYPE_CHECKING:
    from connectors.sap_rfc.sandbox.system import SandboxConnection

__all__ = ["MESSAGES", "PendingOrder", "bapiret2", "commit", "create_sales_order", "message", "rollback"]

# key → (message class, number, text with &1..&4 placeholders)
MESSAGES: dict[str, tuple[str, str, str]] = {
    "doc_type": ("V1", "021", "Sales document type &1 is not defined"),
    "sales_area": ("V1", "319", "Sales area &1/&2/&3 is not defined"),
    "no_partner": ("V1", "382", "Please enter sold-to party or ship-to party"),
    "customer": ("VP", "199", "Customer &1 has not been created for sales area &2/&3/&4"),
    "blocked": ("V1", "462", "Sold-to party &1 is blocked for sales orders"),
    "no_items": ("V1", "761", "Sales document contains no items"),
    "material": ("V1", "392", "Material &1 is not defined for sales org.&2, distr.chan.&3, language &4"),
    "unit": ("VG", "100", "Unit &1 is not defined for material &2"),
    "no_quantity": ("V1", "555", "Item &1 has no confirmed order quantity"),
    "processed": ("V4", "233", "&1 has been processed successfully"),
    "duplicate_po": ("V4", "115", "Purchase order number &1 already exists (document &2)"),
    "saved": ("V1", "311", "&1 &2 has been saved"),
    "not_changed": ("V4", "219", "Sales document was not changed"),
}
_DOC_TYPE_NAMES = {"TA": "Standard Order", "OR": "Standard Order", "KB": "Consignment Fill-up"}
_PRICE_CONDITIONS = ("PR00", "PPR0", "ZPR0")


@dataclass
class PendingOrder:
    """A created order waiting in the session's LUW for ``BAPI_TRANSACTION_COMMIT``."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def bapiret2(kind: str, msg_id: str, number: str, text: str, *variables: str, **where: Any) -> dict[str, Any]:
    """One BAPIRET2 row (``where``: ``parameter``, ``row``, ``field``)."""
    v = [*variables, "", "", "", ""][:4]
    return {
        "TYPE": kind,
        "ID": msg_id,
        "NUMBER": number,
        "MESSAGE": text[:220],
        "LOG_NO": "",
        "LOG_MSG_NO": "000000",
        "MESSAGE_V1": v[0],
        "MESSAGE_V2": v[1],
        "MESSAGE_V3": v[2],
        "MESSAGE_V4": v[3],
        "PARAMETER": where.get("parameter", ""),
        "ROW": where.get("row", 0),
        "FIELD": where.get("field", ""),
        "SYSTEM": "",
    }


def message(kind: str, key: str, *variables: str, **where: Any) -> dict[str, Any]:
    """A BAPIRET2 row for one of :data:`MESSAGES`, its placeholders filled."""
    msg_id, number, text = MESSAGES[key]
    for position, value in enumerate(variables, start=1):
        text = text.replace(f"&{position}", value)
    return bapiret2(kind, msg_id, number, text, *variables, **where)


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text or text == "00000000":
        return None
    return datetime.strptime(text, "%Y%m%d").date()


def _posnr(value: Any, index: int) -> str:
    text = str(value or "").strip()
    return text.zfill(6) if text and int(text) else f"{(index + 1) * 10:06d}"


def _header_errors(
    session: SandboxConnection, header: Mapping[str, Any], roles: Mapping[str, str]
) -> list[dict[str, Any]]:
    system = session.system
    errors = []
    doc_type = str(header.get("DOC_TYPE", "")).strip()
    area = tuple(str(header.get(k, "")).strip() for k in ("SALES_ORG", "DISTR_CHAN", "DIVISION"))
    if doc_type not in system.doc_types:
        errors.append(message("E", "doc_type", doc_type, parameter="SALES_HEADER_IN"))
    if area not in system.sales_areas:
        errors.append(message("E", "sales_area", *area, parameter="SALES_HEADER_IN"))
    if not roles.get("AG"):
        errors.append(message("E", "no_partner", parameter="SALES_PARTNERS"))
    customers = {row["KUNNR"]: row for row in system.committed("KNA1")}
    for role in ("AG", "WE"):
        number = roles.get(role, "")
        customer = customers.get(number)
        if number and customer is None:
            errors.append(message("E", "customer", number, *area, parameter="SALES_PARTNERS"))
        elif role == "AG" and customer and (customer.get("AUFSD") or customer.get("SPERR")):
            errors.append(message("E", "blocked", alpha_output(number), parameter="SALES_PARTNERS"))
    return errors


def _items(
    session: SandboxConnection, params: Mapping[str, Any], sales_org: str, channel: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(VBAP lines, error messages, other messages) for the items of the call."""
    system = session.system
    items = list(params.get("ORDER_ITEMS_IN") or [])
    schedules = list(params.get("ORDER_SCHEDULES_IN") or [])
    conditions = list(params.get("ORDER_CONDITIONS_IN") or [])
    materials = {row["MATNR"]: row for row in system.committed("MARA")}
    factors = {
        (r["MATNR"], r["MEINH"]): Decimal(r["UMREZ"]) / Decimal(r["UMREN"]) for r in system.committed("MARM")
    }
    texts = {r["MATNR"]: r["MAKTX"] for r in system.committed("MAKT") if r.get("SPRAS") == session.language}
    lines, errors, notes = [], [], []
    if not items:
        errors.append(message("E", "no_items", parameter="SALES_ITEM_IN"))
    for index, item in enumerate(items):
        where = {"parameter": "SALES_ITEM_IN", "row": index + 1}
        posnr = _posnr(item.get("ITM_NUMBER"), index)
        matnr = str(item.get("MATERIAL_LONG") or item.get("MATERIAL") or "").strip()
        material = materials.get(matnr)
        if material is None or material.get("LVORM"):
            errors.append(
                message("E", "material", alpha_output(matnr), sales_org, channel, session.lang, **where)
            )
            continue
        unit = str(item.get("SALES_UNIT") or item.get("TARGET_QU") or material["MEINS"]).strip()
        factor = Decimal(1) if unit == material["MEINS"] else factors.get((matnr, unit))
        if factor is None:
            errors.append(message("E", "unit", unit, alpha_output(matnr), **where))
            continue
        mine = [s for s in schedules if _posnr(s.get("ITM_NUMBER"), index) == posnr]
        qty = sum((Decimal(str(s.get("REQ_QTY") or 0)) for s in mine), Decimal(0))
        if qty <= 0:
            notes.append(message("W", "no_quantity", posnr, parameter="SALES_SCHEDULES_IN", row=index + 1))
        manual = [
            Decimal(str(c.get("COND_VALUE") or 0))
            for c in conditions
            if _posnr(c.get("ITM_NUMBER"), index) == posnr
            and str(c.get("COND_TYPE", "")).strip() in _PRICE_CONDITIONS
        ]
        price = manual[0] if manual else system.prices.get(matnr, Decimal(0)) * factor
        lines.append(
            {
                "POSNR": posnr,
                "MATNR": matnr,
                "ARKTX": texts.get(matnr, ""),
                "PSTYV": "TAN",
                "KWMENG": qty,
                "VRKME": unit,
                "NETPR": price,
                "NETWR": (price * qty).quantize(Decimal("0.01")),
                "WERKS": str(item.get("PLANT") or "").strip() or system.default_plant(matnr),
                "LGORT": str(item.get("STORE_LOC") or "").strip(),
                "ABGRU": "",
            }
        )
        notes.append(message("S", "processed", "SALES_ITEM_IN", **where))
    return lines, errors, notes


def create_sales_order(session: SandboxConnection, params: Mapping[str, Any]) -> dict[str, Any]:
    """BAPI_SALESORDER_CREATEFROMDAT2."""
    system = session.system
    header = dict(params.get("ORDER_HEADER_IN") or {})
    roles = {
        str(p.get("PARTN_ROLE", "")).strip(): str(p.get("PARTN_NUMB", "")).strip()
        for p in params.get("ORDER_PARTNERS") or []
    }
    roles.setdefault("WE", roles.get("AG", ""))
    area = tuple(str(header.get(k, "")).strip() for k in ("SALES_ORG", "DISTR_CHAN", "DIVISION"))
    errors = _header_errors(session, header, roles)
    lines, item_errors, notes = _items(session, params, area[0], area[1])
    if errors or item_errors:
        return {"SALESDOCUMENT": "", "RETURN": [*errors, *item_errors, message("E", "not_changed")]}
    messages = [message("S", "processed", "SALES_HEADER_IN", parameter="SALES_HEADER_IN")]
    reference = str(header.get("PURCH_NO_C", "")).strip()
    earlier = [r["VBELN"] for r in system.committed("VBAK") if reference and r["BSTNK"] == reference]
    if earlier:
        messages.append(message("W", "duplicate_po", reference, alpha_output(min(earlier))))
    messages += notes
    if str(params.get("TESTRUN", "")).strip() == "X":
        return {"SALESDOCUMENT": "", "RETURN": messages}
    vbeln = system.next_document()
    now = system.now()
    currency = str(header.get("CURRENCY") or "CNY").strip()
    doc_type = str(header.get("DOC_TYPE", "")).strip()
    vbak = {
        "VBELN": vbeln,
        "ERDAT": now.date(),
        "ERZET": now.time().replace(microsecond=0),
        "ERNAM": session.user,
        "AUDAT": now.date(),
        "VBTYP": "C",
        "AUART": doc_type,
        "NETWR": sum((line["NETWR"] for line in lines), Decimal(0)),
        "WAERK": currency,
        "VKORG": area[0],
        "VTWEG": area[1],
        "SPART": area[2],
        "VDATU": _date(header.get("REQ_DATE_H")),
        "BSTNK": reference,
        "BSTDK": _date(header.get("PURCH_DATE")),
        "KUNNR": roles["AG"],
        "GBSTK": "A",
    }
    vbap = [{"VBELN": vbeln, **line, "WAERK": currency, "ERDAT": now.date()} for line in lines]
    vbpa = [{"VBELN": vbeln, "POSNR": "000000", "PARVW": role, "KUNNR": roles[role]} for role in ("AG", "WE")]
    session.pending.append(PendingOrder({"VBAK": [vbak], "VBAP": vbap, "VBPA": vbpa}))
    name = _DOC_TYPE_NAMES.get(doc_type, doc_type)
    messages.append(message("S", "saved", name, alpha_output(vbeln)))
    return {"SALESDOCUMENT": vbeln, "RETURN": messages}


def commit(session: SandboxConnection, params: Mapping[str, Any]) -> dict[str, Any]:
    """BAPI_TRANSACTION_COMMIT: write this session's pending documents (WAIT or not)."""
    pending, session.pending = session.pending, []
    for document in pending:
        for table, rows in document.rows.items():
            session.system.insert(table, rows)
    return {"RETURN": bapiret2("", "", "", "")}


def rollback(session: SandboxConnection, params: Mapping[str, Any]) -> dict[str, Any]:
    """BAPI_TRANSACTION_ROLLBACK: drop this session's pending documents."""
    session.pending = []
    return {"RETURN": bapiret2("", "", "", "")}
