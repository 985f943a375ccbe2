"""Carrier status codes → the hub's one shipment-event vocabulary, as data tables.

Every carrier code the connectors meet is listed here with its meaning and its canonical event
(:data:`canonical_model.tables.SHIPMENT_EVENT_CODES`: created, picked_up, in_transit,
out_for_delivery, delivered, exception, returned, cancelled). Connectors store the carrier's own
code next to the canonical one (``shipment_events.carrier_status_code``), so nothing is lost and
a wrong line here can be fixed and the events re-mapped. A code missing from the tables maps to
``None``: the event is quarantined (``required:status``) until the code is added, instead of
being guessed.

Sources: ``reference/interfaces.md`` §6 (快递100 states, 顺丰 opCodes seen) and public integrator
code for 快递100's ``resultv2`` sub-states and a real 顺丰 route trace. Entries not confirmed by a
primary source carry ``verified=False``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from canonical_model.tables import SHIPMENT_EVENT_CODES

__all__ = [
    "CARRIER_SF",
    "KUAIDI100_CODES",
    "KUAIDI100_STATE_NAMES",
    "SF_OPCODES",
    "TABLES",
    "CarrierCode",
    "CarrierTable",
    "describe",
    "normalise",
]

CarrierTable = Literal["kuaidi100", "sf"]
CARRIER_SF = "shunfeng"
"""顺丰's carrier code in the hub (快递100's company code, so both sources name it alike)."""


@dataclass(frozen=True)
class CarrierCode:
    """One carrier status code: what the carrier means and the canonical event it becomes."""

    meaning: str
    event: str
    parent: str | None = None
    """For a sub-state: the top-level state it refines."""
    verified: bool = True

    def __post_init__(self) -> None:
        if self.event not in SHIPMENT_EVENT_CODES:
            raise ValueError(f"{self.event!r} is not a canonical shipment event ({SHIPMENT_EVENT_CODES})")


def _table(entries: Mapping[str, CarrierCode]) -> Mapping[str, CarrierCode]:
    return MappingProxyType(dict(entries))


# 快递100: top-level `state` 0–7 (interfaces.md §6.1) plus the states and sub-states that
# `resultv2=4` adds (per-event `statusCode`). Sub-state keys never collide with state keys.
KUAIDI100_CODES: Mapping[str, CarrierCode] = _table(
    {
        "0": CarrierCode("在途", "in_transit"),
        "1": CarrierCode("揽收", "picked_up"),
        "2": CarrierCode("疑难", "exception"),
        "3": CarrierCode("签收", "delivered"),
        "4": CarrierCode("退签", "returned"),
        "5": CarrierCode("派件", "out_for_delivery"),
        "6": CarrierCode("退回", "returned"),
        "7": CarrierCode("转投", "in_transit"),
        "8": CarrierCode("清关", "in_transit"),
        "14": CarrierCode("拒签", "exception"),
        # 揽收 (1)
        "101": CarrierCode("已下单", "created", "1"),
        "102": CarrierCode("待揽收", "created", "1"),
        "103": CarrierCode("已揽收", "picked_up", "1"),
        # 在途 (0)
        "1001": CarrierCode("到达派件城市", "in_transit", "0"),
        "1002": CarrierCode("干线", "in_transit", "0"),
        "1003": CarrierCode("转递", "in_transit", "0"),
        # 派件 (5)
        "501": CarrierCode("投柜或驿站", "out_for_delivery", "5"),
        # 签收 (3)
        "301": CarrierCode("本人签收", "delivered", "3"),
        "302": CarrierCode("派件异常后签收", "delivered", "3"),
        "303": CarrierCode("代签", "delivered", "3"),
        "304": CarrierCode("投柜或站签收", "delivered", "3"),
        # 退签 (4)
        "401": CarrierCode("已销单", "cancelled", "4"),
        # 疑难 (2)
        "201": CarrierCode("超时未签收", "exception", "2"),
        "202": CarrierCode("超时未更新", "exception", "2"),
        "203": CarrierCode("拒收", "exception", "2"),
        "204": CarrierCode("派件异常", "exception", "2"),
        "205": CarrierCode("柜或驿站超时未取", "exception", "2"),
        "206": CarrierCode("无法联系", "exception", "2"),
        "207": CarrierCode("超区", "exception", "2"),
        "208": CarrierCode("滞留", "exception", "2"),
        "209": CarrierCode("破损", "exception", "2"),
        "210": CarrierCode("销单", "cancelled", "2"),
        # 清关 (8)
        "10": CarrierCode("待清关", "in_transit", "8"),
        "11": CarrierCode("清关中", "in_transit", "8"),
        "12": CarrierCode("已清关", "in_transit", "8"),
        "13": CarrierCode("清关异常", "exception", "8"),
    }
)

KUAIDI100_STATE_NAMES: Mapping[str, str] = MappingProxyType(
    {code.meaning: key for key, code in KUAIDI100_CODES.items() if code.parent is None}
)
"""A 快递100 event's ``status`` text (在途, 揽收, ...) → its state code, for events without a
``statusCode``."""

# 顺丰 丰桥 route opCodes. 50/54/30/31/36/80 are in interfaces.md §6.3; 501/407/44/204 were
# seen in a real route trace; the rest are common integrator knowledge, unverified.
SF_OPCODES: Mapping[str, CarrierCode] = _table(
    {
        "50": CarrierCode("顺丰已收取快件", "picked_up"),
        "54": CarrierCode("上门收件/已收取快件", "picked_up"),
        "607": CarrierCode("代理收件", "picked_up", verified=False),
        "30": CarrierCode("快件在分拣, 准备发往下一站", "in_transit"),
        "31": CarrierCode("快件到达", "in_transit"),
        "36": CarrierCode("快件离开, 发往下一站", "in_transit"),
        "501": CarrierCode("快件运输中", "in_transit"),
        "407": CarrierCode("快件已发往网点", "in_transit"),
        "99": CarrierCode("应客户要求, 快件转寄中", "in_transit", verified=False),
        "123": CarrierCode("快件正送往顺丰店/站", "in_transit", verified=False),
        "44": CarrierCode("正在分配快递员", "out_for_delivery"),
        "204": CarrierCode("快件派送途中", "out_for_delivery"),
        "130": CarrierCode("快件到达驿站/丰巢柜", "out_for_delivery", verified=False),
        "80": CarrierCode("已签收", "delivered"),
        "8000": CarrierCode("已签收 (电子签收)", "delivered", verified=False),
        "33": CarrierCode("派件异常, 快件滞留", "exception", verified=False),
        "70": CarrierCode("派送不成功", "exception", verified=False),
        "648": CarrierCode("快件已退回", "returned", verified=False),
    }
)

TABLES: Mapping[CarrierTable, Mapping[str, CarrierCode]] = MappingProxyType(
    {"kuaidi100": KUAIDI100_CODES, "sf": SF_OPCODES}
)
"""Every table by carrier (the tests walk them all)."""


def normalise(table: CarrierTable, code: str | int | None) -> str | None:
    """The canonical event for a carrier's ``code``; ``None`` when the code is unknown or empty."""
    entry = describe(table, code)
    return entry.event if entry is not None else None


def describe(table: CarrierTable, code: str | int | None) -> CarrierCode | None:
    """The table entry for ``code`` (whitespace ignored), or ``None``."""
    if code is None:
        return None
    return TABLES[table].get(str(code).strip())
