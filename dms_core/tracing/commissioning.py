"""赋码 — commissioning: a batch of item codes becomes ObjectEvent ADD ``commissioning`` with lot
master data (``ilmd``: lot number, expiry), one event per lot.

Codes arrive as SGTIN URNs or GS1 Digital Link URIs, in a list or a CSV file (columns ``code``
and optionally ``lot`` and ``expiry``). A batch is all-or-nothing: every bad line is reported in
one :class:`ValidationError`, and a code whose GTIN is not in the catalogue is refused (a typo in
a company prefix would otherwise mint codes for a product nobody sells).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from canonical_model.errors import InvalidIdentifier, ValidationError
from canonical_model.tables import products, utcnow
from dms_core.tracing.codes import DEFAULT_COMPANY_PREFIX_LENGTH, normalize_epc
from dms_core.tracing.events import Event, object_event
from dms_core.tracing.store import record_events
from dms_core.tracing.vocab import ILMD_EXPIRY, ILMD_LOT

__all__ = ["CodeLine", "commission", "read_code_file"]

_SHOWN = 5


@dataclass(frozen=True, slots=True)
class CodeLine:
    """One code of a batch with its lot and expiry."""

    code: str
    lot: str | None = None
    expiry: date | None = None


def _refuse(problems: list[str], what: str) -> None:
    if problems:
        more = f" (and {len(problems) - _SHOWN} more)" if len(problems) > _SHOWN else ""
        raise ValidationError(f"{what}: " + "; ".join(problems[:_SHOWN]) + more)


def read_code_file(path: Path, *, lot: str | None = None, expiry: date | None = None) -> list[CodeLine]:
    """Read a CSV with a ``code`` column (``lot``/``expiry`` columns override the defaults)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}") from None
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or "code" not in reader.fieldnames:
        raise ValidationError(f"{path}: the first line must be a header with a 'code' column")
    lines: list[CodeLine] = []
    problems: list[str] = []
    for number, row in enumerate(reader, start=2):
        raw_expiry = (row.get("expiry") or "").strip()
        try:
            when = date.fromisoformat(raw_expiry) if raw_expiry else expiry
        except ValueError:
            problems.append(f"line {number}: expiry {raw_expiry!r} is not YYYY-MM-DD")
            continue
        lines.append(CodeLine((row.get("code") or "").strip(), (row.get("lot") or "").strip() or lot, when))
    _refuse(problems, str(path))
    return lines


def commission(
    conn: sa.Connection,
    lines: Sequence[CodeLine],
    *,
    event_time: datetime | None = None,
    read_point: str | None = None,
    company_prefix_length: int = DEFAULT_COMPANY_PREFIX_LENGTH,
) -> list[Event]:
    """Commission ``lines``: validate every code, then record one commissioning event per lot."""
    if not lines:
        raise ValidationError("no codes to commission")
    problems: list[str] = []
    groups: dict[tuple[str | None, date | None], list[str]] = {}
    gtins: dict[str, str] = {}
    seen: set[str] = set()
    for index, line in enumerate(lines, start=1):
        try:
            epc = normalize_epc(line.code, company_prefix_length)
        except InvalidIdentifier as exc:
            problems.append(f"code {index}: {exc}")
            continue
        if epc.kind != "item":
            problems.append(f"code {index}: {line.code} is a case (SSCC); commission items, then pack them")
            continue
        if epc.code in seen:
            problems.append(f"code {index}: {epc.code} appears twice")
            continue
        seen.add(epc.code)
        assert epc.gtin is not None
        gtins[epc.code] = epc.gtin
        groups.setdefault((line.lot, line.expiry), []).append(epc.code)
    known = set(
        conn.execute(
            sa.select(products.c.gtin).where(products.c.gtin.in_(sorted(set(gtins.values()))))
        ).scalars()
    )
    problems += [
        f"{code}: GTIN {gtin} is no product of the catalogue"
        for code, gtin in gtins.items()
        if gtin not in known
    ]
    _refuse(problems, "code batch refused")
    moment = event_time or utcnow()
    events = []
    for (lot, expiry), codes in groups.items():
        ilmd = {ILMD_LOT: lot} if lot else {}
        if expiry is not None:
            ilmd[ILMD_EXPIRY] = expiry.isoformat()
        events.append(
            object_event(
                "ADD",
                codes,
                event_time=moment,
                biz_step="commissioning",
                disposition="active",
                read_point=read_point,
                ilmd=ilmd or None,
            )
        )
    record_events(conn, events)
    return events
