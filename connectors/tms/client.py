"""The TMS client: signed GETs over the hub's HTTP client, typed errors, paging."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx

from connectors.errors import FatalConnectorError
from connectors.http import HttpClientConfig, HubHttpClient, build_http_client
from connectors.tms.errors import ERROR_MAPPING, GATEWAY_ERRORS, SYSTEM, TmsRejected, TmsUnavailable
from connectors.tms.signing import sign_request
from connectors.tms.spec import TmsConfig
from connectors.vendor_kit import VendorPage, beijing_text, paginate, vendor_error

__all__ = ["POSITIONS_PATH", "WAYBILLS_PATH", "TmsClient"]

WAYBILLS_PATH = "/v1/tms/waybills"
POSITIONS_PATH = "/v1/tms/vehicle_positions"


class TmsClient:
    """Signed, paged reads of waybills and vehicle positions."""

    def __init__(
        self,
        config: TmsConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self._key = config.app_key.get_secret_value()
        self._secret = config.app_secret.get_secret_value()
        self._now = now
        self._http: HubHttpClient = build_http_client(
            HttpClientConfig(
                system=SYSTEM,
                base_url=config.base_url,
                read_timeout=config.request_timeout,
                max_retries=config.max_retries,
                rate_limit_per_second=config.rate_limit_per_second,
                error_mapping=ERROR_MAPPING,
                secrets=(self._key, self._secret),
                sleep=sleep,
            ),
            transport=transport,
        )
        self._root = httpx.URL(config.base_url).path.rstrip("/")

    def get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        """GET ``path`` signed; return the body's ``data`` (errors raise)."""
        query, headers = sign_request(
            self.config.gateway,
            "GET",
            self._root + path,
            params,
            key=self._key,
            secret=self._secret,
            now=self._now(),
        )
        response = self._http.request("GET", path, params=query, headers=headers)
        try:
            body = json.loads(response.content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FatalConnectorError(
                f"{SYSTEM}: {path} answered with a body that is not JSON", system=SYSTEM
            ) from exc
        if not isinstance(body, dict):
            raise FatalConnectorError(f"{SYSTEM}: {path} answered with unexpected JSON", system=SYSTEM)
        if body.get("code") not in (0, "0") or response.status_code >= 400:
            message = str(body.get("msg") or body.get("message") or "")
            server_side = str(body.get("code") or "").startswith("5") and response.status_code < 400
            raise vendor_error(
                GATEWAY_ERRORS,
                message.strip() or str(body.get("code")),
                system=SYSTEM,
                fallback=TmsUnavailable if server_side else TmsRejected,
                detail=f"{path} -> HTTP {response.status_code}, code {body.get('code')}",
                status_code=response.status_code,
            )
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    def page(self, path: str, *, since_param: str, since: datetime, page_no: int) -> VendorPage:
        """One page of ``path`` from ``since`` (inclusive)."""
        data = self.get(
            path,
            {
                since_param: beijing_text(since),
                "page_no": str(page_no),
                "page_size": str(self.config.page_size),
            },
        )
        rows = [dict(row) for row in data.get("list") or () if isinstance(row, dict)]
        try:
            total: int | None = int(data["total"])
        except (KeyError, TypeError, ValueError):
            total = None
        return VendorPage(rows, total)

    def pages(
        self, path: str, *, since_param: str, since: datetime
    ) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """Every page of ``path`` from ``since``."""
        return paginate(
            lambda n: self.page(path, since_param=since_param, since=since, page_no=n),
            page_size=self.config.page_size,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()
