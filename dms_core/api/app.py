"""The FastAPI application of the DMS core.

``create_app(engine)`` builds it; the composition root (``dmshub serve``) adds routers of
its own (e.g. webhooks) through ``extra_routers``. Nothing connects at import time.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI

from dms_core.api import routes_dealers, routes_pricing, routes_stock
from dms_core.api.errors import install_error_handlers

__all__ = ["create_app"]


def create_app(
    engine: sa.Engine, *, extra_routers: Sequence[APIRouter] = (), catalog_ttl: float = 60.0
) -> FastAPI:
    """The API on ``engine``: dealers, stock, pricing (+ ``extra_routers``)."""
    app = FastAPI(
        title="DMS Hub",
        version="0.1.0",
        description="Dealer-management API. Authenticate with `Authorization: Bearer <api key>`; "
        "a dealer key sees its own dealer and the dealers below it.",
    )
    app.state.engine = engine
    app.state.catalogs = routes_pricing.CatalogCache(ttl=catalog_ttl)
    install_error_handlers(app)
    for router in (routes_dealers.router, routes_stock.router, routes_pricing.router, *extra_routers):
        app.include_router(router)

    @app.get("/health", tags=["ops"], summary="Liveness and store reachability")
    def health() -> dict[str, str]:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return {"status": "ok"}

    return app
