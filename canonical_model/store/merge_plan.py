"""What one merge will write: validated columns, canonical text, payload hashes and constants.

Both merge paths (COPY on PostgreSQL, batched upserts on SQLite) start from the same plan,
so they check the same things, hash the same way and apply the same conflict rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import pandas as pd
import sqlalchemy as sa

from canonical_model.errors import ConfigError, ValidationError
from canonical_model.store.merge_encode import ColumnKind, canonical_text, column_kind, to_frame
from canonical_model.store.merge_fields import copy_field, payload_hashes

__all__ = ["LINEAGE_COLUMNS", "MANAGED_COLUMNS", "MergePlan", "conflict_clauses", "plan_merge"]

LINEAGE_COLUMNS = frozenset(
    {"source_system", "source_key", "sync_run_id", "payload_hash", "created_at", "updated_at", "deleted_at"}
)
"""Columns that say where a row came from and when; never part of its payload hash."""
MANAGED_COLUMNS = frozenset({"created_at", "updated_at"})
"""Set by the merge itself: created on insert, updated on insert and update."""

_SAMPLE = 5


@dataclass(frozen=True)
class MergePlan:
    """A validated, encoded batch for one table.

    ``plain`` holds canonical text (``None`` = NULL) and ``fields`` the same escaped for COPY
    (``\\N`` = NULL), one column per entry of ``columns`` (the rows' own columns plus
    ``payload_hash``). ``constants`` are the same for every row (lineage, timestamps).
    """

    table: sa.Table
    key: tuple[str, ...]
    columns: tuple[str, ...]
    kinds: Mapping[str, ColumnKind]
    plain: pd.DataFrame
    fields: pd.DataFrame
    constants: Mapping[str, Any]
    touch_unchanged: bool

    @property
    def size(self) -> int:
        """Number of rows in the batch."""
        return len(self.plain)

    @property
    def hashed(self) -> bool:
        """Whether the table keeps a payload hash (and unchanged rows can be skipped)."""
        return "payload_hash" in self.table.c

    @property
    def insert_columns(self) -> tuple[str, ...]:
        """Every column the INSERT names: the rows' columns, then the constants."""
        return self.columns + tuple(self.constants)


def plan_merge(
    table: sa.Table,
    rows: pd.DataFrame | Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str] | None,
    lineage: Mapping[str, Any] | None,
    touch_unchanged: bool,
    now: datetime,
) -> MergePlan | None:
    """Validate and encode ``rows`` for ``table``; ``None`` for an empty batch."""
    frame = to_frame(rows)
    if len(frame) == 0 and len(frame.columns) == 0:
        return None
    lineage = dict(lineage or {})
    _check_names(table, [*frame.columns, *lineage])
    if managed := sorted(MANAGED_COLUMNS & {*frame.columns, *lineage}):
        raise ConfigError(f"{table.name}: {', '.join(managed)} are set by the merge, not by the rows")
    frame = frame.drop(columns=[c for c in frame.columns if c in lineage])  # lineage wins
    keys = _key_columns(table, key, frame.columns)
    _check_required(table, {*frame.columns, *lineage})
    if len(frame) == 0:
        return None
    kinds = {str(c): column_kind(table.c[c]) for c in frame.columns}
    plain = pd.DataFrame(
        {c: canonical_text(table.c[c], kinds[c], frame[c]) for c in kinds}, index=frame.index
    )
    _check_not_null(table, plain, keys)
    _check_unique(table, plain, keys)
    fields = pd.DataFrame({c: copy_field(kinds[c], plain[c]) for c in kinds}, index=frame.index)
    if "payload_hash" in table.c:
        data = [c for c in kinds if c not in LINEAGE_COLUMNS]
        given = plain.get("payload_hash")
        if given is None or given.isna().any():
            computed = payload_hashes(fields[data])
            hashes = computed if given is None else given.where(given.notna(), computed)
            plain["payload_hash"] = hashes
            fields["payload_hash"] = hashes
            kinds["payload_hash"] = "str"
    constants: dict[str, Any] = dict(lineage)
    for name in sorted(MANAGED_COLUMNS):
        if name in table.c:
            constants[name] = now
    return MergePlan(table, keys, tuple(kinds), kinds, plain, fields, constants, touch_unchanged)


