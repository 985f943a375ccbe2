"""A SANDBOX of 快递100's poll API: a stateful fake for tests and demos, not 快递100's service.

============================  ==============================================================
``POST /poll/query.do``       real-time query: checks ``customer`` and
                              ``sign = UPPER(MD5(param + key + customer))`` (503 if wrong),
                              answers the waybill's route (``order`` asc/desc) or 500 查询无结果
``POST /poll``                subscribe (``schema=json``, key inside ``param``): 200, 501 when
                              already subscribed, 600 for a wrong key, 701 without callbackurl
============================  ==============================================================

Errors come back the way 快递100 sends them: HTTP 200 with
``{"result": false, "returnCode": ..., "message": ...}``. :meth:`Kuaidi100Sandbox.push_form`
builds the form 快递100 would POST to a subscription's callback, signed with its salt.
Faults on demand: see :mod:`connectors.sandbox_kit`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx

from connectors.carrier_status import KUAIDI100_CODES
from connectors.logistics_kuaidi100.errors import QUERY_RETURN_CODES, SUBSCRIBE_RETURN_CODES
from connectors.logistics_kuaidi100.signing import dumps, push_sign, query_sign
from connectors.sandbox_kit import FakeApi
from connectors.vendor_kit import BEIJING

__all__ = ["SANDBOX_CUSTOMER", "SANDBOX_KEY", "Kuaidi100Sandbox", "SandboxTrack"]

SANDBOX_CUSTOMER = "SANDBOX0000CUSTOMER"
SANDBOX_KEY = "sandbox-kuaidi100-key"
_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass
class SandboxTrack:
    """One waybill's route in the sandbox (events as 快递100 stores them, oldest first)."""

    company: str
    number: str
    events: list[dict[str, str]] = field(default_factory=list)

    @property
    def state(self) -> str:
        """The top-level state of the newest event (0 在途 when there is none)."""
        if not self.events:
            return "0"
        code = self.events[-1]["statusCode"]
        entry = KUAIDI100_CODES.get(code)
        return entry.parent or code if entry is not None else "0"

    def result(self, *, order: str = "desc") -> dict[str, Any]:
        """The query / push ``lastResult`` body for this route."""
        data = list(self.events) if order == "asc" else list(reversed(self.events))
        return {
            "message": "ok",
            "nu": self.number,
            "ischeck": "1" if self.state == "3" else "0",
            "condition": "F00",
            "com": self.company,
            "status": "200",
            "state": self.state,
            "data": data,
        }


