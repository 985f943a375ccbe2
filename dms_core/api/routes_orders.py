"""Orders over HTTP: place, read, list, cancel, approve and import — scoped to the caller's network.

Status codes: ``201`` a new order (also ``on_hold`` / ``pending_approval``); ``200`` a replay of
an idempotency key; ``422`` ``order_rejected`` with every reason (the rejected order is stored
and its ``order_no`` returned — so the handler answers instead of raising, which would roll it
back); ``404`` for an order or dealer outside the caller's subtree; ``403`` for a dealer key
approving; ``409`` for a refused life-cycle step (wrong status, credit, stock).
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from email.parser import BytesParser
from email.policy import HTTP
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from canonical_model.tables import ORDER_STATUSES, order_lines, orders
from dms_core.api.auth import Principal
from dms_core.api.deps import Caller, Conn, require_dealer_access
from dms_core.api.errors import ApiError
from dms_core.ordering import (
    CreditLimitExceeded,
    DomainError,
    InsufficientStock,
    InvalidTransition,
    OrderingSettings,
    OrderLineRequest,
    OrderNotFound,
    OrderOutcome,
    OrderRequest,
    approve,
    cancel,
    import_orders,
    place_order,
)
from dms_core.ordering.importing import _read_rows  # the importer's own reader: one parser per format
from dms_core.ordering.repository import allocations_of

__all__ = ["router"]

OrderNo = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[^\x00]+$")]

router = APIRouter(prefix="/orders", tags=["orders"])

MAX_UPLOAD = 10 * 1024 * 1024
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# PostgreSQL text cannot hold NUL: refused at the edge as a 422 instead of failing in the driver.
TEXT = r"^[^\x00]+$"
_STATUS_PATTERN = "^(" + "|".join(ORDER_STATUSES) + ")$"


class OrderLineIn(BaseModel):
    sku: str = Field(min_length=1, max_length=40, pattern=TEXT)
    qty: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=4)]
    unit: str | None = Field(
        default=None, max_length=8, pattern=TEXT, description="Default: the product's base unit"
    )


class OrderIn(BaseModel):
    dealer_code: str = Field(min_length=1, max_length=32, pattern=TEXT)
    ship_to_location_code: str | None = Field(default=None, min_length=1, max_length=32, pattern=TEXT)
    ship_to_region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    order_date: date | None = Field(default=None, description="Default: today")
    requested_delivery_date: date | None = None
    idempotency_key: str | None = Field(
        default=None, min_length=1, max_length=128, pattern=TEXT, description="Or the Idempotency-Key header"
    )
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)


class CancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=300, pattern=TEXT)


class TransitionOut(BaseModel):
    order_no: str
    from_status: str
    status: str


def _settings(request: Request) -> OrderingSettings:
    settings: OrderingSettings = request.app.state.ordering_settings
    return settings


def _actor(caller: Principal) -> str:
    return f"api:{caller.key_id}"


def _domain(exc: DomainError) -> ApiError:
    """A refused service call as an API error: 404 / 409 / 422 with the reason code."""
    if isinstance(exc, OrderNotFound):
        return ApiError(404, "not_found", str(exc))
    reasons = [c.reason_code.value for c in exc.checks if c.failed and c.reason_code is not None]
    extra: dict[str, Any] = {"reasons": reasons} if reasons else {}
    if isinstance(exc, InvalidTransition):
        return ApiError(409, "invalid_transition", str(exc), **extra)
    code = exc.code.value if exc.code is not None else "rejected"
    status = 409 if isinstance(exc, CreditLimitExceeded | InsufficientStock) else 422
    return ApiError(status, code, str(exc), **extra)


def _visible_order(conn: sa.Connection, caller: Principal, order_no: str) -> Any:
    """The order's header row; 404 if absent or outside the caller's network (same answer)."""
    row = conn.execute(
        sa.select(orders).where(orders.c.order_no == order_no, orders.c.deleted_at.is_(None))
    ).first()
    if row is None or not caller.can_see(conn, row.dealer_code):
        raise ApiError(404, "not_found", f"order {order_no} not found")
    return row


def _summary(row: Any) -> dict[str, Any]:
    return {
        "order_no": row.order_no,
        "dealer_code": row.dealer_code,
        "status": row.status,
        "origin": row.origin,
        "order_date": row.order_date.isoformat(),
        "currency": row.currency,
        "total_net": str(row.total_net),
    }


def order_view(conn: sa.Connection, row: Any) -> dict[str, Any]:
    """The full JSON form of a stored order: checks with reasons, priced lines, allocations."""
    validation = row.validation or {}
    checks = validation.get("checks", [])
    lines = conn.execute(
        sa.select(order_lines).where(order_lines.c.order_no == row.order_no).order_by(order_lines.c.line_no)
    )
    return {
        **_summary(row),
        "ship_to_location_code": row.ship_to_location_code,
        "ship_to_region_code": row.ship_to_region_code,
        "idempotency_key": row.idempotency_key,
        "requested_delivery_date": (
            None if row.requested_delivery_date is None else row.requested_delivery_date.isoformat()
        ),
        "total_list": str(row.total_list),
        "total_discount": str(row.total_discount),
        "approval": row.approval,
        "hold_reason": row.hold_reason,
        "cancel_reason": row.cancel_reason,
        "reasons": list(dict.fromkeys(c["reason_code"] for c in checks if not c["ok"] and c["reason_code"])),
        "validation": checks,
        "lines": [
            {
                "line_no": r.line_no,
                "sku": r.sku,
                "qty": str(r.qty),
                "unit": r.unit,
                "qty_base": str(r.qty_base),
                "net_price": str(r.net_price),
                "net_amount": str(r.net_amount),
                "is_free_goods": r.is_free_goods,
                "applied_rules": r.applied_rules or [],
            }
            for r in lines
        ],
        "pricing": row.pricing_explanation,
        "allocations": [
            {
                "line_no": a.line_no,
                "sku": a.sku,
                "location_code": a.location_code,
                "lot": a.lot,
                "qty": str(a.qty),
            }
            for a in allocations_of(conn, row.order_no)
        ],
    }


def _outcome_response(conn: sa.Connection, outcome: OrderOutcome) -> JSONResponse:
    if outcome.order_no is None:  # an unknown dealer (brand keys only): nothing could be stored
        body = {
            "code": "order_rejected",
            "message": "order rejected: " + ", ".join(outcome.reasons),
            "order_no": None,
            "reasons": list(outcome.reasons),
            "validation": [c.as_dict() for c in outcome.validation],
        }
        return JSONResponse(body, status_code=422)
    view = order_view(
        conn, conn.execute(sa.select(orders).where(orders.c.order_no == outcome.order_no)).one()
    )
    view["replayed"] = outcome.replayed
    if view["status"] == "rejected":  # a replay of a rejection is the same answer again
        message = f"order {outcome.order_no} rejected: " + ", ".join(view["reasons"])
        return JSONResponse({"code": "order_rejected", "message": message, **view}, status_code=422)
    return JSONResponse(view, status_code=200 if outcome.replayed else 201)


@router.post(
    "",
    status_code=201,
    summary="Place an order: validated, priced, allocated (or rejected with every reason)",
    responses={200: {"description": "Replay of an idempotency key"}, 422: {"description": "Rejected"}},
)
def create_order(
    body: OrderIn,
    conn: Conn,
    caller: Caller,
    request: Request,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=128)] = None,
) -> JSONResponse:
    require_dealer_access(conn, caller, body.dealer_code)
    if idempotency_key and body.idempotency_key and idempotency_key != body.idempotency_key:
        raise ApiError(422, "invalid_request", "Idempotency-Key header and body idempotency_key differ")
    order = OrderRequest(
        dealer_code=body.dealer_code,
        lines=[OrderLineRequest(line.sku, line.qty, line.unit) for line in body.lines],
        order_date=body.order_date or date.today(),
        ship_to_location_code=body.ship_to_location_code,
        ship_to_region_code=body.ship_to_region_code,
        idempotency_key=idempotency_key or body.idempotency_key,
        requested_delivery_date=body.requested_delivery_date,
        created_by=_actor(caller),
        origin="api",
    )
    return _outcome_response(conn, place_order(conn, order, settings=_settings(request)))


@router.get("", summary="Orders of the dealers you can see, newest first")
def list_orders(
    conn: Conn,
    caller: Caller,
    dealer_code: Annotated[str | None, Query(min_length=1, max_length=32, pattern=TEXT)] = None,
    status: Annotated[str | None, Query(pattern=_STATUS_PATTERN)] = None,
    date_from: Annotated[date | None, Query(description="order_date on or after")] = None,
    date_to: Annotated[date | None, Query(description="order_date on or before")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    where: list[sa.ColumnElement[bool]] = [orders.c.deleted_at.is_(None)]
    visible = caller.visible_dealers()
    if visible is not None:
        where.append(orders.c.dealer_code.in_(visible))
    if dealer_code is not None:
        require_dealer_access(conn, caller, dealer_code)
        where.append(orders.c.dealer_code == dealer_code)
    if status is not None:
        where.append(orders.c.status == status)
    if date_from is not None:
        where.append(orders.c.order_date >= date_from)
    if date_to is not None:
        where.append(orders.c.order_date <= date_to)
    total = conn.execute(sa.select(sa.func.count()).select_from(orders).where(*where)).scalar_one()
    rows = conn.execute(
        sa.select(orders)
        .where(*where)
        .order_by(orders.c.order_date.desc(), orders.c.order_no.desc())
        .limit(limit)
        .offset(offset)
    )
    return {"total": total, "limit": limit, "offset": offset, "orders": [_summary(r) for r in rows]}


async def _raw_body(request: Request) -> bytes:
    # A dependency, so the handler itself stays sync (its database work runs in the threadpool).
    raw = await request.body()
    if len(raw) > MAX_UPLOAD:
        raise ApiError(413, "too_large", f"the file is larger than {MAX_UPLOAD} bytes")
    return raw


@router.post(
    "/import",
    summary="Import orders from a CSV or XLSX file, all or nothing",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
                "text/csv": {"schema": {"type": "string"}},
                _XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
def import_file(
    conn: Conn,
    caller: Caller,
    request: Request,
    raw: Annotated[bytes, Depends(_raw_body)],
    order_date: Annotated[date | None, Query(description="Default: today")] = None,
    file_format: Annotated[Literal["csv", "xlsx"] | None, Query()] = None,
    dry_run: bool = False,
) -> JSONResponse:
    """Columns: dealer_code, order_ref, sku, qty, unit, ship_to. Errors are reported per row."""
    data, fmt = _upload(request.headers.get("content-type", ""), raw, file_format)
    codes = _dealer_codes(data, fmt)
    for code in sorted(codes):  # a dealer may import only for itself and its subtree
        require_dealer_access(conn, caller, code)
    result = import_orders(
        conn,
        io.BytesIO(data),
        settings=_settings(request),
        order_date=order_date or date.today(),
        created_by=_actor(caller),
        file_format=fmt,
        dry_run=dry_run,
    )
    body: dict[str, Any] = {
        "rows": result.rows,
        "committed": result.committed,
        "orders": [
            {"order_no": o.order_no, "status": o.status, "replayed": o.replayed} for o in result.orders
        ],
        "errors": [
            {
                "row": e.row,
                "field": e.field,
                "message": e.message,
                "order_ref": e.order_ref,
                "reason_code": None if e.reason_code is None else e.reason_code.value,
            }
            for e in result.errors
        ],
    }
    if result.ok:
        return JSONResponse(body, status_code=200)
    message = f"nothing imported: {len(result.errors)} row error(s)"
    return JSONResponse({"code": "import_rejected", "message": message, **body}, status_code=422)


def _upload(content_type: str, raw: bytes, file_format: str | None) -> tuple[bytes, Literal["csv", "xlsx"]]:
    """The file's bytes and format, from a multipart form (field ``file``) or a raw body."""
    name = ""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        # Parsed with the standard library: python-multipart is not a dependency of the hub.
        try:
            message = BytesParser(policy=HTTP).parsebytes(
                b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
            )
            part = next(
                (
                    p
                    for p in message.iter_parts()
                    if p.get_param("name", header="content-disposition") == "file"
                ),
                None,
            )
        except (UnicodeError, ValueError, TypeError, AttributeError) as exc:
            raise ApiError(422, "invalid_upload", "the multipart body cannot be read") from exc
        if part is None:
            raise ApiError(422, "invalid_upload", "the form has no 'file' field")
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        name = (part.get_filename() or "").lower()
        kind = part.get_content_type().lower()
    if b"\x00" in raw and (file_format == "csv" or not raw.startswith(b"PK")):
        raise ApiError(422, "invalid_upload", "the file contains NUL bytes")  # no text column can hold one
    if file_format == "xlsx" or (file_format is None and (kind == _XLSX or name.endswith(".xlsx"))):
        return raw, "xlsx"
    if file_format == "csv" or kind in ("text/csv", "text/plain") or name.endswith(".csv"):
        return raw, "csv"
    raise ApiError(415, "unsupported_media_type", "send a .csv or .xlsx file (or pass file_format)")


