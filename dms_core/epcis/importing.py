"""EPCIS 2.0 documents in from partners: validated, normalised, recorded.

A document must pass GS1's schema (the schema's message is the refusal). Then the hub's own
limits: ObjectEvent and AggregationEvent only, instance-level (EPCs, not class quantities),
every EPC an SGTIN or SSCC as URN or GS1 Digital Link — normalised to the URN the hub stores,
CBV values to their bare names. Any refusal names the event and the field; nothing of a refused
document is stored. Events keep the partner's ``eventID`` (one is computed when absent), so
importing the same document twice stores nothing new; a known event arriving with an
``errorDeclaration`` is declared in error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa

from canonical_model.errors import InvalidIdentifier, ValidationError
from canonical_model.tables import trace_events
from dms_core.epcis.schema import validate_document
from dms_core.tracing.codes import DEFAULT_COMPANY_PREFIX_LENGTH, normalize_epc
from dms_core.tracing.corrections import declare_error
from dms_core.tracing.events import event_hash_id
from dms_core.tracing.store import record_events
from dms_core.tracing.vocab import parse_time, short_vocab

__all__ = ["Imported", "import_document", "read_document"]

_SUPPORTED: Final = ("ObjectEvent", "AggregationEvent")


@dataclass(frozen=True)
class Imported:
    """What an import did."""

    events: int
    inserted: tuple[str, ...]
    existing: tuple[str, ...]
    declared: tuple[str, ...]


def read_document(path: Path) -> Any:
    """Parse a JSON file; a clear error for a missing or malformed one."""
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"{path} is not JSON: {exc}") from None


def _event_list(document: dict[str, Any]) -> list[Any]:
    body = document["epcisBody"]
    if document["type"] == "EPCISQueryDocument":
        return list(body.get("queryResults", {}).get("resultsBody", {}).get("eventList", []))
    return list(body.get("eventList", []))


def _normalise(index: int, event: dict[str, Any], prefix_length: int) -> dict[str, Any]:
    kind = event.get("type")
    where = f"event {index} ({kind})"
    if kind not in _SUPPORTED:
        raise ValidationError(f"{where}: not supported; the hub records ObjectEvent and AggregationEvent")
    out = dict(event)

    def epc(value: Any, field: str) -> str:
        try:
            return normalize_epc(value, prefix_length).code
        except InvalidIdentifier as exc:
            raise ValidationError(f"{where} {field}: {exc}") from None

    if kind == "ObjectEvent":
        if not event.get("epcList"):
            raise ValidationError(f"{where}: no epcList; class-level events (quantityList) are not traced")
        out["epcList"] = [epc(v, f"epcList[{i}]") for i, v in enumerate(event["epcList"])]
    else:
        if not event.get("parentID"):
            raise ValidationError(f"{where}: no parentID; the hub traces aggregations into a case (SSCC)")
        out["parentID"] = epc(event["parentID"], "parentID")
        out["childEPCs"] = [epc(v, f"childEPCs[{i}]") for i, v in enumerate(event.get("childEPCs") or ())]
    for field in ("bizStep", "disposition"):
        if field in out:
            out[field] = short_vocab(out[field])
    for field in ("bizTransactionList", "sourceList", "destinationList"):
        if field in out:
            out[field] = [{**i, "type": short_vocab(i["type"])} if "type" in i else i for i in out[field]]
    parse_time(out["eventTime"], f"{where} eventTime")
    if not out.get("eventID"):
        out["eventID"] = event_hash_id({k: v for k, v in out.items() if k != "errorDeclaration"})
    return out


def import_document(
    conn: sa.Connection,
    document: Any,
    *,
    source_key: str | None = None,
    company_prefix_length: int = DEFAULT_COMPANY_PREFIX_LENGTH,
) -> Imported:
    """Validate and record an EPCIS 2.0 document (all-or-nothing, in the caller's transaction)."""
    validate_document(document)
    events = [_normalise(i, e, company_prefix_length) for i, e in enumerate(_event_list(document), start=1)]
    ids = [e["eventID"] for e in events]
    known = set(
        conn.execute(sa.select(trace_events.c.event_id).where(trace_events.c.event_id.in_(ids))).scalars()
    )
    declarations = {e["eventID"]: e["errorDeclaration"] for e in events if e.get("errorDeclaration")}
    recorded = record_events(
        conn,
        [e for e in events if e["eventID"] not in known],
        source_system="epcis-import",
        source_key=source_key,
    )
    declared: list[str] = []
    for event_id, declaration in declarations.items():
        if event_id not in known:
            continue  # recorded above with its declaration
        current = conn.execute(
            sa.select(trace_events.c.error_declaration).where(trace_events.c.event_id == event_id)
        ).scalar()
        if current is None:
            declare_error(
                conn,
                event_id,
                declaration.get("reason") or "incorrect_data",
                corrective_event_ids=declaration.get("correctiveEventIDs") or (),
                declared_at=parse_time(declaration["declarationTime"], "declarationTime"),
            )
            declared.append(event_id)
    return Imported(len(events), recorded.inserted, tuple(i for i in ids if i in known), tuple(declared))
