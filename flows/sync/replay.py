"""Replaying quarantined records after the mapping or the reference data was fixed.

The raw records of the chosen open quarantine rows are mapped again with the stream's
current mapping and today's reference data. Rows that now map are merged into the
canonical table and their quarantine rows marked ``replayed``; rows that still fail stay
``open`` with their new rule and reason. Each connector/stream group commits in one
transaction, recorded as a sync run of mode ``replay``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from canonical_model.store.batch import add_stream_counts, finish_run, start_run
from canonical_model.store.merge import merge_rows
from canonical_model.tables import quarantine, table, utcnow
from mappings.engine import compile_mapping
from mappings.reference import load_reference_data
from mappings.registry import load_spec_for

__all__ = ["ReplayResult", "replay_quarantine"]


@dataclass
class ReplayResult:
    """What a replay did, per connector/stream."""

    run_ids: list[str] = field(default_factory=list)
    replayed: int = 0
    still_failing: int = 0
    by_stream: dict[str, tuple[int, int]] = field(default_factory=dict)


def replay_quarantine(
    engine: sa.Engine,
    *,
    connector: str | None = None,
    stream: str | None = None,
    rule: str | None = None,
    ids: Sequence[int] = (),
    mapping_dirs: Sequence[Path] = (),
) -> ReplayResult:
    """Re-map open quarantine rows matching the filters; load those that now pass."""
    query = sa.select(quarantine).where(quarantine.c.status == "open").order_by(quarantine.c.id)
    for column, value in (("connector", connector), ("stream", stream), ("rule", rule)):
        if value is not None:
            query = query.where(quarantine.c[column] == value)
    if ids:
        query = query.where(quarantine.c.id.in_(list(ids)))
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    result = ReplayResult()
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["connector"], row["stream"]), []).append(row)
    for (conn_name, stream_name), group in sorted(groups.items()):
        loaded, failing = _replay_group(engine, conn_name, stream_name, group, mapping_dirs)
        result.replayed += loaded
        result.still_failing += failing
        result.by_stream[f"{conn_name}/{stream_name}"] = (loaded, failing)
    return result


def _replay_group(
    engine: sa.Engine, connector: str, stream: str, group: list[dict[str, Any]], mapping_dirs: Sequence[Path]
) -> tuple[int, int]:
    spec = load_spec_for(connector, stream, extra_dirs=mapping_dirs)
    target = table(spec.entity)
    run_id = start_run(engine, connector=connector, mode="replay", trigger="quarantine replay")
    try:
        with engine.begin() as conn:
            mapping = compile_mapping(spec, reference=load_reference_data(conn, spec))
            frame = pd.DataFrame.from_records([g["raw"] for g in group])
            mapped = mapping.apply(frame, source_offsets=[g["source_offset"] for g in group])
            # ``valid`` keeps the input's index labels and rejects come in input order, so
            # positions tie each outcome back to its quarantine row.
            passed_at = {int(i) for i in mapped.valid.index}
            passed = [group[i] for i in sorted(passed_at)]
            still = [row for i, row in enumerate(group) if i not in passed_at]
            if passed:
                lineage = {"source_system": connector, "sync_run_id": run_id}
                merge_rows(conn, target, mapped.valid, lineage=lineage)
                conn.execute(
                    sa.update(quarantine)
                    .where(quarantine.c.id.in_([g["id"] for g in passed]))
                    .values(status="replayed", resolved_at=utcnow(), resolved_run_id=run_id)
                )
            for row, reject in zip(still, mapped.rejects, strict=True):
                conn.execute(
                    sa.update(quarantine)
                    .where(quarantine.c.id == row["id"])
                    .values(rule=reject.rule, reason=reject.reason)
                )
            add_stream_counts(
                conn, run_id, stream, read=len(group), loaded=len(passed), rejected=len(still), batches=1
            )
    except BaseException as exc:
        finish_run(engine, run_id, status="failed", error=f"{type(exc).__name__}: {exc}")
        raise
    finish_run(engine, run_id, status="succeeded")
    return len(passed), len(still)
