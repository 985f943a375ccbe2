"""The FastAPI application of the DMS core.

``create_app(engine)`` builds it; the composition root (``dmshub serve``) adds routers of
its own (e.g. webhooks) through ``extra_routers``. Nothing connects at import time.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI

from dms_core.api import (
    routes_alerts,
    routes_channel,
    routes_dealers,
    routes_orders,
    routes_pricing,
    routes_scans,
    routes_stock,
)
from dms_core.api.errors import install_error_handlers
from dms_core.ordering import OrderingSettings

__all__ = ["create_app"]


def create_app(
    engine: sa.Engine,
    *,
    extra_routers: Sequence[APIRouter] = (),
    catalog_ttl: float = 60.0,
    ordering_settings: OrderingSettings | None = None,
) -> FastAPI:
    """The API on ``engine``: dealers, stock, pricing, orders (+ ``extra_routers``).

    ``ordering_settings`` is built once per app when not given: it caches the catalogs.
    """
    app = FastAPI(
        title="DMS Hub",
        version="0.1.0",
        description="Dealer-management API. Authenticate with `Authorization: Bearer <api key>`; "
        "a dealer key sees its own dealer and the dealers below it.",
    )
    app.state.engine = engine
    app.state.catalogs = routes_pricing.CatalogCache(ttl=catalog_ttl)
    app.state.ordering_settings = ordering_settings or OrderingSettings()
    install_error_handlers(app)
    for router in (
        routes_dealers.router,
        routes_stock.router,
        routes_pricing.router,
        routes_orders.router,
        routes_scans.router,
        routes_alerts.router,
        routes_channel.router,
        *extra_routers,
    ):
        app.include_router(router)

    @app.get("/health", tags=["ops"], summary="Liveness and store reachability")
    def health() -> dict[str, str]:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return {"status": "ok"}

    return app