def _check_names(table: sa.Table, names: Sequence[Any]) -> None:
    bad = [str(n) for n in names if not isinstance(n, str)]
    unknown = sorted({str(n) for n in names if isinstance(n, str) and n not in table.c})
    if bad or unknown:
        raise ConfigError(f"{table.name} has no column(s) {', '.join(bad + unknown)}")


def _key_columns(table: sa.Table, key: Sequence[str] | None, present: pd.Index[Any]) -> tuple[str, ...]:
    keys = tuple(key) if key else tuple(c.name for c in table.primary_key.columns)
    if not keys:
        raise ConfigError(f"{table.name} has no primary key: pass the natural key to merge on")
    if unknown := [k for k in keys if k not in table.c]:
        raise ConfigError(f"{table.name} has no key column(s) {', '.join(unknown)}")
    if missing := [k for k in keys if k not in present]:
        raise ConfigError(f"rows for {table.name} lack key column(s) {', '.join(missing)}")
    return keys


def _check_required(table: sa.Table, present: set[Any]) -> None:
    missing = [
        c.name
        for c in table.columns
        if c.name not in present
        and c.name not in MANAGED_COLUMNS
        and not c.nullable
        and c.server_default is None
        and c.default is None
        and c is not table.autoincrement_column
    ]
    if missing:
        raise ConfigError(
            f"rows for {table.name} lack required column(s) {', '.join(missing)} (not nullable, no default)"
        )


def _check_not_null(table: sa.Table, plain: pd.DataFrame, keys: tuple[str, ...]) -> None:
    for name in plain.columns:
        if table.c[name].nullable:
            continue
        nulls = plain[name].isna().to_numpy(dtype=bool)
        if nulls.any():
            row = int(nulls.argmax())
            key = tuple(plain[k].iat[row] for k in keys)
            raise ValidationError(
                f"{table.name}.{name} is null in {int(nulls.sum())} row(s) (first: row {row}, key {key})"
            )


def _check_unique(table: sa.Table, plain: pd.DataFrame, keys: tuple[str, ...]) -> None:
    dup = plain.duplicated(subset=list(keys), keep=False).to_numpy(dtype=bool)
    if not dup.any():
        return
    counts: dict[tuple[Any, ...], int] = {}
    for key in zip(*(plain[k].to_numpy()[dup].tolist() for k in keys), strict=True):
        counts[key] = counts.get(key, 0) + 1
    shown = [f"{key if len(keys) > 1 else key[0]!r} x{n}" for key, n in list(counts.items())[:_SAMPLE]]
    more = f" and {len(counts) - _SAMPLE} more" if len(counts) > _SAMPLE else ""
    raise ValidationError(
        f"duplicate key ({', '.join(keys)}) in one batch for {table.name}: {', '.join(shown)}{more}"
    )


class Proposed(Protocol):
    """The proposed row's columns by name (ON CONFLICT's ``excluded``, or a staging source)."""

    def __getitem__(self, name: str) -> sa.ColumnElement[Any]: ...


def conflict_clauses(
    plan: MergePlan, excluded: Proposed
) -> tuple[dict[str, Any], sa.ColumnElement[bool] | None]:
    """The ON CONFLICT ``SET`` values and ``WHERE`` filter shared by both backends.

    Revives soft-deleted rows (``deleted_at`` back to the row's value, NULL unless given).
    Without ``touch_unchanged``, a row whose payload hash and deletion mark are unchanged is
    left as it is, ``updated_at`` included; with it, every matched row is stamped.
    """
    table = plan.table
    set_: dict[str, Any] = {
        c: excluded[c] for c in plan.insert_columns if c not in plan.key and c != "created_at"
    }
    if "deleted_at" in table.c:
        set_["deleted_at"] = excluded["deleted_at"]
    if plan.touch_unchanged:
        return set_, None
    changed: list[sa.ColumnElement[bool]] = []
    if plan.hashed:
        changed.append(table.c.payload_hash.is_distinct_from(excluded["payload_hash"]))
        if "deleted_at" in table.c:
            changed.append(table.c.deleted_at.is_distinct_from(excluded["deleted_at"]))
    return set_, (sa.or_(*changed) if changed else None)
