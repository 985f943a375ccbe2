"""Failing remotes: throttling, 5xx, timeouts, dropped connections, refused credentials, leaks."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from canonical_model.errors import HubError
from connectors.errors import AuthenticationError, RemoteRejected, RetriableConnectorError
from connectors.rest.sandbox import Sandbox, sandbox_transport
from connectors.rest.source import RestSource
from connectors.runner import run_source_cli
from tests.connectors.conftest import SleepRecorder
from tests.connectors.rest.helpers import TOKEN, config, keys_of, only, source, stream

WRONG = "wrong-" + TOKEN  # a canary too: a refused token must not leak either


def _products(sandbox: Sandbox, sleeps: SleepRecorder, **options: Any) -> Any:
    return only(source(sandbox, sleeps), config(stream("products", "offset", page_size=20), **options))


def test_429_with_retry_after_waits_as_asked_then_reads_everything(
    sandbox: Sandbox, sleeps: SleepRecorder
) -> None:
    sandbox.fail_next(2, status=429, retry_after=7)
    products = _products(sandbox, sleeps)
    assert len(keys_of(products.read_batches(), products)) == 48
    assert sleeps.calls == [7.0, 7.0]
    assert [entry.status for entry in sandbox.requests[:3]] == [429, 429, 200]


def test_5xx_is_retried_with_backoff_then_succeeds(sandbox: Sandbox, sleeps: SleepRecorder) -> None:
    sandbox.fail_next(3, status=503)
    products = _products(sandbox, sleeps)
    assert len(keys_of(products.read_batches(), products)) == 48
    assert len(sleeps.calls) == 3 and all(0 <= wait <= 30 for wait in sleeps.calls)


def test_timeouts_become_a_retriable_error_after_the_configured_retries(
    sandbox: Sandbox, sleeps: SleepRecorder
) -> None:
    sandbox.hang_next(10)
    products = _products(sandbox, sleeps, timeout_seconds=0.05, max_retries=2)
    with pytest.raises(RetriableConnectorError, match="ReadTimeout") as caught:
        list(products.read_batches())
    assert caught.value.retriable
    assert [entry.fault for entry in sandbox.requests] == ["delay"] * 3  # 1 try + 2 retries
    assert len(sleeps.calls) == 2


def test_a_connection_dropped_mid_response_is_retried(sandbox: Sandbox, sleeps: SleepRecorder) -> None:
    sandbox.reset_next(1)
    products = _products(sandbox, sleeps)
    assert len(keys_of(products.read_batches(), products)) == 48
    assert sandbox.requests[0].fault == "reset" and len(sleeps.calls) == 1


def test_connections_that_keep_dropping_end_in_a_retriable_error(
    sandbox: Sandbox, sleeps: SleepRecorder
) -> None:
    sandbox.reset_next(5)
    products = _products(sandbox, sleeps, max_retries=1)
    with pytest.raises(RetriableConnectorError, match="RemoteProtocolError"):
        list(products.read_batches())


def test_a_slow_answer_within_the_timeout_is_simply_waited_for(
    sandbox: Sandbox, sleeps: SleepRecorder
) -> None:
    sandbox.slow_next(1, seconds=0.01)
    products = _products(sandbox, sleeps)
    assert len(keys_of(products.read_batches(), products)) == 48
    assert sleeps.calls == []


def test_a_refused_token_fails_check_in_one_line_without_the_token(sandbox: Sandbox) -> None:
    ok, message = source(sandbox).check_connection(logging.getLogger("test"), config(token=WRONG))
    assert not ok and message is not None
    assert "HTTP 401" in message and "\n" not in message
    assert WRONG not in message and TOKEN not in message


def test_a_401_during_a_read_is_an_authentication_error_and_is_not_retried(
    sandbox: Sandbox, sleeps: SleepRecorder
) -> None:
    products = only(source(sandbox, sleeps), config(stream("products", "cursor"), token=WRONG))
    with pytest.raises(AuthenticationError):
        list(products.read_batches())
    assert len(sandbox.requests) == 1 and sleeps.calls == []


def test_a_403_is_an_authentication_error_too(sandbox: Sandbox, sleeps: SleepRecorder) -> None:
    sandbox.fail_next(1, status=403)
    with pytest.raises(AuthenticationError, match="HTTP 403"):
        list(_products(sandbox, sleeps).read_batches())


def test_an_error_code_inside_a_200_body_is_rejected_with_its_message() -> None:
    async def busy(request: Request) -> JSONResponse:
        return JSONResponse({"code": 50001, "msg": "数据库繁忙，请稍后", "data": None})

    app = Starlette(routes=[Route("/items", busy)])
    cfg = {
        **config({"name": "items", "path": "/items", "primary_key": ["id"], "records_path": "data"}),
        "response_code": {"path": "code", "success": ["0"], "message_path": "msg"},
    }
    items = only(RestSource(transport=sandbox_transport(app)), cfg)
    with pytest.raises(RemoteRejected, match=r"code 50001: 数据库繁忙，请稍后"):
        list(items.read_batches())


@pytest.mark.parametrize(
    ("auth", "accepted"),
    [
        ({"type": "api_key", "header": "X-Api-Token", "value": TOKEN}, True),
        ({"type": "basic", "username": "hub", "password": TOKEN}, True),
        ({"type": "basic", "username": "hub", "password": WRONG}, False),
        ({"type": "none"}, False),
    ],
)
def test_api_key_and_basic_credentials_reach_the_api(auth: dict[str, Any], accepted: bool) -> None:
    sandbox = Sandbox(token=None, api_key=TOKEN, api_key_header="X-Api-Token", basic=("hub", TOKEN))
    ok, message = source(sandbox).check_connection(logging.getLogger("test"), {**config(), "auth": auth})
    assert ok is accepted
    assert TOKEN not in (message or "") and WRONG not in (message or "")


def test_the_rate_limit_spaces_requests_out(sandbox: Sandbox, sleeps: SleepRecorder) -> None:
    products = only(
        source(sandbox, sleeps), config(stream("products", "cursor", page_size=10), requests_per_second=2)
    )
    list(products.read_batches())
    assert len(sandbox.requests) == 5
    assert len(sleeps.calls) == 4 and all(wait > 0 for wait in sleeps.calls)  # nobody really waited


def _airbyte(sandbox: Sandbox, tmp_path: Path, *argv: str) -> str:
    out = io.StringIO()
    run_source_cli(lambda: source(sandbox, lambda _seconds: None), list(argv), stdout=out)
    return out.getvalue()


def test_the_canary_token_never_appears_in_errors_logs_or_airbyte_messages(
    sandbox: Sandbox, sleeps: SleepRecorder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(config(stream("stock", "link", page_size=50))))
    bad.write_text(json.dumps(config(stream("stock", "link"), token=WRONG)))
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        json.dumps(
            {
                "streams": [
                    {
                        "stream": {
                            "name": "stock",
                            "json_schema": {},
                            "supported_sync_modes": ["incremental"],
                        },
                        "sync_mode": "incremental",
                        "destination_sync_mode": "append_dedup",
                        "cursor_field": ["lastModified"],
                    }
                ]
            }
        )
    )
    with caplog.at_level(logging.DEBUG):
        sandbox.fail_next(1, status=429, retry_after=1)
        sandbox.reset_next(1)
        sandbox.fail_next(1, status=502)
        read = _airbyte(sandbox, tmp_path, "read", "--config", str(good), "--catalog", str(catalog))
        assert '"type": "RECORD"' in read or '"type":"RECORD"' in read
        seen += [
            read,
            _airbyte(sandbox, tmp_path, "check", "--config", str(good)),
            _airbyte(sandbox, tmp_path, "check", "--config", str(bad)),
            _airbyte(sandbox, tmp_path, "read", "--config", str(bad), "--catalog", str(catalog)),
        ]
        sandbox.hang_next(2)  # both tries of the first config below
        for cfg in (config(timeout_seconds=0.02, max_retries=1), config(token=WRONG)):
            try:
                list(only_products(source(sandbox, sleeps), cfg).read_batches())
            except HubError as exc:
                seen.append(f"{exc!s} {exc!r}")
    seen.append(caplog.text)
    assert any("HTTP 401" in text for text in seen) and any("ReadTimeout" in text for text in seen)
    for text in seen:
        assert TOKEN not in text and WRONG not in text


def only_products(src: RestSource, cfg: dict[str, Any]) -> Any:
    return {s.name: s for s in src.hub_streams(src.parse_config(cfg))}["products"]
