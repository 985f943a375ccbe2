"""The 丰桥 client: ``EXP_RECE_SEARCH_ROUTES`` over the hub's HTTP client."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import groupby
from typing import Any

import httpx

from connectors.carrier_status import CARRIER_SF, CarrierTable
from connectors.errors import FatalConnectorError
from connectors.http import HttpClientConfig, HubHttpClient, build_http_client
from connectors.logistics_sf.errors import (
    API_OK,
    API_RESULT_CODES,
    BUSINESS_OK,
    SYSTEM,
    SfDuplicateRequest,
    SfRejected,
)
from connectors.logistics_sf.signing import msg_digest
from connectors.logistics_sf.spec import SfConfig
from connectors.tracking import Track, TrackedWaybill, TrackEvent
from connectors.vendor_kit import parse_beijing, vendor_error

__all__ = ["MAX_NUMBERS_PER_QUERY", "SEARCH_ROUTES", "SfClient"]

SEARCH_ROUTES = "EXP_RECE_SEARCH_ROUTES"
MAX_NUMBERS_PER_QUERY = 10


class SfClient:
    """Route queries, 10 waybills per call; raises the typed errors of :mod:`.errors`."""

    table: CarrierTable = "sf"

    def __init__(
        self,
        config: SfConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        new_request_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.config = config
        self._checkword = config.checkword.get_secret_value()
        self._clock = clock
        self._new_request_id = new_request_id
        self._http: HubHttpClient = build_http_client(
            HttpClientConfig(
                system=SYSTEM,
                base_url=config.base_url,
                read_timeout=config.request_timeout,
                max_retries=config.max_retries,
                rate_limit_per_second=config.rate_limit_per_second,
                secrets=(self._checkword,),
                sleep=sleep,
            ),
            transport=transport,
        )

    def call(self, service_code: str, msg_data: Mapping[str, Any]) -> dict[str, Any]:
        """Call ``service_code``; return its ``msgData`` (business errors raise)."""
        text = json.dumps(msg_data, ensure_ascii=False, separators=(",", ":"))
        try:
            body = self._send(service_code, text)
        except SfDuplicateRequest:
            # A retried send reused its requestID after the first one did reach 丰桥: the
            # query is read-only, so ask once more under a fresh ID.
            body = self._send(service_code, text)
        result = body.get("msgData")
        return result if isinstance(result, dict) else {}

    def search_routes(
        self, numbers: Sequence[str], *, phone: str | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        """Mail number → its routes (oldest first as 丰桥 sends them) for up to 10 numbers."""
        if not 1 <= len(numbers) <= MAX_NUMBERS_PER_QUERY:
            raise ValueError(f"search_routes takes 1..{MAX_NUMBERS_PER_QUERY} numbers")
        msg: dict[str, Any] = {
            "language": self.config.language,
            "trackingType": "1",
            "trackingNumber": list(numbers),
            "methodType": "1",
        }
        if phone:
            msg["checkPhoneNo"] = phone
        data = self.call(SEARCH_ROUTES, msg)
        found: dict[str, list[dict[str, Any]]] = {}
        for resp in data.get("routeResps") or ():
            if isinstance(resp, Mapping) and resp.get("mailNo"):
                found[str(resp["mailNo"])] = [
                    dict(r) for r in resp.get("routes") or () if isinstance(r, Mapping)
                ]
        return found

    def tracks(self, waybills: Sequence[TrackedWaybill]) -> Iterator[Track]:
        """Tracks of ``waybills``, queried in groups of 10 sharing a phone check."""
        by_phone = sorted(waybills, key=lambda w: w.phone or "")
        for phone, group in groupby(by_phone, key=lambda w: w.phone or ""):
            batch = list(group)
            for start in range(0, len(batch), MAX_NUMBERS_PER_QUERY):
                chunk = batch[start : start + MAX_NUMBERS_PER_QUERY]
                routes = self.search_routes([w.number for w in chunk], phone=phone or None)
                for waybill in chunk:
                    yield Track(waybill, CARRIER_SF, tuple(_events(routes.get(waybill.number, []))))

    def _send(self, service_code: str, msg_data: str) -> dict[str, Any]:
        timestamp = str(int(self._clock() * 1000))
        form = {
            "partnerID": self.config.partner_id,
            "requestID": self._new_request_id(),
            "serviceCode": service_code,
            "timestamp": timestamp,
            "msgDigest": msg_digest(msg_data, timestamp, self._checkword, variant=self.config.digest_variant),
            "msgData": msg_data,
        }
        response = self._http.request("POST", "", data=form, idempotent=True)
        envelope = _json(response.content, "response")
        code = str(envelope.get("apiResultCode") or "")
        if code != API_OK:
            raise vendor_error(
                API_RESULT_CODES,
                code or "unknown",
                system=SYSTEM,
                fallback=SfRejected,
                detail=str(envelope.get("apiErrorMsg") or ""),
            )
        raw = envelope.get("apiResultData")
        body = _json(raw.encode("utf-8") if isinstance(raw, str) else b"", "apiResultData")
        if body.get("success") is not True or str(body.get("errorCode") or BUSINESS_OK) != BUSINESS_OK:
            # 丰桥's business error codes are not published as a list: keep the code, refuse.
            raise vendor_error(
                {},
                str(body.get("errorCode") or "unknown"),
                system=SYSTEM,
                fallback=SfRejected,
                detail=str(body.get("errorMsg") or ""),
            )
        return body

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()


def _json(content: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FatalConnectorError(f"{SYSTEM}: the {what} is not JSON", system=SYSTEM) from exc
    if not isinstance(value, dict):
        raise FatalConnectorError(f"{SYSTEM}: the {what} is not a JSON object", system=SYSTEM)
    return value


def _events(routes: Sequence[Mapping[str, Any]]) -> Iterator[TrackEvent]:
    for route in routes:
        moment = parse_beijing(route.get("acceptTime"))
        if moment is None:
            continue
        code = route.get("opCode")
        yield TrackEvent(
            time=moment,
            code=str(code) if code not in (None, "") else None,
            description=str(route.get("remark") or ""),
            location=str(route["acceptAddress"]) if route.get("acceptAddress") else None,
        )
