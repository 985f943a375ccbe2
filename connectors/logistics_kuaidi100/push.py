"""快递100 push callbacks: verify the signature, parse the route, answer the way 快递100 expects.

快递100 POSTs a form to the subscription's ``callbackurl`` with ``param`` (JSON) and
``sign = UPPER(MD5(param + salt))``. The webhook receiver calls :func:`verify_and_parse_push`
(pure: no I/O) and answers with :data:`PUSH_REPLY_SUCCESS` as JSON once it has stored the
events; any other answer (e.g. :data:`PUSH_REPLY_FAILURE`) makes 快递100 push again later.

A push whose signature does not match raises :class:`PushSignatureInvalid` before anything in
``param`` is trusted; a push without ``param``/``sign`` or with broken JSON raises
:class:`PushMalformed`. ``status: abort`` (e.g. "3天查询无记录", "60天无变化") means 快递100
stopped tracking: :attr:`PushNotice.needs_resubscribe` tells the receiver to subscribe again
later (快递100 suggests about 30 minutes).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from canonical_model.errors import ConfigError
from connectors.logistics_kuaidi100.client import track_from_result
from connectors.logistics_kuaidi100.errors import SYSTEM, PushMalformed, PushSignatureInvalid
from connectors.logistics_kuaidi100.signing import push_sign
from connectors.tracking import TrackedWaybill, event_rows

__all__ = [
    "PUSH_REPLY_FAILURE",
    "PUSH_REPLY_SUCCESS",
    "PushNotice",
    "ShipmentResolver",
    "parse_push",
    "verify_and_parse_push",
]

PUSH_REPLY_SUCCESS: Mapping[str, Any] = MappingProxyType(
    {"result": True, "returnCode": "200", "message": "成功"}
)
"""The JSON body 快递100 requires once a push is accepted (interfaces.md §6.1)."""
PUSH_REPLY_FAILURE: Mapping[str, Any] = MappingProxyType(
    {"result": False, "returnCode": "500", "message": "失败"}
)
"""A refusal: 快递100 pushes the same update again later."""

ShipmentResolver = Callable[[str, str], "str | None"]
"""``(carrier_code, waybill_no) → shipment_no`` (or None when the hub does not know the waybill)."""


@dataclass(frozen=True)
class PushNotice:
    """One verified push: its monitoring status and the route events it carries."""

    status: str
    """``polling`` (tracking), ``shutdown`` (finished: signed for), ``abort``, ``updateall``."""
    message: str
    carrier_code: str
    waybill_no: str
    state: str | None
    signed: bool
    company_changed_to: str | None
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def needs_resubscribe(self) -> bool:
        """快递100 gave up on this waybill (``abort``): subscribe again later."""
        return self.status == "abort"


def parse_push(
    form: Mapping[str, str], *, salt: str, resolve_shipment: ShipmentResolver | None = None
) -> PushNotice:
    """Verify ``form`` (the POSTed fields) with ``salt`` and parse it.

    Events are rows shaped like the ``tracking_events`` stream's (so the same mapping applies);
    ``shipment_no`` comes from ``resolve_shipment`` or stays None for the receiver to fill.
    """
    if not salt:
        raise ConfigError(f"{SYSTEM}: verifying pushes needs the subscription's salt")
    param = form.get("param")
    sign = form.get("sign")
    if not isinstance(param, str) or not param or not isinstance(sign, str) or not sign:
        raise PushMalformed(f"{SYSTEM}: push without param or sign", system=SYSTEM)
    expected = push_sign(param, salt=salt)
    if not hmac.compare_digest(expected.encode("ascii"), sign.strip().upper().encode("utf-8", "replace")):
        raise PushSignatureInvalid(
            f"{SYSTEM}: push signature does not match (forged, or the wrong salt)", system=SYSTEM
        )
    try:
        body = json.loads(param)
    except json.JSONDecodeError as exc:
        raise PushMalformed(f"{SYSTEM}: push param is not JSON", system=SYSTEM) from exc
    result = body.get("lastResult") if isinstance(body, dict) else None
    if not isinstance(result, dict) or not result.get("nu"):
        raise PushMalformed(f"{SYSTEM}: push param has no lastResult with a waybill number", system=SYSTEM)
    number = str(result["nu"])
    company = str(result.get("com") or "") or None
    waybill = TrackedWaybill(number=number, company=company)
    track = track_from_result(waybill, result)
    shipment_no = resolve_shipment(track.carrier_code, number) if resolve_shipment is not None else None
    events = [{**row, "shipment_no": shipment_no} for row in event_rows(track, "kuaidi100")]
    state = result.get("state")
    return PushNotice(
        status=str(body.get("status") or ""),
        message=str(body.get("message") or ""),
        carrier_code=track.carrier_code,
        waybill_no=number,
        state=str(state) if state not in (None, "") else None,
        signed=str(result.get("ischeck") or "") == "1",
        company_changed_to=str(body.get("comNew") or "") or None,
        events=events,
    )


def verify_and_parse_push(
    form: Mapping[str, str], *, salt: str, resolve_shipment: ShipmentResolver | None = None
) -> list[dict[str, Any]]:
    """The shipment events of a verified push (see :func:`parse_push`); raises :class:`PushRejected`.

    Each event: ``shipment_no`` (None unless ``resolve_shipment`` names it), ``carrier_code``,
    ``waybill_no``, ``event_time`` (aware UTC), ``carrier_status_code`` (快递100's own code),
    ``status`` (canonical, None for an unknown code), ``description``, ``location``.
    """
    return parse_push(form, salt=salt, resolve_shipment=resolve_shipment).events
