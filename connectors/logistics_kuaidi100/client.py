"""The 快递100 client: real-time query and subscribe over the hub's HTTP client."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.carrier_status import KUAIDI100_STATE_NAMES, CarrierTable
from connectors.errors import FatalConnectorError
from connectors.http import HttpClientConfig, HubHttpClient, build_http_client
from connectors.logistics_kuaidi100.errors import (
    NO_RESULT,
    QUERY_RETURN_CODES,
    SUBSCRIBE_OK,
    SUBSCRIBE_RETURN_CODES,
    SYSTEM,
    Kuaidi100Rejected,
)
from connectors.logistics_kuaidi100.signing import dumps, query_sign
from connectors.logistics_kuaidi100.spec import Kuaidi100Config
from connectors.tracking import Track, TrackedWaybill, TrackEvent
from connectors.vendor_kit import parse_beijing, vendor_error

__all__ = ["QUERY_PATH", "SUBSCRIBE_PATH", "Kuaidi100Client", "SubscribeResult", "track_from_result"]

QUERY_PATH = "/poll/query.do"
SUBSCRIBE_PATH = "/poll"


@dataclass(frozen=True)
class SubscribeResult:
    """快递100's answer to a subscription (``duplicate``: it was already subscribed)."""

    return_code: str
    message: str

    @property
    def duplicate(self) -> bool:
        """True for 501 重复订阅: the waybill is tracked already."""
        return self.return_code == "501"


class Kuaidi100Client:
    """Real-time query and subscribe; raises the typed errors of :mod:`.errors`."""

    table: CarrierTable = "kuaidi100"

    def __init__(
        self,
        config: Kuaidi100Config,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self._key = config.key.get_secret_value()
        secrets = [self._key]
        if config.salt is not None:
            secrets.append(config.salt.get_secret_value())
        self._http: HubHttpClient = build_http_client(
            HttpClientConfig(
                system=SYSTEM,
                base_url=config.base_url,
                read_timeout=config.request_timeout,
                max_retries=config.max_retries,
                rate_limit_per_second=config.rate_limit_per_second,
                secrets=tuple(secrets),
                sleep=sleep,
            ),
            transport=transport,
        )

    def query(self, waybill: TrackedWaybill) -> dict[str, Any]:
        """The raw real-time query result for ``waybill`` (``{}`` when 快递100 has no result yet)."""
        param = dumps(
            {
                "com": waybill.company or "",
                "num": waybill.number,
                "phone": waybill.phone or "",
                "from": "",
                "to": "",
                "resultv2": self.config.resultv2,
                "show": "0",
                "order": "asc",
            }
        )
        form = {
            "customer": self.config.customer,
            "sign": query_sign(param, key=self._key, customer=self.config.customer),
            "param": param,
        }
        body = self._post(QUERY_PATH, form)
        code = str(body.get("returnCode") or "")
        if body.get("message") == "ok" and code in ("", "200"):
            return body
        if code == NO_RESULT:
            return {}
        raise vendor_error(
            QUERY_RETURN_CODES,
            code or "unknown",
            system=SYSTEM,
            fallback=Kuaidi100Rejected,
            detail=str(body.get("message") or ""),
        )

    def track(self, waybill: TrackedWaybill) -> Track:
        """The route of ``waybill`` as a :class:`Track`."""
        return track_from_result(waybill, self.query(waybill))

    def tracks(self, waybills: Sequence[TrackedWaybill]) -> Iterator[Track]:
        """One query per waybill (快递100's query takes one number)."""
        for waybill in waybills:
            yield self.track(waybill)

    def subscribe(
        self, waybill: TrackedWaybill, *, callback_url: str | None = None, salt: str | None = None
    ) -> SubscribeResult:
        """Subscribe ``waybill`` to pushes at ``callback_url`` (default: the config's).

        Subscribing again is harmless: 快递100 answers 501 (重复订阅), returned as a success.
        """
        url = callback_url or self.config.callback_url
        if not url:
            raise FatalConnectorError(f"{SYSTEM}: subscribing needs a callback_url", system=SYSTEM)
        if salt is None and self.config.salt is not None:
            salt = self.config.salt.get_secret_value()
        parameters: dict[str, str] = {"callbackurl": url, "resultv2": self.config.resultv2, "autoCom": "0"}
        if salt:
            parameters["salt"] = salt
        if waybill.phone:
            parameters["phone"] = waybill.phone
        param = dumps(
            {
                "company": waybill.company or "",
                "number": waybill.number,
                "from": "",
                "to": "",
                "key": self._key,
                "parameters": parameters,
            }
        )
        body = self._post(SUBSCRIBE_PATH, {"schema": "json", "param": param})
        code = str(body.get("returnCode") or "")
        if code in SUBSCRIBE_OK:
            return SubscribeResult(code, str(body.get("message") or ""))
        raise vendor_error(
            SUBSCRIBE_RETURN_CODES,
            code or "unknown",
            system=SYSTEM,
            fallback=Kuaidi100Rejected,
            detail=str(body.get("message") or ""),
        )

    def _post(self, path: str, form: Mapping[str, str]) -> dict[str, Any]:
        # Queries and subscriptions are safe to repeat (a second subscribe answers 501).
        response = self._http.request("POST", path, data=form, idempotent=True)
        try:
            body = json.loads(response.content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FatalConnectorError(
                f"{SYSTEM}: {path} answered with a body that is not JSON", system=SYSTEM
            ) from exc
        if not isinstance(body, dict):
            raise FatalConnectorError(f"{SYSTEM}: {path} answered with unexpected JSON", system=SYSTEM)
        return body

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()


def track_from_result(waybill: TrackedWaybill, result: Mapping[str, Any]) -> Track:
    """A query result (or a push's ``lastResult``) as a :class:`Track`."""
    events = []
    for item in result.get("data") or ():
        if not isinstance(item, Mapping):
            continue
        moment = parse_beijing(item.get("ftime") or item.get("time"))
        if moment is None:
            continue
        code = _event_code(item)
        events.append(
            TrackEvent(
                time=moment,
                code=code,
                description=str(item.get("context") or ""),
                location=(str(item["areaName"]) if item.get("areaName") else None),
            )
        )
    state = result.get("state")
    return Track(
        waybill=waybill,
        carrier_code=str(result.get("com") or waybill.company or ""),
        events=tuple(events),
        state=str(state) if state not in (None, "") else None,
    )


def _event_code(item: Mapping[str, Any]) -> str | None:
    # resultv2 gives each event a sub-state code; without it only the state's name is there.
    code = item.get("statusCode")
    if code not in (None, ""):
        return str(code)
    return KUAIDI100_STATE_NAMES.get(str(item.get("status") or "").strip())