class Kuaidi100Sandbox(FakeApi):
    """The fake 快递100 (see the module docstring)."""

    NOTICE = "DMS Hub 快递100 sandbox: a fake of the poll API for tests and demos, not 快递100's service."

    def __init__(self, *, customer: str = SANDBOX_CUSTOMER, key: str = SANDBOX_KEY) -> None:
        super().__init__()
        self.customer = customer
        self.key = key
        self.tracks: dict[tuple[str, str], SandboxTrack] = {}
        self.subscriptions: dict[tuple[str, str], dict[str, str]] = {}

    # ------------------------------------------------------------------ data

    def add_event(
        self,
        company: str,
        number: str,
        *,
        at: datetime,
        code: str,
        context: str,
        area: str | None = None,
    ) -> None:
        """Append one route event (``code``: a 快递100 state or sub-state, kept as sent)."""
        track = self.tracks.setdefault((company, number), SandboxTrack(company, number))
        entry = KUAIDI100_CODES.get(code)
        parent = (entry.parent or code) if entry is not None else code
        name = KUAIDI100_CODES[parent].meaning if parent in KUAIDI100_CODES else ""
        stamp = at.astimezone(BEIJING).strftime(_FORMAT)
        track.events.append(
            {
                "time": stamp,
                "ftime": stamp,
                "context": context,
                "status": name,
                "statusCode": code,
                "areaCode": "",
                "areaName": area or "",
            }
        )
        track.events.sort(key=lambda e: e["ftime"])

    def add_route(
        self, company: str, number: str, route: Iterable[tuple[str, str]], *, start: datetime, step: timedelta
    ) -> None:
        """Append ``(code, context)`` events ``step`` apart from ``start``."""
        for i, (code, context) in enumerate(route):
            self.add_event(company, number, at=start + step * i, code=code, context=context, area="上海市")

    @classmethod
    def demo(
        cls, *, customer: str = SANDBOX_CUSTOMER, key: str = SANDBOX_KEY, start: datetime
    ) -> Kuaidi100Sandbox:
        """Three waybills: shunfeng delivered, yuantong out for delivery, zhongtong in transit."""
        sandbox = cls(customer=customer, key=key)
        hour = timedelta(hours=1)
        sandbox.add_route(
            "shunfeng",
            "SF1000000001",
            [
                ("103", "已揽收"),
                ("1002", "干线运输中"),
                ("1001", "到达派件城市"),
                ("5", "派件中"),
                ("301", "本人签收"),
            ],
            start=start,
            step=hour,
        )
        sandbox.add_route(
            "yuantong",
            "YT2000000002",
            [("103", "已揽收"), ("0", "运输中"), ("5", "派件中")],
            start=start,
            step=hour,
        )
        sandbox.add_route(
            "zhongtong", "ZT3000000003", [("1", "揽收"), ("0", "运输中")], start=start, step=hour
        )
        return sandbox

    def push_form(
        self, company: str, number: str, *, status: str = "polling", salt: str | None = None
    ) -> dict[str, str]:
        """The form 快递100 would POST to the callback of this waybill's subscription."""
        subscription = self.subscriptions.get((company, number), {})
        salt = salt if salt is not None else subscription.get("salt", "")
        track = self.tracks.get((company, number), SandboxTrack(company, number))
        param = dumps(
            {
                "status": status,
                "billstatus": "got",
                "message": "",
                "autoCheck": "0",
                "comOld": "",
                "comNew": "",
                "lastResult": track.result(order="desc"),
            }
        )
        return {"param": param, "sign": push_sign(param, salt=salt)}

    # ------------------------------------------------------------------ HTTP

    def respond(self, request: httpx.Request) -> httpx.Response:
        """Route one request (faults are handled by the base)."""
        if request.method != "POST":
            return httpx.Response(405, text="method not allowed", request=request)
        form = dict(parse_qsl(request.content.decode("utf-8"), keep_blank_values=True))
        path = request.url.path.rstrip("/")
        if path.endswith("/poll/query.do"):
            return self._reply(request, self._query(form))
        if path.endswith("/poll"):
            return self._reply(request, self._subscribe(form))
        return httpx.Response(404, text="not found", request=request)

    def _query(self, form: Mapping[str, str]) -> dict[str, Any]:
        if (code := self.take_vendor_error()) is not None:
            return _error(code, QUERY_RETURN_CODES[code].meaning if code in QUERY_RETURN_CODES else "error")
        param = form.get("param", "")
        if form.get("customer") != self.customer:
            return _error("400", "提交的数据不完整, 或者贵公司没授权")
        if form.get("sign", "") != query_sign(param, key=self.key, customer=self.customer):
            return _error("503", "验证签名失败")
        try:
            body = json.loads(param)
        except json.JSONDecodeError:
            return _error("400", "参数格式错误")
        track = self.tracks.get((str(body.get("com", "")), str(body.get("num", ""))))
        if track is None or not track.events:
            return _error("500", "查询无结果, 请隔段时间再查")
        return track.result(order=str(body.get("order") or "desc"))

    def _subscribe(self, form: Mapping[str, str]) -> dict[str, Any]:
        if (code := self.take_vendor_error()) is not None:
            meaning = SUBSCRIBE_RETURN_CODES[code].meaning if code in SUBSCRIBE_RETURN_CODES else "error"
            return _error(code, meaning)
        if form.get("schema") != "json":
            return _error("701", "schema must be json")
        try:
            body = json.loads(form.get("param", ""))
        except json.JSONDecodeError:
            return _error("701", "订阅数据错误")
        if body.get("key") != self.key:
            return _error("600", "您不是合法的订阅者")
        parameters = body.get("parameters") or {}
        number = str(body.get("number") or "")
        if not parameters.get("callbackurl") or not number or len(number) > 32:
            return _error("701", "订阅数据错误")
        key = (str(body.get("company") or ""), number)
        if key in self.subscriptions:
            return {"result": False, "returnCode": "501", "message": "重复订阅"}
        self.subscriptions[key] = {k: str(v) for k, v in parameters.items()}
        return {"result": True, "returnCode": "200", "message": "提交成功"}

    @staticmethod
    def _reply(request: httpx.Request, body: Mapping[str, Any]) -> httpx.Response:
        return httpx.Response(
            200, json=dict(body), headers={"X-Sandbox": "dmshub-kuaidi100"}, request=request
        )


def _error(code: str, message: str) -> dict[str, Any]:
    return {"result": False, "returnCode": code, "message": message}
