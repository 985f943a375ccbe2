"""The dealer tree as a closure table: "this dealer and all below" is one indexed lookup.

``dealer_closure`` holds one row per (ancestor, descendant) pair, including each dealer
with itself at depth 0. It is derived from ``dealers.parent_code`` and refreshed after
dealers change: fully, or only for the subtrees that moved.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from canonical_model.errors import ValidationError
from canonical_model.tables import dealer_closure, dealers

__all__ = [
    "MAX_DEPTH",
    "is_in_subtree",
    "refresh_dealer_closure",
    "subtree_codes",
    "subtree_select",
]

MAX_DEPTH = 16
"""Deeper than any real network (brand → terminal is 4); a longer chain means a cycle."""


def _chain(descendants: sa.Select[tuple[str]] | None) -> sa.CTE:
    start = sa.select(
        dealers.c.code.label("descendant_code"),
        dealers.c.code.label("ancestor_code"),
        sa.literal(0, sa.Integer).label("depth"),
    )
    if descendants is not None:
        start = start.where(dealers.c.code.in_(descendants))
    chain = start.cte("chain", recursive=True)
    parent = dealers.alias("parent_of")
    step = (
        sa.select(chain.c.descendant_code, parent.c.parent_code, (chain.c.depth + 1).label("depth"))
        .join(parent, parent.c.code == chain.c.ancestor_code)
        .where(parent.c.parent_code.is_not(None), chain.c.depth < MAX_DEPTH)
    )
    return chain.union_all(step)


def _check_tree(conn: sa.Connection) -> None:
    child, parent = dealers.alias("child"), dealers.alias("parent")
    bad = conn.execute(
        sa.select(child.c.code, child.c.level, parent.c.code, parent.c.level)
        .join(parent, parent.c.code == child.c.parent_code)
        .where(parent.c.level >= child.c.level)
        .limit(5)
    ).all()
    if bad:
        listed = "; ".join(f"{c} (level {cl}) under {p} (level {pl})" for c, cl, p, pl in bad)
        raise ValidationError(
            f"dealer tree broken: a parent must sit at a higher level than its child: {listed}"
        )


def refresh_dealer_closure(conn: sa.Connection, codes: Iterable[str] | None = None) -> int:
    """Rebuild closure rows for ``codes`` and everything below them (all dealers if None).

    Runs inside the caller's transaction. Returns the number of closure rows written.
    Raises ``ValidationError`` if a parent is not above its child (which also rules out cycles).
    """
    _check_tree(conn)
    if codes is None:
        conn.execute(sa.delete(dealer_closure))
        affected: sa.Select[tuple[str]] | None = None
    else:
        code_list = sorted(set(codes))
        if not code_list:
            return 0
        below = sa.select(dealer_closure.c.descendant_code).where(
            dealer_closure.c.ancestor_code.in_(code_list)
        )
        affected_codes = set(conn.execute(below).scalars()) | set(code_list)
        affected = sa.select(dealers.c.code).where(dealers.c.code.in_(sorted(affected_codes)))
        conn.execute(
            sa.delete(dealer_closure).where(dealer_closure.c.descendant_code.in_(sorted(affected_codes)))
        )
    chain = _chain(affected)
    insert = dealer_closure.insert().from_select(
        ["ancestor_code", "descendant_code", "depth"],
        sa.select(chain.c.ancestor_code, chain.c.descendant_code, chain.c.depth),
    )
    conn.execute(insert)
    written = sa.select(sa.func.count()).select_from(dealer_closure)
    if affected is not None:
        written = written.where(dealer_closure.c.descendant_code.in_(affected))
    return int(conn.execute(written).scalar_one())


def subtree_select(code: str, *, include_self: bool = True) -> sa.Select[tuple[str]]:
    """A SELECT of the codes at or below ``code``: use it inside ``IN (...)`` filters."""
    query = sa.select(dealer_closure.c.descendant_code).where(dealer_closure.c.ancestor_code == code)
    if not include_self:
        query = query.where(dealer_closure.c.depth > 0)
    return query


def subtree_codes(conn: sa.Connection, code: str, *, include_self: bool = True) -> list[str]:
    """Codes of ``code`` and every dealer below it, sorted."""
    return sorted(conn.execute(subtree_select(code, include_self=include_self)).scalars())


def is_in_subtree(conn: sa.Connection, ancestor: str, descendant: str) -> bool:
    """True if ``descendant`` is ``ancestor`` or sits anywhere below it."""
    found = conn.execute(
        sa.select(sa.literal(1)).where(
            dealer_closure.c.ancestor_code == ancestor, dealer_closure.c.descendant_code == descendant
        )
    ).first()
    return found is not None
