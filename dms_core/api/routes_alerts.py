"""Channel alerts over HTTP: ``GET /alerts`` (filters: kind, status, dealer, since) and
``POST /alerts/{id}/resolve`` / ``/dismiss``.

A dealer key sees the alerts of its own subtree only (alerts with no dealer — counterfeits —
are the brand's); an alert outside it is a 404, as for orders. Resolving or dismissing is a
brand decision: a dealer key gets 403. Closing an alert unfreezes its dealer when no other
open alert holds it frozen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from canonical_model.tables import ALERT_KINDS, ALERT_STATUSES, channel_alerts
from dms_core.api.auth import Principal
from dms_core.api.deps import Caller, Conn
from dms_core.api.errors import ApiError
from dms_core.tracing import dismiss_alert, list_alerts, resolve_alert

__all__ = ["router"]

router = APIRouter(prefix="/alerts", tags=["tracing"])

AlertId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^\x00]+$")]
_KIND = "^(" + "|".join(ALERT_KINDS) + ")$"
_STATUS = "^(" + "|".join(ALERT_STATUSES) + ")$"


class CloseIn(BaseModel):
    note: str | None = Field(default=None, max_length=500, pattern=r"^[^\x00]*$")


def _visible(conn: sa.Connection, caller: Principal, alert_id: str) -> Any:
    row = conn.execute(sa.select(channel_alerts).where(channel_alerts.c.alert_id == alert_id)).first()
    if row is None or not (caller.is_brand or (row.dealer_code and caller.can_see(conn, row.dealer_code))):
        raise ApiError(404, "not_found", f"alert {alert_id} not found")
    return row


@router.get("", summary="Alerts, newest first (a dealer key: its subtree's only)")
def get_alerts(
    conn: Conn,
    caller: Caller,
    kind: Annotated[str | None, Query(pattern=_KIND)] = None,
    status: Annotated[str | None, Query(pattern=_STATUS)] = None,
    dealer: Annotated[str | None, Query(max_length=32, pattern=r"^[^\x00]+$")] = None,
    since: Annotated[datetime | None, Query(description="Raised at or after (with offset)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    if since is not None and since.tzinfo is None:
        raise ApiError(422, "invalid_request", "since: needs a time-zone offset")
    alerts = list_alerts(
        conn,
        kind=kind,
        status=status,
        dealer_code=dealer,
        since=since,
        visible_dealers=caller.visible_dealers(),
        limit=limit,
    )
    return {"count": len(alerts), "alerts": alerts}


@router.get("/{alert_id}", summary="One alert with its evidence chain")
def get_alert(alert_id: AlertId, conn: Conn, caller: Caller) -> dict[str, Any]:
    _visible(conn, caller, alert_id)
    return list_alerts(conn, alert_id=alert_id)[0]


def _close(conn: sa.Connection, caller: Principal, alert_id: str, body: CloseIn | None, dismiss: bool) -> Any:
    _visible(conn, caller, alert_id)
    if not caller.is_brand:
        raise ApiError(403, "forbidden", "resolving an alert needs a brand role")
    close = dismiss_alert if dismiss else resolve_alert
    return close(conn, alert_id, by=f"api:{caller.key_id}", note=body.note if body else None)


@router.post("/{alert_id}/resolve", summary="Close an alert as handled (brand roles only)")
def post_resolve(
    alert_id: AlertId, conn: Conn, caller: Caller, body: CloseIn | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = _close(conn, caller, alert_id, body, dismiss=False)
    return result


@router.post("/{alert_id}/dismiss", summary="Close an alert as a false alarm (brand roles only)")
def post_dismiss(
    alert_id: AlertId, conn: Conn, caller: Caller, body: CloseIn | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = _close(conn, caller, alert_id, body, dismiss=True)
    return result
