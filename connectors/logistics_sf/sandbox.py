"""A SANDBOX of 顺丰 丰桥's ``/std/service``: a stateful fake for tests and demos, not 顺丰's service.

Serves ``EXP_RECE_SEARCH_ROUTES`` the way the gateway does: HTTP 200 with
``{"apiResultCode", "apiErrorMsg", "apiResponseID", "apiResultData": "<JSON text>"}``.
It checks, in order: required fields (A1001), the partner (A1004), the timestamp's age (A1002),
``msgDigest`` (A1006), a reused ``requestID`` (A1007) and the service code (A1004). A waybill
registered with a phone answers no routes unless ``checkPhoneNo`` matches; at most 10 numbers
per query. Faults on demand: see :mod:`connectors.sandbox_kit`.
"""

from __future__ import annotations

import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx

from connectors.logistics_sf.client import MAX_NUMBERS_PER_QUERY, SEARCH_ROUTES
from connectors.logistics_sf.errors import API_RESULT_CODES
from connectors.logistics_sf.signing import DigestVariant, msg_digest
from connectors.sandbox_kit import FakeApi
from connectors.vendor_kit import BEIJING

__all__ = ["SANDBOX_CHECKWORD", "SANDBOX_PARTNER", "SfSandbox"]

SANDBOX_PARTNER = "SANDBOX_PARTNER"
SANDBOX_CHECKWORD = "sandbox-sf-checkword"
_REQUIRED = ("partnerID", "requestID", "serviceCode", "timestamp", "msgDigest", "msgData")


class SfSandbox(FakeApi):
    """The fake 丰桥 gateway (see the module docstring)."""

    NOTICE = "DMS Hub 顺丰 sandbox: a fake of 丰桥 /std/service for tests and demos, not 顺丰's service."

    def __init__(
        self,
        *,
        partner_id: str = SANDBOX_PARTNER,
        checkword: str = SANDBOX_CHECKWORD,
        digest_variant: DigestVariant = "plain",
        clock: Callable[[], float] = time.time,
        max_age_seconds: float = 600.0,
    ) -> None:
        super().__init__()
        self.partner_id = partner_id
        self.checkword = checkword
        self.digest_variant: DigestVariant = digest_variant
        self.clock = clock
        self.max_age_seconds = max_age_seconds
        self.routes: dict[str, list[dict[str, str]]] = {}
        self.phones: dict[str, str] = {}
        self.request_ids: set[str] = set()

    # ------------------------------------------------------------------ data

    def add_event(self, mail_no: str, *, at: datetime, op_code: str, remark: str, address: str = "") -> None:
        """Append one route event to ``mail_no``."""
        route = self.routes.setdefault(mail_no, [])
        route.append(
            {
                "acceptTime": at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
                "acceptAddress": address,
                "remark": remark,
                "opCode": op_code,
            }
        )
        route.sort(key=lambda r: r["acceptTime"])

    def add_route(
        self,
        mail_no: str,
        events: Iterable[tuple[str, str]],
        *,
        start: datetime,
        step: timedelta,
        phone: str | None = None,
    ) -> None:
        """Append ``(opCode, remark)`` events ``step`` apart; ``phone`` guards the route."""
        for i, (op_code, remark) in enumerate(events):
            self.add_event(mail_no, at=start + step * i, op_code=op_code, remark=remark, address="深圳市")
        if phone:
            self.phones[mail_no] = phone

    @classmethod
    def demo(cls, *, start: datetime, **kwargs: Any) -> SfSandbox:
        """Two routes: SF1000000001 delivered, SF1000000002 (phone 1234) out for delivery."""
        sandbox = cls(**kwargs)
        hour = timedelta(hours=1)
        sandbox.add_route(
            "SF1000000001",
            [
                ("54", "顺丰速运 已收取快件"),
                ("30", "快件完成分拣"),
                ("36", "快件离开中转场"),
                ("31", "快件到达 【深圳南山店】"),
                ("204", "快件派送途中"),
                ("80", "您的快件已签收"),
            ],
            start=start,
            step=hour,
        )
        sandbox.add_route(
            "SF1000000002",
            [("50", "顺丰已收取快件"), ("31", "快件到达"), ("44", "正在分配快递员")],
            start=start,
            step=hour,
            phone="1234",
        )
        return sandbox

    # ------------------------------------------------------------------ HTTP

    def respond(self, request: httpx.Request) -> httpx.Response:
        """Answer one gateway call (faults are handled by the base)."""
        if request.method != "POST":
            return httpx.Response(405, text="method not allowed", request=request)
        form = dict(parse_qsl(request.content.decode("utf-8"), keep_blank_values=True))
        code = self.take_vendor_error() or self._gateway_error(form)
        if code is not None:
            meaning = API_RESULT_CODES[code].meaning if code in API_RESULT_CODES else "error"
            return self._reply(request, code, meaning, None)
        self.request_ids.add(form["requestID"])
        try:
            msg = json.loads(form["msgData"])
        except json.JSONDecodeError:
            return self._reply(request, "A1000", "", _business_error("S0001", "msgData is not JSON"))
        return self._reply(request, "A1000", "", self._search_routes(msg))

    def _gateway_error(self, form: Mapping[str, str]) -> str | None:
        if any(not form.get(name) for name in _REQUIRED):
            return "A1001"
        if form["partnerID"] != self.partner_id:
            return "A1004"
        try:
            sent = int(form["timestamp"]) / 1000
        except ValueError:
            return "A1001"
        if abs(self.clock() - sent) > self.max_age_seconds:
            return "A1002"
        expected = msg_digest(form["msgData"], form["timestamp"], self.checkword, variant=self.digest_variant)
        if not hmac.compare_digest(expected.encode(), form["msgDigest"].encode()):
            return "A1006"
        if form["requestID"] in self.request_ids:
            return "A1007"
        if form["serviceCode"] != SEARCH_ROUTES:
            return "A1004"
        return None

    def _search_routes(self, msg: Mapping[str, Any]) -> dict[str, Any]:
        numbers = [str(n) for n in msg.get("trackingNumber") or ()]
        if not numbers or len(numbers) > MAX_NUMBERS_PER_QUERY:
            return _business_error("S0001", f"trackingNumber: 1..{MAX_NUMBERS_PER_QUERY} numbers")
        phone = str(msg.get("checkPhoneNo") or "")
        resps = []
        for number in numbers:
            guarded = self.phones.get(number)
            routes = self.routes.get(number, []) if guarded is None or guarded == phone else []
            resps.append({"mailNo": number, "routes": list(routes)})
        return {"success": True, "errorCode": "S0000", "errorMsg": None, "msgData": {"routeResps": resps}}

    @staticmethod
    def _reply(
        request: httpx.Request, code: str, message: str, data: Mapping[str, Any] | None
    ) -> httpx.Response:
        body = {
            "apiResultCode": code,
            "apiErrorMsg": message,
            "apiResponseID": uuid.uuid4().hex.upper(),
            "apiResultData": None if data is None else json.dumps(data, ensure_ascii=False),
        }
        return httpx.Response(200, json=body, headers={"X-Sandbox": "dmshub-sf"}, request=request)


def _business_error(code: str, message: str) -> dict[str, Any]:
    return {"success": False, "errorCode": code, "errorMsg": message, "msgData": None}
