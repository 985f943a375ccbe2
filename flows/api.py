"""The hub's HTTP service, composed: the DMS core API plus the routers the hub adds around it."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from fastapi import FastAPI

from connectors.webhook import WebhookReceiver
from dms_core.ordering import OrderingSettings

__all__ = ["build_app"]


def build_app(
    engine: sa.Engine,
    *,
    receivers: Mapping[str, WebhookReceiver] | None = None,
    ordering_settings: OrderingSettings | None = None,
) -> FastAPI:
    """The app ``dmshub serve`` runs: the DMS API, and ``/webhooks/{name}`` for ``receivers``."""
    from dms_core.api import create_app
    from flows.webhooks import webhook_router

    return create_app(
        engine, extra_routers=[webhook_router(receivers or {}, engine)], ordering_settings=ordering_settings
    )
