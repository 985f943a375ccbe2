"""Terminal scans over HTTP: ``POST /scans`` (one) and ``POST /scans/bulk`` (up to 10,000).

Auth: an API key like every route — a store or terminal uses its dealer's key (terminals are
level-4 dealers), a consumer app goes through a brand-operated backend holding a brand key; no
anonymous scanning, so a flood of fake scans has an owner. Any key may scan any code (a diverted
item turns up outside the scanner's network by definition), but a dealer key only learns the
responsible dealer and alert id of findings inside its own subtree.

``422 invalid_scan``: a garbage code, no location (a region code; coordinates only where the
server has a region resolver), a time in the future — with every reason per scan index, and
nothing stored. A bulk request is all-or-nothing for that reason; scans are idempotent (the
event id is a content hash), so the corrected batch can simply be resent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from canonical_model.store.hierarchy import subtree_codes
from dms_core.api.auth import Principal
from dms_core.api.deps import Caller, Conn
from dms_core.api.errors import ApiError
from dms_core.tracing import Scan, ScanRejected, ScanResult, TracingPolicy, verify_scans

__all__ = ["router"]

router = APIRouter(prefix="/scans", tags=["tracing"])

TEXT = r"^[^\x00]+$"
MAX_BULK = 10_000


class ScanIn(BaseModel):
    code: str = Field(max_length=300, pattern=TEXT, description="SGTIN/SSCC as EPC URN or GS1 Digital Link")
    biz_step: Literal["retail_selling", "inspecting"] = "inspecting"
    event_time: datetime | None = Field(default=None, description="With a time-zone offset; default: now")
    region_code: str | None = Field(default=None, max_length=6, pattern=TEXT)
    latitude: float | None = None
    longitude: float | None = None
    terminal: str | None = Field(default=None, max_length=64, pattern=TEXT)


class BulkIn(BaseModel):
    scans: Annotated[list[ScanIn], Field(min_length=1, max_length=MAX_BULK)]


class FindingOut(BaseModel):
    kind: str
    alert_id: str | None
    dealer_code: str | None


class ScanOut(BaseModel):
    index: int
    code: str
    event_id: str
    region_code: str
    verdict: str
    replay: bool
    findings: list[FindingOut]


class BulkOut(BaseModel):
    count: int
    suspect: int
    results: list[ScanOut]


_DEFAULT_POLICY = TracingPolicy()


def _policy(request: Request) -> TracingPolicy:
    policy = getattr(request.app.state, "tracing_policy", None)
    return policy if isinstance(policy, TracingPolicy) else _DEFAULT_POLICY


def _verify(
    conn: sa.Connection, caller: Principal, policy: TracingPolicy, scans: list[ScanIn]
) -> list[ScanOut]:
    try:
        results = verify_scans(conn, [Scan(**s.model_dump()) for s in scans], policy=policy)
    except ScanRejected as exc:
        bad = [{"index": i, "reasons": r} for i, r in exc.problems.items()]
        raise ApiError(422, "invalid_scan", str(exc), scans=bad) from None
    visible: set[str] | None = None
    # Only findings name dealers: a genuine scan needs no look at the caller's subtree.
    if not caller.is_brand and caller.dealer_code is not None and any(r.findings for r in results):
        visible = set(subtree_codes(conn, caller.dealer_code))
    return [_out(r, visible) for r in results]


def _out(result: ScanResult, visible: set[str] | None) -> ScanOut:
    findings: list[dict[str, Any]] = []
    for f in result.findings:
        shown = visible is None or (f.dealer_code is not None and f.dealer_code in visible)
        findings.append(
            {
                "kind": f.kind,
                "alert_id": f.alert_id if shown else None,
                "dealer_code": f.dealer_code if shown else None,
            }
        )
    return ScanOut(
        index=result.index,
        code=result.code,
        event_id=result.event_id,
        region_code=result.region_code,
        verdict=result.verdict,
        replay=result.replay,
        findings=[FindingOut(**f) for f in findings],
    )


@router.post("", response_model=ScanOut, summary="Verify one terminal scan")
def post_scan(body: ScanIn, request: Request, conn: Conn, caller: Caller) -> ScanOut:
    return _verify(conn, caller, _policy(request), [body])[0]


@router.post("/bulk", response_model=BulkOut, summary="Verify a batch of terminal scans (all or nothing)")
def post_scans(body: BulkIn, request: Request, conn: Conn, caller: Caller) -> BulkOut:
    results = _verify(conn, caller, _policy(request), body.scans)
    return BulkOut(count=len(results), suspect=sum(r.verdict == "suspect" for r in results), results=results)
