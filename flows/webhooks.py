"""``POST /webhooks/{name}``: verify, store in the inbox once, acknowledge — nothing more.

Business processing happens later in :func:`flows.inbox.process_inbox`, so the provider
gets its answer in milliseconds (WeChat Pay gives up after 5 s) and a crash after the ack
loses nothing: the verified delivery is already in the inbox. A delivery whose event id
is already there is acknowledged again (so the provider stops resending) and not stored
twice. Rejections answer in the provider's own failure format and are logged without
secrets or bodies.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from canonical_model.errors import ConfigError
from canonical_model.tables import inbox, utcnow
from connectors.webhook import MAX_BODY_BYTES, InboundEvent, WebhookReceiver, WebhookRejected
from flows.sync.config import load_config

__all__ = ["load_receivers", "store_event", "webhook_router"]

log = logging.getLogger("dmshub.webhooks")

# Credentials of the sender's infrastructure, never useful for processing.
_DROPPED_HEADERS = {"authorization", "cookie", "proxy-authorization"}


def load_receivers(path: Path | str) -> dict[str, WebhookReceiver]:
    """Receivers from a YAML/JSON file: ``{endpoint: {connector: NAME, config: {...}}}``.

    ``config`` may use ``$env``/``$secret`` references; the endpoint name is the URL part
    (``/webhooks/<endpoint>``) and defaults the connector name.
    """
    from connectors.registry import get_connector

    receivers: dict[str, WebhookReceiver] = {}
    for endpoint, entry in load_config(path).items():
        if not isinstance(entry, Mapping):
            raise ConfigError(f"webhooks file {path}: {endpoint!r} must map to {{connector, config}}")
        connector = str(entry.get("connector", endpoint))
        descriptor = get_connector(connector)
        if descriptor.kind != "webhook":
            raise ConfigError(f"connector {connector!r} is a {descriptor.kind}, not a webhook receiver")
        receiver = descriptor.load_factory()(dict(entry.get("config") or {}), name=endpoint)
        if not isinstance(receiver, WebhookReceiver):
            raise ConfigError(f"connector {connector!r}: its factory did not return a webhook receiver")
        receivers[endpoint] = receiver
    return receivers


def store_event(
    engine: sa.Engine, name: str, event: InboundEvent, headers: Mapping[str, str], body: bytes
) -> bool:
    """Insert the verified delivery; False if its event id was already in the inbox."""
    row: dict[str, Any] = {
        "connector": name,
        "event_id": event.event_id,
        "event_type": event.event_type,
        "received_at": utcnow(),
        "headers": {k.lower(): v for k, v in headers.items() if k.lower() not in _DROPPED_HEADERS},
        "body": body.decode("utf-8", errors="surrogateescape"),
        "status": "received",
    }
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        statement = (
            insert(inbox).values(**row).on_conflict_do_nothing(index_elements=["connector", "event_id"])
        )
        # RETURNING, not rowcount: the driver's rowcount for this statement is not reliable.
        return conn.execute(statement.returning(inbox.c.event_id)).first() is not None


def webhook_router(receivers: Mapping[str, WebhookReceiver], engine: sa.Engine) -> APIRouter:
    """The webhook endpoints for ``receivers``."""
    router = APIRouter(tags=["webhooks"])

    @router.post(
        "/webhooks/{name}",
        summary="Receive a provider's signed callback",
        description="Verifies the signature and timestamp with the provider's scheme, stores the delivery "
        "in the inbox once per event id, and answers in the provider's format. Processing is asynchronous.",
        responses={
            401: {"description": "bad signature or stale timestamp"},
            404: {"description": "no such webhook"},
            413: {"description": "body too large"},
        },
    )
    async def receive(name: str, request: Request) -> Response:
        receiver = receivers.get(name)
        if receiver is None:
            return Response(
                b'{"code":"not_found","message":"no such webhook"}', 404, media_type="application/json"
            )
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return Response(b"body too large", 413)
        body = await request.body()
        headers = dict(request.headers)
        try:
            event = receiver.verify(headers, body, now=utcnow())
        except WebhookRejected as exc:
            log.warning("webhook %s rejected (%s): %s", name, exc.status, exc)
            return Response(exc.reply.body, exc.reply.status, media_type=exc.reply.media_type)
        stored = await run_in_threadpool(store_event, engine, name, event, headers, body)
        ack = receiver.ack(event, duplicate=not stored)
        return Response(ack.body, ack.status, media_type=ack.media_type)

    return router
