"""DMS Hub sandbox of 法大大 FASC v5.1 callbacks: signs them like FASC, for tests and demos.

Not 法大大's service. The app secret is generated at test time (:func:`new_app_secret`); the
sandbox can replay a callback (same content, fresh nonce and timestamp, as FASC's retries
do), deliver out of order and corrupt one.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from connectors.esign_fadada.signing import fasc_headers

__all__ = ["FascCallback", "FascCallbackSandbox", "new_app_secret"]

NOTICE = "DMS Hub sandbox: a fake of 法大大 FASC callbacks for tests and demos, not 法大大's service."

_EVENT_OF_STATUS = {
    "sign_progress": "sign-task-start",
    "sign_completed": "sign-task-signed",
    "task_finished": "sign-task-finished",
    "sign_rejected": "sign-task-sign-rejected",
    "task_terminated": "sign-task-canceled",
    "expired": "sign-task-expire",
}


def new_app_secret() -> str:
    """A fresh app secret (32 random hex characters)."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class FascCallback:
    """One HTTP delivery: the form body, its headers, and the event and bizContent it carries."""

    body: bytes
    headers: dict[str, str]
    event: str
    biz_content: str


@dataclass
class FascCallbackSandbox:
    """Builds and signs sign-task callbacks for one FASC app."""

    app_id: str
    app_secret: str
    sent: list[FascCallback] = field(default_factory=list)

    def task_event(
        self,
        sign_task_id: str,
        status: str,
        *,
        dealer_code: str,
        contract_no: str,
        event_time_ms: int | None = None,
        timestamp_ms: int | None = None,
    ) -> FascCallback:
        """A signed callback reporting ``signTaskStatus = status`` for our contract."""
        at = event_time_ms if event_time_ms is not None else int(time.time() * 1000)
        biz: dict[str, Any] = {
            "signTaskId": sign_task_id,
            "signTaskStatus": status,
            "transReferenceId": f"{dealer_code}:{contract_no}",
            "eventTime": str(at),
        }
        return self.callback(_EVENT_OF_STATUS.get(status, "sign-task-start"), json.dumps(biz), timestamp_ms)

    def callback(self, event: str, biz_content: str, timestamp_ms: int | None = None) -> FascCallback:
        """``biz_content`` as the form field, signed with the X-FASC-* headers for ``event``."""
        stamp = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
        headers = fasc_headers(
            self.app_id, self.app_secret, biz_content, timestamp_ms=stamp, extra={"X-FASC-Event": event}
        )
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        delivery = FascCallback(urlencode({"bizContent": biz_content}).encode(), headers, event, biz_content)
        self.sent.append(delivery)
        return delivery

    def replay(self, index: int = -1) -> FascCallback:
        """An earlier callback re-sent: same content, fresh nonce, timestamp and signature."""
        earlier = self.sent[index]
        return self.callback(earlier.event, earlier.biz_content)

    @staticmethod
    def corrupt(delivery: FascCallback) -> FascCallback:
        """The same headers over a changed ``bizContent`` (a tampered delivery)."""
        biz = delivery.biz_content.replace("sign_progress", "task_finished") + " "
        return FascCallback(
            urlencode({"bizContent": biz}).encode(), dict(delivery.headers), delivery.event, biz
        )

    @staticmethod
    def reorder(deliveries: Sequence[FascCallback]) -> list[FascCallback]:
        """``deliveries`` last first (out-of-order delivery)."""
        return list(reversed(deliveries))
