"""Request-scoped dependencies: a database connection and the authenticated principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Header, Request

from dms_core.api.auth import Principal, authenticate
from dms_core.api.errors import ApiError

__all__ = ["Caller", "Conn", "get_conn", "get_principal", "require_dealer_access"]


def get_conn(request: Request) -> Iterator[sa.Connection]:
    """One connection (and transaction) per request; committed when the handler returns."""
    engine: sa.Engine = request.app.state.engine
    with engine.begin() as conn:
        yield conn


Conn = Annotated[sa.Connection, Depends(get_conn)]


def get_principal(
    conn: Conn,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal:
    """The caller, from ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``."""
    token = x_api_key
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value:
            raise ApiError(401, "unauthenticated", "use 'Authorization: Bearer <api key>'")
        token = value
    if not token:
        raise ApiError(401, "unauthenticated", "an API key is required (Authorization: Bearer <key>)")
    principal = authenticate(conn, token)
    if principal is None:
        raise ApiError(401, "unauthenticated", "unknown or revoked API key")
    return principal


Caller = Annotated[Principal, Depends(get_principal)]


def require_dealer_access(conn: sa.Connection, principal: Principal, dealer_code: str) -> None:
    """404 unless the principal may see ``dealer_code``.

    404 rather than 403: a dealer must not learn which codes exist outside its network.
    """
    if not principal.can_see(conn, dealer_code):
        raise ApiError(404, "not_found", f"dealer {dealer_code} not found")
