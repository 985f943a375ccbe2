"""DMS Hub sandbox of the 法大大 FASC v5.1 API (token, sign-task create) — not 法大大's service.

It verifies every request as FASC does: the two-step HMAC over the ``X-FASC-*`` headers and
``bizContent``, the timestamp within ±5 minutes, no nonce twice; and it suffers the faults of
:class:`connectors.sandbox_kit.FakeApi`.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx

from connectors.esign_fadada.signing import SIGN_HEADER, sign
from connectors.sandbox_kit import FakeApi

__all__ = ["FascApiSandbox"]

_NAMES = ("X-FASC-App-Id", "X-FASC-Sign-Type", "X-FASC-Timestamp", "X-FASC-Nonce", "X-FASC-Api-SubVersion")
_OPTIONAL = ("X-FASC-AccessToken", "X-FASC-Grant-Type", "X-FASC-Request-Id")


class FascApiSandbox(FakeApi):
    """One FASC app: issues tokens and creates sign tasks."""

    def __init__(self, *, app_id: str, app_secret: str, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.app_id, self._secret, self._clock = app_id, app_secret, clock
        self._nonces: set[str] = set()
        self._tokens: set[str] = set()
        self.sign_tasks: dict[str, dict[str, Any]] = {}

    @staticmethod
    def _fail(code: str, msg: str) -> httpx.Response:
        return httpx.Response(200, json={"code": code, "msg": msg})

    def respond(self, request: httpx.Request) -> httpx.Response:
        """Verify the request, then serve it."""
        headers = {name: request.headers.get(name) for name in (*_NAMES, *_OPTIONAL)}
        form = parse_qs(request.content.decode(), keep_blank_values=True)
        biz = form["bizContent"][0] if form.get("bizContent") else None
        stamp = headers["X-FASC-Timestamp"] or ""
        expected = sign(self._secret, stamp, {**headers, "bizContent": biz})
        if headers["X-FASC-App-Id"] != self.app_id or not hmac.compare_digest(
            expected, request.headers.get(SIGN_HEADER, "")
        ):
            return self._fail("210001", "签名校验失败")
        if not stamp.isdigit() or abs(self._clock() - int(stamp) / 1000) > 300:
            return self._fail("210002", "时间戳已过期")
        nonce = headers["X-FASC-Nonce"] or ""
        if len(nonce) != 32 or nonce in self._nonces:
            return self._fail("210003", "nonce 重复")
        self._nonces.add(nonce)
        if request.url.path.endswith("/service/get-access-token"):
            token = secrets.token_hex(16)
            self._tokens.add(token)
            return httpx.Response(
                200, json={"code": "100000", "msg": "请求成功", "data": {"accessToken": token}}
            )
        if headers["X-FASC-AccessToken"] not in self._tokens:
            return self._fail("210004", "accessToken 无效")
        if request.url.path.endswith("/sign-task/create") and biz:
            task = json.loads(biz)
            task_id = f"ST{len(self.sign_tasks) + 1:010d}"
            self.sign_tasks[task_id] = task
            return httpx.Response(
                200, json={"code": "100000", "msg": "请求成功", "data": {"signTaskId": task_id}}
            )
        return httpx.Response(404, json={"code": "404", "msg": "not found"})