def _dealer_codes(data: bytes, fmt: Literal["csv", "xlsx"]) -> set[str]:
    """Every dealer code named in the file (checked against the caller before anything runs)."""
    try:
        rows = iter(_read_rows(io.BytesIO(data), fmt))
        header = [str(h or "").strip().lower() for h in next(rows, [])]
        if "dealer_code" not in header:
            return set()  # the importer reports the missing column per row
        at = header.index("dealer_code")
        return {str(r[at]).strip() for r in rows if at < len(r) and r[at] not in (None, "")}
    except Exception as exc:  # any parser failure (zip, XML, encoding) is a bad upload, not a 500
        raise ApiError(422, "invalid_upload", f"the {fmt} file cannot be read") from exc


@router.get("/{order_no}", summary="One order with its checks, priced lines and allocations")
def get_order(order_no: OrderNo, conn: Conn, caller: Caller) -> dict[str, Any]:
    return order_view(conn, _visible_order(conn, caller, order_no))


@router.post("/{order_no}/cancel", response_model=TransitionOut, summary="Cancel an order not yet shipped")
def cancel_order(
    order_no: OrderNo, body: CancelIn, conn: Conn, caller: Caller, request: Request
) -> TransitionOut:
    _visible_order(conn, caller, order_no)
    try:
        done = cancel(conn, order_no, settings=_settings(request), actor=_actor(caller), reason=body.reason)
    except DomainError as exc:
        raise _domain(exc) from exc
    return TransitionOut(order_no=done.order_no, from_status=done.from_status, status=done.status)


@router.post("/{order_no}/approve", response_model=TransitionOut, summary="Approve by hand (brand roles)")
def approve_order(order_no: OrderNo, conn: Conn, caller: Caller, request: Request) -> TransitionOut:
    if not caller.is_brand:
        raise ApiError(403, "forbidden", "only brand roles approve orders")
    _visible_order(conn, caller, order_no)
    try:
        done = approve(conn, order_no, settings=_settings(request), actor=_actor(caller))
    except DomainError as exc:
        raise _domain(exc) from exc
    return TransitionOut(order_no=done.order_no, from_status=done.from_status, status=done.status)
