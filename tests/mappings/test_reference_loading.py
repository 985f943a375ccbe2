"""load_reference_data reads exactly what a spec needs from the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import products, unit_conversions
from mappings.engine import compile_mapping
from mappings.reference import load_reference_data
from mappings.spec import load_spec


def seed(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(products),
            [
                {"sku": "A", "name": "Tea", "base_unit": "EA", "deleted_at": None},
                {"sku": "B", "name": "Oil", "base_unit": "kg", "deleted_at": None},
                {
                    "sku": "OLD",
                    "name": "Gone",
                    "base_unit": "EA",
                    "deleted_at": datetime(2024, 1, 1, tzinfo=UTC),
                },
            ],
        )
        conn.execute(sa.insert(unit_conversions), [{"sku": "A", "unit": "cs", "factor": Decimal("12")}])


def test_lookup_keys_and_unit_factors_come_from_live_rows(engine: Engine, specs_dir: Path) -> None:
    seed(engine)
    spec = load_spec(specs_dir / "file-drop" / "stock.yaml")
    with engine.connect() as conn:
        reference = load_reference_data(conn, spec)
    assert reference.keys == {"products.sku": frozenset({"A", "B"})}
    assert reference.base_units == {"A": "EA", "B": "KG"}
    assert reference.unit_factors == {("A", "CS"): Decimal("12")}


def test_a_spec_without_lookups_reads_nothing(engine: Engine, specs_dir: Path) -> None:
    seed(engine)
    spec = load_spec(specs_dir / "pay" / "payments.yaml")
    with engine.connect() as conn:
        reference = load_reference_data(conn, spec, fx_rates={("EUR", "CNY"): Decimal("7.8")})
    assert (dict(reference.keys), dict(reference.unit_factors)) == ({}, {})
    assert reference.fx_rates == {("EUR", "CNY"): Decimal("7.8")}


def test_loaded_reference_data_drives_the_mapping(engine: Engine, specs_dir: Path) -> None:
    seed(engine)
    spec = load_spec(specs_dir / "file-drop" / "stock.yaml")
    with engine.connect() as conn:
        mapping = compile_mapping(spec, reference=load_reference_data(conn, spec))
    batch = mapping.apply(
        pd.DataFrame(
            {
                "warehouse_code": ["w1", "w1", "w1"],
                "item_no": ["A", "OLD", "B"],
                "qty": ["2", "1", "1.5"],
                "uom": ["CS", "EA", "KG"],
                "updated_at": ["2024-01-01 08:00:00"] * 3,
            }
        )
    )
    assert batch.valid["on_hand"].tolist() == [Decimal("24.0000"), Decimal("1.5000")]
    assert [r.rule for r in batch.rejects] == ["lookup:sku"]
