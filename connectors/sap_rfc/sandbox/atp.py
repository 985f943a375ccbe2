"""The sandbox's BAPI_MATERIAL_AVAILABILITY: a plant's unrestricted stock minus open orders."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from connectors.sap_rfc.abap import alpha_output

if TYPE_CHECKING:
    from connectors.sap_rfc.sandbox.system import SandboxConnection

__all__ = ["material_availability"]


def _bapireturn(kind: str, code: str, text: str, *variables: str) -> dict[str, Any]:
    v = [*variables, "", "", "", ""][:4]
    return {
        "TYPE": kind,
        "CODE": code,
        "MESSAGE": text,
        "LOG_NO": "",
        "LOG_MSG_NO": "000000",
        "MESSAGE_V1": v[0],
        "MESSAGE_V2": v[1],
        "MESSAGE_V3": v[2],
        "MESSAGE_V4": v[3],
    }


def material_availability(session: SandboxConnection, params: Mapping[str, Any]) -> dict[str, Any]:
    """ATP of ``MATERIAL`` (or ``MATERIAL_LONG``) in ``PLANT``, in ``UNIT`` (all three required).

    ``AV_QTY_PLT`` is the plant's unrestricted stock (MARD-LABST) minus the open quantities
    of committed order items for that plant (VBAP), converted to ``UNIT``.
    """
    system = session.system
    plant = str(params.get("PLANT", "")).strip()
    matnr = str(params.get("MATERIAL_LONG") or params.get("MATERIAL") or "").strip()
    unit = str(params.get("UNIT", "")).strip()
    empty: dict[str, Any] = {
        "AV_QTY_PLT": Decimal(0),
        "ENDLEADTME": None,
        "DIALOGFLAG": "",
        "WMDVSX": [],
        "WMDVEX": [],
    }
    if not (plant and matnr and unit):
        return {**empty, "RETURN": _bapireturn("E", "M7001", "Enter plant, material and unit of measure")}
    material = next((row for row in system.committed("MARA") if row["MATNR"] == matnr), None)
    stock = [row for row in system.committed("MARD") if row["MATNR"] == matnr and row["WERKS"] == plant]
    if material is None or not stock:
        text = f"Material {alpha_output(matnr)} not maintained in plant {plant}"
        return {**empty, "RETURN": _bapireturn("E", "M3305", text, matnr, plant)}
    factors = {
        row["MEINH"]: Decimal(row["UMREZ"]) / Decimal(row["UMREN"])
        for row in system.committed("MARM")
        if row["MATNR"] == matnr
    }
    factors[material["MEINS"]] = Decimal(1)
    if unit not in factors:
        text = f"Unit {unit} is not defined for material {alpha_output(matnr)}"
        return {**empty, "RETURN": _bapireturn("E", "M3346", text, unit)}
    on_hand = sum((Decimal(row.get("LABST") or 0) for row in stock), Decimal(0))
    ordered = sum(
        (
            Decimal(row["KWMENG"]) * factors.get(row["VRKME"], Decimal(1))
            for row in system.committed("VBAP")
            if row["MATNR"] == matnr and row["WERKS"] == plant and not row.get("ABGRU")
        ),
        Decimal(0),
    )
    available = ((on_hand - ordered) / factors[unit]).quantize(Decimal("0.001"))
    return {
        **empty,
        "AV_QTY_PLT": available,
        "ENDLEADTME": system.now().date(),
        "RETURN": _bapireturn("", "", ""),
    }
