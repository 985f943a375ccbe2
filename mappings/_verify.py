"""After every field has a value: lookups, field checks, row checks and duplicate keys."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mappings._produce import Batch, _for_expr
from mappings.plan import FieldCheck, FieldPlan, Plan, RowCheck
from mappings.rejects import Step, show
from mappings.text import TEXT_DTYPE, to_objects
from mappings.vec import Mask, Vec, to_output

__all__ = ["check_fields", "check_rows", "find_duplicates", "lookup_fields", "shown", "value_text"]

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "ge": operator.ge,
    "gt": operator.gt,
    "le": operator.le,
    "lt": operator.lt,
    "eq": operator.eq,
    "ne": operator.ne,
}


def value_text(vec: Vec, fp: FieldPlan) -> pd.Series[Any]:
    """The field's values as text (for lookups and reasons); ``<NA>`` where null."""
    if fp.kind == "string":
        return pd.Series(vec.values, dtype=object).astype(TEXT_DTYPE).mask(vec.null)
    shown = to_output(vec, fp.kind)
    if fp.kind == "datetime":
        shown = shown.map(lambda v: None if v is None else v.isoformat())
    return shown.astype(TEXT_DTYPE)


def shown(vec: Vec, fp: FieldPlan) -> Callable[[int], str]:
    """How a reason shows the field's value at a row: quoted text, plain numbers and dates."""
    values = to_output(vec, fp.kind).to_numpy()

    def at(pos: int) -> str:
        value = values[pos]
        if value is None or isinstance(value, str):
            return show(value)
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    return at


def lookup_fields(plan: Plan, batch: Batch, keys: Mapping[str, npt.NDArray[np.object_]]) -> None:
    """Reject values not found in the reference keys (or, for a self-reference, in this batch)."""
    for order, fp in enumerate(_in_spec_order(plan)):
        if fp.lookup is None:
            continue
        vec = batch.vecs[fp.name]
        text = value_text(vec, fp)
        found = np.asarray(text.isin(keys[fp.lookup]).fillna(False), dtype=bool)
        table, _, column = fp.lookup.partition(".")
        if table == plan.spec.entity and column in batch.vecs and column != fp.name:
            # A row may refer to another row of the same batch (a dealer's parent in one file).
            peer = batch.vecs[column]
            usable = ~peer.null & ~batch.bad[column]
            peers = value_text(peer, plan.field(column))[usable].to_numpy(dtype=object)
            found |= np.asarray(text.isin(peers).fillna(False), dtype=bool)
        missing = ~vec.null & ~batch.bad[fp.name] & ~found
        name, ref, shown_text = fp.name, fp.lookup, to_objects(text)
        batch.fail(
            Step.LOOKUP,
            order,
            f"lookup:{name}",
            missing,
            lambda pos, t=shown_text, n=name, r=ref: f"{n}: {show(t[pos])} is not a known {r}",
        )


def check_fields(plan: Plan, batch: Batch) -> None:
    """Run each field's ``checks`` over its final values."""
    for order, fp in enumerate(_in_spec_order(plan)):
        if not fp.checks:
            continue
        vec = batch.vecs[fp.name]
        failed = np.zeros(batch.n, dtype=bool)
        broken: list[tuple[Mask, FieldCheck]] = []
        for check in fp.checks:
            ok = _passes(vec, fp, check)
            bad = ~vec.null & ~batch.bad[fp.name] & ~ok
            broken.append((bad, check))
            failed |= bad
        if not failed.any():
            continue
        value_at = shown(vec, fp)

        def why(
            pos: int,
            fp: FieldPlan = fp,
            value_at: Callable[[int], str] = value_at,
            broken: list[tuple[Mask, FieldCheck]] = broken,
        ) -> str:
            rules = " and ".join(check.text for mask, check in broken if mask[pos])
            return f"{fp.name}: {value_at(pos)} must be {rules}"

        batch.fail(Step.CHECK, order, f"check:{fp.name}", failed, why)


def _passes(vec: Vec, fp: FieldPlan, check: FieldCheck) -> Mask:
    if check.op in _COMPARE:
        return np.asarray(_COMPARE[check.op](vec.values, check.operand), dtype=bool)
    if check.op in ("in", "not_in"):
        hit = np.asarray(pd.Series(vec.values, dtype=object).isin(check.operand), dtype=bool)
        return hit if check.op == "in" else ~hit
    text = pd.Series(vec.values, dtype=object).astype(TEXT_DTYPE)
    if check.op == "regex":
        return np.asarray(text.str.fullmatch(check.operand).fillna(False), dtype=bool)
    lengths = text.str.len().to_numpy(dtype=np.int64, na_value=0)
    limit = int(check.operand)
    return np.asarray(lengths >= limit if check.op == "min_length" else lengths <= limit, dtype=bool)


