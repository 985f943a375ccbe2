"""The dealer closure table: subtree queries, moves, broken trees, and an index plan at 100k dealers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.errors import ValidationError
from canonical_model.store.hierarchy import (
    is_in_subtree,
    refresh_dealer_closure,
    subtree_codes,
    subtree_select,
)
from canonical_model.tables import dealer_closure, dealers

TREE = [  # code, level, parent
    ("BRAND", 0, None),
    ("N-EAST", 1, "BRAND"),
    ("N-SOUTH", 1, "BRAND"),
    ("L1-SH", 2, "N-EAST"),
    ("L2-SH-PD", 3, "L1-SH"),
    ("T-SH-001", 4, "L2-SH-PD"),
    ("T-SH-002", 4, "L1-SH"),
    ("L1-GZ", 2, "N-SOUTH"),
    ("T-GZ-001", 4, "L1-GZ"),
]


def _insert(conn: sa.Connection, rows: list[tuple[str, int, str | None]]) -> None:
    conn.execute(
        dealers.insert(), [{"code": c, "name": c, "level": lv, "parent_code": p} for c, lv, p in rows]
    )


def test_subtree_is_the_dealer_and_everything_below(engine: Engine) -> None:
    with engine.begin() as conn:
        _insert(conn, TREE)
        written = refresh_dealer_closure(conn)
        assert written == 9 + (1 + 1 + 2 + 3 + 4 + 3 + 2 + 3)  # self rows + each dealer's ancestors
        assert subtree_codes(conn, "N-EAST") == ["L1-SH", "L2-SH-PD", "N-EAST", "T-SH-001", "T-SH-002"]
        assert subtree_codes(conn, "L1-SH", include_self=False) == ["L2-SH-PD", "T-SH-001", "T-SH-002"]
        assert subtree_codes(conn, "T-GZ-001") == ["T-GZ-001"]
        assert is_in_subtree(conn, "BRAND", "T-GZ-001")
        assert not is_in_subtree(conn, "N-EAST", "T-GZ-001")
        assert not is_in_subtree(conn, "T-SH-001", "L1-SH")  # never upwards


def test_moving_a_dealer_moves_its_whole_subtree(engine: Engine) -> None:
    with engine.begin() as conn:
        _insert(conn, TREE)
        refresh_dealer_closure(conn)
        conn.execute(dealers.update().where(dealers.c.code == "L1-SH").values(parent_code="N-SOUTH"))
        refresh_dealer_closure(conn, ["L1-SH"])
        assert subtree_codes(conn, "N-EAST") == ["N-EAST"]
        assert "T-SH-001" in subtree_codes(conn, "N-SOUTH")
        depth = conn.execute(
            sa.select(dealer_closure.c.depth).where(
                dealer_closure.c.ancestor_code == "BRAND", dealer_closure.c.descendant_code == "T-SH-001"
            )
        ).scalar_one()
        assert depth == 4


def test_a_parent_at_the_same_or_lower_level_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        _insert(conn, [("BRAND", 0, None), ("A", 2, "BRAND"), ("B", 2, "A")])
        with pytest.raises(ValidationError, match=r"B \(level 2\) under A \(level 2\)"):
            refresh_dealer_closure(conn)


def test_subtree_of_100k_dealers_is_an_index_lookup_on_postgresql(pg_engine: Engine) -> None:
    # 1 brand, 10 national, 1,000 level-1, 10,000 level-2, 88,989 terminals = 100,000 dealers.
    rows: list[tuple[str, int, str | None]] = [("B", 0, None)]
    rows += [(f"N{i}", 1, "B") for i in range(10)]
    rows += [(f"L{i}", 2, f"N{i % 10}") for i in range(1000)]
    rows += [(f"M{i}", 3, f"L{i % 1000}") for i in range(10_000)]
    rows += [(f"T{i}", 4, f"M{i % 10_000}") for i in range(100_000 - len(rows))]
    with pg_engine.begin() as conn:
        _insert(conn, rows)
        refresh_dealer_closure(conn)
        conn.exec_driver_sql("ANALYZE dealer_closure")
        assert len(subtree_codes(conn, "N3")) == 1 + 100 + 1000 + 8899
        compiled = subtree_select("L7").compile(conn, compile_kwargs={"literal_binds": True})
        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
    assert "Index" in plan and "Seq Scan" not in plan, plan
