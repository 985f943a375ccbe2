"""Compile a mapping spec once; apply it to batches (pandas DataFrames) many times.

Every operation on the hot path is vectorised over whole columns (pandas string methods on
Arrow strings, numpy masks, dictionary ``map``/``isin`` lookups); Python-level work per row
happens only for rejected rows, to write their reasons.

Valid rows come out as Python objects the store's merge takes as they are: ``str``,
``int``, ``bool``, ``Decimal`` (exact, at the column's scale), ``datetime.date``, aware
``datetime`` in UTC, JSON values, and ``None`` for missing values. ``valid`` keeps the
index labels of the input rows, so a caller can join back to its own per-row data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mappings._produce import Batch, Units, produce_field
from mappings._verify import check_fields, check_rows, find_duplicates, lookup_fields, settle_self_references
from mappings.errors import MappingError
from mappings.plan import Plan
from mappings.reference import ReferenceData
from mappings.rejects import Reject, build_rejects
from mappings.spec import MappingSpec
from mappings.validate import resolve
from mappings.vec import Vec, to_output

__all__ = ["CompiledMapping", "MappedBatch", "compile_mapping"]


@dataclass
class MappedBatch:
    """The outcome of one batch: rows for the store and rows for quarantine.

    Every input row is in exactly one of the two: ``read == loaded + rejected``.
    """

    valid: pd.DataFrame
    rejects: list[Reject] = field(default_factory=list)
    read: int = 0

    @property
    def loaded(self) -> int:
        """Rows that mapped."""
        return len(self.valid)

    @property
    def rejected(self) -> int:
        """Rows that did not."""
        return len(self.rejects)


class CompiledMapping:
    """A spec resolved and bound to its reference data; ``apply`` maps a batch."""

    def __init__(self, plan: Plan, reference: ReferenceData | None) -> None:
        self.plan = plan
        self.spec = plan.spec
        reference = reference or ReferenceData()
        self._keys: dict[str, npt.NDArray[np.object_]] = {
            ref: np.array(sorted(reference.keys[ref]), dtype=object) for ref in plan.lookups
        }
        self._units = Units(reference.unit_factors, reference.base_units) if plan.needs_units else None
        self._fx = dict(reference.fx_rates)
        self._order = {name: index for index, name in enumerate(self.spec.fields)}

    @property
    def columns(self) -> tuple[str, ...]:
        """The canonical columns ``valid`` holds, in spec order."""
        return self.plan.outputs

    @property
    def key(self) -> tuple[str, ...]:
        """The columns identifying a row (the spec's ``key`` or the table's primary key)."""
        return self.plan.key

    def apply(
        self, frame: pd.DataFrame, *, source_offsets: pd.Series[Any] | Sequence[object] | None = None
    ) -> MappedBatch:
        """Map ``frame`` (one row per source record); ``source_offsets`` (same length, e.g.
        ``file.csv:17``) travel with the rejects."""
        offsets = None
        if source_offsets is not None:
            offsets = list(source_offsets)
            if len(offsets) != len(frame):
                raise MappingError(f"{self.spec.name}: {len(offsets)} source offsets for {len(frame)} rows")
        clashes = sorted(
            {str(c) for c in frame.columns[frame.columns.duplicated()]} & self.plan.source_columns
        )
        if clashes:
            raise MappingError(f"{self.spec.name}: the batch has several columns named {', '.join(clashes)}")
        batch = Batch(frame.reset_index(drop=True))
        for fp in self.plan.fields:
            produce_field(fp, self._order[fp.name], batch, self._units, self._fx)
        lookup_fields(self.plan, batch, self._keys)
        check_fields(self.plan, batch)
        check_rows(self.plan, batch)
        rejected = np.zeros(batch.n, dtype=bool)
        for failure in batch.failures:
            rejected |= failure.mask
        find_duplicates(self.plan, batch, rejected)
        for failure in batch.failures:
            rejected |= failure.mask
        settle_self_references(self.plan, batch, self._keys, rejected)
        rejected, rejects = build_rejects(
            batch.failures, batch.frame, source_offsets=offsets, record_keys=self._record_keys(batch)
        )
        keep = ~rejected
        index = frame.index[keep]
        valid = pd.DataFrame(
            {
                name: pd.Series(
                    to_output(batch.vecs[name], self.plan.field(name).kind)[keep].to_numpy(),
                    index=index,
                    dtype=object,
                )
                for name in self.plan.outputs
            },
            index=index,
            columns=list(self.plan.outputs),
        )
        return MappedBatch(valid=valid, rejects=rejects, read=len(frame))

    def _record_keys(self, batch: Batch) -> Callable[[npt.NDArray[np.intp]], list[str | None]]:
        """Record keys of rejected rows: mapped key values, else the raw source values, joined by |."""

        def record_keys(positions: npt.NDArray[np.intp]) -> list[str | None]:
            if not self.plan.key:
                return [None] * len(positions)
            parts = []
            for name in self.plan.key:
                fp, vec = self.plan.field(name), batch.vecs[name]
                good = ~vec.null[positions] & ~batch.bad[name][positions]
                mapped = to_output(Vec(vec.values[positions], vec.null[positions]), fp.kind).to_numpy()
                raw = batch.column(fp.source).iloc[positions].to_numpy(dtype=object) if fp.source else mapped
                parts.append(["" if _blank(v) else str(v) for v in np.where(good, mapped, raw).tolist()])
            keys = ["|".join(row) for row in zip(*parts, strict=True)]
            empty = "|" * (len(parts) - 1)
            return [None if key == empty else key for key in keys]

        return record_keys


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def compile_mapping(spec: MappingSpec, *, reference: ReferenceData | None = None) -> CompiledMapping:
    """Compile ``spec`` once for many batches.

    ``reference`` must hold the keys of every ``lookup`` of the spec (and unit factors when a
    field converts units); ``load_reference_data(conn, spec)`` reads exactly those.
    """
    plan = resolve(spec)
    supplied = reference.keys if reference is not None else {}
    missing = sorted(ref for ref in plan.lookups if ref not in supplied)
    if missing:
        raise MappingError(
            f"{spec.name}: reference keys for lookups {', '.join(missing)} were not supplied "
            "(load them with mappings.load_reference_data(conn, spec))"
        )
    if plan.needs_units and reference is None:
        raise MappingError(f"{spec.name}: unit conversions need reference data (base units and factors)")
    return CompiledMapping(plan, reference)
