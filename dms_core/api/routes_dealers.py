"""``GET /dealers/{code}`` and its subtree, scoped to the caller's network."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel

from canonical_model.store.hierarchy import subtree_select
from canonical_model.tables import dealer_closure, dealers
from dms_core.api.deps import Caller, Conn, require_dealer_access
from dms_core.api.errors import ApiError

router = APIRouter(prefix="/dealers", tags=["dealers"])


class DealerOut(BaseModel):
    code: str
    name: str
    level: int
    parent_code: str | None
    status: str
    grade: str | None
    region_code: str | None
    credit_limit: Decimal
    currency: str
    payment_terms_days: int


class SubtreeOut(BaseModel):
    root: str
    count: int
    dealers: list[DealerOut]


_COLUMNS = [dealers.c[name] for name in DealerOut.model_fields]


@router.get("/{code}", response_model=DealerOut, summary="One dealer (yours or below yours)")
def get_dealer(code: str, conn: Conn, caller: Caller) -> DealerOut:
    require_dealer_access(conn, caller, code)
    row = conn.execute(
        sa.select(*_COLUMNS).where(dealers.c.code == code, dealers.c.deleted_at.is_(None))
    ).first()
    if row is None:
        raise ApiError(404, "not_found", f"dealer {code} not found")
    return DealerOut.model_validate(row._asdict())


@router.get("/{code}/subtree", response_model=SubtreeOut, summary="A dealer and every dealer below it")
def get_subtree(
    code: str,
    conn: Conn,
    caller: Caller,
    max_depth: Annotated[int | None, Query(ge=0, le=16, description="Levels below the dealer.")] = None,
    status: Annotated[str | None, Query(pattern="^(active|suspended|frozen)$")] = None,
) -> SubtreeOut:
    require_dealer_access(conn, caller, code)
    query = (
        sa.select(*_COLUMNS)
        .join(dealer_closure, dealer_closure.c.descendant_code == dealers.c.code)
        .where(dealer_closure.c.ancestor_code == code, dealers.c.deleted_at.is_(None))
        .order_by(dealer_closure.c.depth, dealers.c.code)
    )
    if max_depth is not None:
        query = query.where(dealer_closure.c.depth <= max_depth)
    if status is not None:
        query = query.where(dealers.c.status == status)
    rows = [DealerOut.model_validate(r._asdict()) for r in conn.execute(query)]
    if not rows and conn.execute(subtree_select(code)).first() is None:
        raise ApiError(404, "not_found", f"dealer {code} not found")
    return SubtreeOut(root=code, count=len(rows), dealers=rows)
