"""The ordering dealer as the pipeline reads it: its row (locked) and its facts.

The dealer row lock (``SELECT … FOR UPDATE``) is what serialises one dealer's credit
checks on PostgreSQL: take it before reading the exposure. Statements are built once,
with bound parameters, so no order pays for building them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from canonical_model.store.hierarchy import is_in_subtree
from canonical_model.tables import authorizations, contracts, dealer_qualifications, dealers
from dms_core.ordering.facts import AuthorizationInfo, ContractInfo, Dealer, DealerFacts, QualificationInfo

__all__ = ["dealer_facts", "lock_dealer", "owns_location"]

_CODE = sa.bindparam("code", type_=sa.String)
_LOCK_DEALER = (
    sa.select(
        dealers.c.code,
        dealers.c.level,
        dealers.c.status,
        dealers.c.grade,
        dealers.c.region_code,
        dealers.c.credit_limit,
        dealers.c.currency,
        dealers.c.contract_required,
    )
    .where(dealers.c.code == _CODE, dealers.c.deleted_at.is_(None))
    .with_for_update()
)


def _facts_query() -> sa.CompoundSelect[Any]:
    q, c, a = dealer_qualifications, contracts, authorizations
    null = sa.null()
    return sa.union_all(
        sa.select(
            sa.literal_column("'q'").label("kind"),
            q.c.kind.label("x"),
            null.label("y"),
            null.label("z"),
            q.c.valid_from.label("valid_from"),
            q.c.valid_until.label("valid_until"),
        ).where(q.c.dealer_code == _CODE, q.c.deleted_at.is_(None)),
        sa.select(
            sa.literal_column("'c'"), c.c.contract_no, c.c.status, null, c.c.valid_from, c.c.valid_until
        ).where(c.c.dealer_code == _CODE, c.c.deleted_at.is_(None)),
        sa.select(
            sa.literal_column("'a'"),
            a.c.scope_type,
            a.c.scope_code,
            a.c.region_code,
            a.c.valid_from,
            a.c.valid_until,
        ).where(a.c.dealer_code == _CODE, a.c.deleted_at.is_(None)),
    )


_DEALER_FACTS = _facts_query()


def lock_dealer(conn: sa.Connection, code: str) -> Dealer | None:
    """The live dealer row, locked ``FOR UPDATE`` until the transaction ends; ``None`` if absent."""
    row = conn.execute(_LOCK_DEALER, {"code": code}).first()
    if row is None:
        return None
    return Dealer(
        row.code,
        int(row.level),
        row.status,
        row.grade,
        row.region_code,
        row.credit_limit,
        row.currency,
        bool(row.contract_required),
    )


def dealer_facts(conn: sa.Connection, code: str) -> DealerFacts:
    """Qualifications, contracts and authorizations of one dealer, in one UNION ALL query."""
    quals: list[QualificationInfo] = []
    deals: list[ContractInfo] = []
    auths: list[AuthorizationInfo] = []
    for kind, x, y, z, valid_from, valid_until in conn.execute(_DEALER_FACTS, {"code": code}):
        if kind == "q":
            quals.append(QualificationInfo(x, valid_from, valid_until))
        elif kind == "c":
            deals.append(ContractInfo(x, y, valid_from, valid_until))
        else:
            auths.append(AuthorizationInfo(x, y, z, valid_from, valid_until))
    return DealerFacts(tuple(quals), tuple(deals), tuple(auths))


def owns_location(conn: sa.Connection, dealer_code: str, owner_code: str) -> bool:
    """True if the location owner is the dealer or a dealer below it (closure table)."""
    return owner_code == dealer_code or is_in_subtree(conn, dealer_code, owner_code)
