"""One item, one code (一物一码): trace events shaped after GS1 EPCIS 2.0 and the rules that turn
terminal scans into counterfeit, duplication and diversion alerts.

The life of a code, each step an EPCIS event stored by :func:`record_events`:

1. :func:`commission` — ObjectEvent ADD ``commissioning`` with lot and expiry (``ilmd``);
2. :func:`pack` — AggregationEvent ADD ``packing``: items into a case (SSCC);
3. :func:`ship` / :func:`bind_shipped_codes` — ObjectEvent OBSERVE ``shipping``, the dealer as
   ``owning_party``, the order (``po``) and delivery (``desadv``);
4. :func:`receive` — the dealer's ``receiving``, with missing/extra codes as ``mismatch_*``;
5. :func:`verify_scans` — ``retail_selling`` / ``inspecting`` at a terminal, checked against the
   code's history and the dealer's authorised territories.

Alerts (:func:`list_alerts`, :func:`resolve_alert`) carry the evidence chain; a
:class:`TracingPolicy` may freeze the responsible dealer. Corrections are error declarations
(:func:`declare_error`), never edits.
"""

from __future__ import annotations

from dms_core.tracing.alerts import AlertDraft, dismiss_alert, list_alerts, raise_alerts, resolve_alert
from dms_core.tracing.chain import evidence_chains
from dms_core.tracing.codes import DEFAULT_COMPANY_PREFIX_LENGTH, Epc, normalize_epc
from dms_core.tracing.commissioning import CodeLine, commission, read_code_file
from dms_core.tracing.corrections import ERROR_REASONS, declare_error
from dms_core.tracing.events import Event, aggregation_event, event_hash_id, object_event
from dms_core.tracing.packing import pack, unpack
from dms_core.tracing.policy import RegionResolver, TracingPolicy
from dms_core.tracing.receiving import Receipt, receive
from dms_core.tracing.scans import Finding, Scan, ScanRejected, ScanResult, verify_scan, verify_scans
from dms_core.tracing.shipping import bind_shipped_codes, ship, shipping_event
from dms_core.tracing.store import Recorded, record_events

__all__ = [
    "DEFAULT_COMPANY_PREFIX_LENGTH",
    "ERROR_REASONS",
    "AlertDraft",
    "CodeLine",
    "Epc",
    "Event",
    "Finding",
    "Receipt",
    "Recorded",
    "RegionResolver",
    "Scan",
    "ScanRejected",
    "ScanResult",
    "TracingPolicy",
    "aggregation_event",
    "bind_shipped_codes",
    "commission",
    "declare_error",
    "dismiss_alert",
    "event_hash_id",
    "evidence_chains",
    "list_alerts",
    "normalize_epc",
    "object_event",
    "pack",
    "raise_alerts",
    "read_code_file",
    "receive",
    "record_events",
    "resolve_alert",
    "ship",
    "shipping_event",
    "unpack",
    "verify_scan",
    "verify_scans",
]
