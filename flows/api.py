"""The hub's HTTP service, composed: the DMS core API plus the routers the hub adds around it."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI

__all__ = ["build_app", "extra_routers"]


def extra_routers() -> list[APIRouter]:
    """Routers that need more than the DMS core (webhooks need connectors' verifiers)."""
    return []


def build_app(engine: sa.Engine) -> FastAPI:
    """The app ``dmshub serve`` runs."""
    from dms_core.api import create_app

    return create_app(engine, extra_routers=extra_routers())
