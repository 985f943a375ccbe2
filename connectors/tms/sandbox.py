"""A SANDBOX of a G7/易流-style TMS API: a stateful fake for tests and demos, not G7's or 易流's service.

=================================  ==============================================================
``GET /v1/tms/waybills``           ``update_time_from`` (inclusive), ``page_no``, ``page_size``;
                                   rows by (update_time, waybill_no)
``GET /v1/tms/vehicle_positions``  ``gps_time_from`` (inclusive), paged; rows by (gps_time, plate)
=================================  ==============================================================

Answers ``{"code": 0, "msg": "succ", "data": {"total", "page_no", "page_size", "list"}}``.
It verifies each request the way its ``gateway`` (e6 or g7) signs (see :mod:`connectors.tms.signing`):
a wrong signature → HTTP 401 ``auth failed:signature error``; a timestamp more than
``max_skew`` from the sandbox clock → 401 ``wrong timestamp``; an unknown key → 403
``no permission, api can't access``. Faults on demand: :mod:`connectors.sandbox_kit`
(``vendor_error_next`` takes one of those messages).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from connectors.sandbox_kit import FakeApi
from connectors.tms.signing import G7_TIMESTAMP_HEADER, Scheme, e6_sign, g7_signature, g7_string_to_sign
from connectors.vendor_kit import beijing_text, parse_beijing

__all__ = ["SANDBOX_KEY", "SANDBOX_SECRET", "TmsSandbox"]

SANDBOX_KEY = "sandbox-tms-key"
SANDBOX_SECRET = "sandbox-tms-secret"  # noqa: S105 - the sandbox's published demo secret
_STATUS_OF = {
    "auth failed:signature error": 401,
    "wrong timestamp": 401,
    "no permission, api can't access": 403,
}
Row = dict[str, Any]


class TmsSandbox(FakeApi):
    """The fake TMS (see the module docstring)."""

    NOTICE = "DMS Hub TMS sandbox: a fake G7/易流-style API for tests and demos, not a vendor's service."

    def __init__(
        self,
        *,
        app_key: str = SANDBOX_KEY,
        app_secret: str = SANDBOX_SECRET,
        gateway: Scheme = "e6",
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_skew: timedelta = timedelta(minutes=15),
        max_page_size: int = 200,
    ) -> None:
        super().__init__()
        self.app_key, self.app_secret = app_key, app_secret
        self.gateway: Scheme = gateway
        self.now = now
        self.max_skew = max_skew
        self.max_page_size = max_page_size
        self.waybills: dict[str, Row] = {}
        self.positions: list[Row] = []

    # ------------------------------------------------------------------ data

    def put_waybill(
        self,
        waybill_no: str,
        *,
        updated_at: datetime,
        status: str,
        shipment_no: str = "",
        eta: datetime | None = None,
        plate_num: str = "沪A12345",
        **fields: str,
    ) -> None:
        """Create or update a waybill (status codes: 10 created … 50 signed, 90 cancelled)."""
        row = self.waybills.setdefault(waybill_no, {"waybill_no": waybill_no})
        row.update(
            {
                "shipment_no": shipment_no or row.get("shipment_no", ""),
                "plate_num": plate_num,
                "status": status,
                "eta": beijing_text(eta) if eta else row.get("eta", ""),
                "update_time": beijing_text(updated_at),
                **fields,
            }
        )

    def add_position(
        self,
        plate_num: str,
        *,
        at: datetime,
        waybill_no: str,
        lat: float,
        lng: float,
        eta: datetime,
        km: float,
    ) -> None:
        """Record one GPS fix with the TMS's ETA for the waybill being carried."""
        shipment_no = self.waybills.get(waybill_no, {}).get("shipment_no", "")
        self.positions.append(
            {
                "plate_num": plate_num,
                "gps_time": beijing_text(at),
                "waybill_no": waybill_no,
                "shipment_no": shipment_no,
                "lat": lat,
                "lng": lng,
                "speed": 62.5,
                "address": "G2京沪高速",
                "remaining_km": km,
                "eta": beijing_text(eta),
            }
        )

    @classmethod
    def demo(cls, *, start: datetime, waybills: int = 7, **kwargs: Any) -> TmsSandbox:
        """``waybills`` waybills (pairs share an update time) and three GPS fixes per waybill."""
        sandbox = cls(**kwargs)
        for i in range(1, waybills + 1):
            updated = start + timedelta(minutes=10 * ((i + 1) // 2))
            eta = start + timedelta(hours=8 + i)
            sandbox.put_waybill(
                f"TMS{i:06d}",
                updated_at=updated,
                status="30" if i % 3 else "50",
                shipment_no=f"SH{i:06d}",
                eta=eta,
                plate_num=f"沪A{i:05d}",
                carrier_code="G7",
                origin_code="WH01",
                destination="杭州市",
                departed_at=beijing_text(start),
            )
            for n in range(3):
                sandbox.add_position(
                    f"沪A{i:05d}",
                    at=start + timedelta(minutes=30 * n + i),
                    waybill_no=f"TMS{i:06d}",
                    lat=31.2 + n / 10,
                    lng=121.4 - n / 10,
                    eta=eta - timedelta(minutes=5 * n),
                    km=180.0 - 60 * n,
                )
        return sandbox

    # ------------------------------------------------------------------ HTTP

    def respond(self, request: httpx.Request) -> httpx.Response:
        """Answer one GET (faults are handled by the base)."""
        if (message := self.take_vendor_error()) is not None:
            return _error(request, _STATUS_OF.get(message, 400), message)
        if request.method != "GET":
            return _error(request, 405, "method not allowed")
        params = dict(request.url.params)
        refusal = self._refusal(request, params)
        if refusal is not None:
            return _error(request, _STATUS_OF[refusal], refusal)
        path = request.url.path.rstrip("/")
        if path.endswith("/v1/tms/waybills"):
            rows = sorted(self.waybills.values(), key=lambda r: (r["update_time"], r["waybill_no"]))
            return self._listing(request, params, rows, "update_time_from", "update_time")
        if path.endswith("/v1/tms/vehicle_positions"):
            rows = sorted(self.positions, key=lambda r: (r["gps_time"], r["plate_num"]))
            return self._listing(request, params, rows, "gps_time_from", "gps_time")
        return _error(request, 404, "api not found")

    def _refusal(self, request: httpx.Request, params: Mapping[str, str]) -> str | None:
        if self.gateway == "e6":
            if params.get("appkey") != self.app_key:
                return "no permission, api can't access"
            try:
                sent = parse_beijing(params.get("timestamp"))
            except ValueError:
                sent = None
            if sent is None or abs(sent - self.now()) > self.max_skew:
                return "wrong timestamp"
            expected = e6_sign(params, self.app_secret)
            given = params.get("sign", "")
        else:
            scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
            key, _, given = credential.partition(":")
            if scheme != "g7ac" or key != self.app_key:
                return "no permission, api can't access"
            stamp = request.headers.get(G7_TIMESTAMP_HEADER, "")
            if (
                not stamp.isdigit()
                or abs(int(stamp) / 1000 - self.now().timestamp()) > self.max_skew.total_seconds()
            ):
                return "wrong timestamp"
            expected = g7_signature(
                g7_string_to_sign("GET", request.url.path, params, stamp), self.app_secret
            )
        if not hmac.compare_digest(expected.encode(), given.encode()):
            return "auth failed:signature error"
        return None

    def _listing(
        self, request: httpx.Request, params: Mapping[str, str], rows: list[Row], since_param: str, field: str
    ) -> httpx.Response:
        try:
            since = parse_beijing(params.get(since_param))
            page_no = max(1, int(params.get("page_no") or 1))
            size = min(self.max_page_size, max(1, int(params.get("page_size") or 20)))
        except ValueError:
            return _error(request, 400, "invalid parameter")
        kept = [dict(r) for r in rows if since is None or (parse_beijing(r[field]) or since) >= since]
        data = {
            "total": len(kept),
            "page_no": page_no,
            "page_size": size,
            "list": kept[(page_no - 1) * size : page_no * size],
        }
        body = {"code": 0, "msg": "succ", "sub_code": 0, "sub_msg": "success", "data": data}
        return httpx.Response(200, json=body, headers={"X-Sandbox": "dmshub-tms"}, request=request)


def _error(request: httpx.Request, status: int, message: str) -> httpx.Response:
    body = {"code": status, "msg": message, "sub_code": status, "sub_msg": message, "data": None}
    return httpx.Response(status, json=body, headers={"X-Sandbox": "dmshub-tms"}, request=request)