def check_rows(plan: Plan, batch: Batch) -> None:
    """Run the spec's row ``checks``; rows where a used field already failed are skipped."""
    base = len(plan.spec.fields)
    for index, check in enumerate(plan.row_checks):
        env = {name: _for_expr(batch.vecs[name]) for name in check.expr.names}
        result, error = check.expr.evaluate(env, batch.n)
        skip = np.zeros(batch.n, dtype=bool)
        for name in check.expr.names:
            skip |= batch.bad[name]
        failed = ((~result.null & ~result.values.astype(bool)) | error) & ~skip
        if failed.any():
            batch.fail(
                Step.CHECK, base + index, f"check:{check.rule}", failed, _row_reason(plan, batch, check)
            )


def _row_reason(plan: Plan, batch: Batch, check: RowCheck) -> Callable[[int], str]:
    texts = {name: shown(batch.vecs[name], plan.field(name)) for name in sorted(check.expr.names)}

    def why(pos: int) -> str:
        values = ", ".join(f"{name}={value_at(pos)}" for name, value_at in texts.items())
        head = check.message or f"{check.rule} failed: {check.expr.text}"
        return f"{head} ({values})" if values else head

    return why


def find_duplicates(plan: Plan, batch: Batch, rejected: Mask) -> None:
    """Among rows not rejected yet, settle rows sharing a key: keep the last or reject them all."""
    if not plan.key:
        return
    candidates = np.flatnonzero(~rejected)
    if len(candidates) < 2:
        return
    keys = {
        name: to_output(batch.vecs[name], plan.field(name).kind).iloc[candidates].reset_index(drop=True)
        for name in plan.key
    }
    frame = pd.DataFrame({**keys, "__pos": candidates})
    cursor = _cursor(plan, batch)
    if cursor is not None:
        frame["__cursor"] = cursor.iloc[candidates].reset_index(drop=True)
        try:
            frame = frame.sort_values("__cursor", kind="stable", na_position="first")
        except TypeError:  # mixed raw cursor values: order them as text
            frame = frame.assign(__cursor=frame["__cursor"].astype(str)).sort_values(
                "__cursor", kind="stable"
            )
    policy = plan.spec.duplicate_policy
    dup = frame.duplicated(subset=list(plan.key), keep="last" if policy == "keep_last" else False)
    losers = np.zeros(batch.n, dtype=bool)
    losers[frame.loc[dup, "__pos"].to_numpy(dtype=np.int64)] = True
    if not losers.any():
        return
    key_text = {name: shown(batch.vecs[name], plan.field(name)) for name in plan.key}

    def why(pos: int) -> str:
        values = ", ".join(f"{name}={value_at(pos)}" for name, value_at in key_text.items())
        if policy == "keep_last":
            order = f"a later {plan.spec.cursor}" if plan.spec.cursor else "later in the batch"
            return f"superseded by another row with the same key ({values}) and {order}"
        return f"several rows in this batch share the key ({values})"

    batch.fail(Step.DUPLICATE, 0, "duplicate_key", losers, why)


def _cursor(plan: Plan, batch: Batch) -> pd.Series[Any] | None:
    cursor = plan.spec.cursor
    if cursor is None:
        return None
    for fp in plan.fields:  # prefer the typed value of a field read from the cursor column
        if fp.source == cursor and fp.expr is None and not fp.has_const:
            return to_output(batch.vecs[fp.name], fp.kind)
    return batch.column(cursor).reset_index(drop=True)


def _in_spec_order(plan: Plan) -> list[FieldPlan]:
    return [plan.field(name) for name in plan.spec.fields]


def settle_self_references(
    plan: Plan, batch: Batch, keys: Mapping[str, npt.NDArray[np.object_]], rejected: Mask
) -> None:
    """Reject rows whose same-batch referent was itself rejected, until nothing changes.

    ``lookup_fields`` lets a row point at another row of its batch (a dealer's parent in
    the same file). If that parent is rejected by a later rule, the child would reach the
    store pointing at nothing, so it is rejected too — and its own children after it.
    """
    fields = [
        (order, fp)
        for order, fp in enumerate(_in_spec_order(plan))
        if fp.lookup is not None
        and fp.lookup.partition(".")[0] == plan.spec.entity
        and fp.lookup.partition(".")[2] in batch.vecs
        and fp.lookup.partition(".")[2] != fp.name
    ]
    if not fields:
        return
    while True:
        changed = False
        for order, fp in fields:
            assert fp.lookup is not None
            column = fp.lookup.partition(".")[2]
            vec, peer = batch.vecs[fp.name], batch.vecs[column]
            text = value_text(vec, fp)
            known = np.asarray(text.isin(keys[fp.lookup]).fillna(False), dtype=bool)
            alive = ~peer.null & ~batch.bad[column] & ~rejected
            peers = value_text(peer, plan.field(column))[alive].to_numpy(dtype=object)
            in_batch = np.asarray(text.isin(peers).fillna(False), dtype=bool)
            orphan = ~rejected & ~vec.null & ~batch.bad[fp.name] & ~known & ~in_batch
            if orphan.any():
                shown = to_objects(text)
                batch.fail(
                    Step.LOOKUP,
                    order,
                    f"lookup:{fp.name}",
                    orphan,
                    lambda pos, t=shown, n=fp.name, r=fp.lookup: (
                        f"{n}: {show(t[pos])} is not a known {r} (its row in this batch was rejected)"
                    ),
                )
                rejected |= orphan
                changed = True
        if not changed:
            return
