"""Bulk import from CSV and XLSX: grouped by order_ref, errors per row, all or nothing per file."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import Engine

from canonical_model.errors import ConfigError
from dms_core.ordering import ReasonCode, import_orders
from tests.dms_core.ordering_support import (
    DAY,
    assert_consistent,
    count_orders,
    lines_of,
    order_row,
    seed_world,
    settings,
)

HEADER = "dealer_code,order_ref,sku,qty,unit,ship_to\n"
GOOD = HEADER + "DA,PO-1,MILK,2,CS,330106\n" + "DA,PO-1,FORMULA,2,,330106\n" + "DB,PO-2,MILK,24,EA,LOC-DB\n"


@pytest.fixture
def world(engine: Engine) -> Engine:
    seed_world(engine)
    return engine


def write(tmp_path: Path, text: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_become_one_order_per_order_ref(world: Engine, tmp_path: Path) -> None:
    result = import_orders(
        world, write(tmp_path, GOOD), settings=settings(), order_date=DAY, created_by="ops"
    )
    assert result.ok and result.committed and result.rows == 3
    assert [o.status for o in result.orders] == ["allocated", "allocated"]
    first, second = (o.order_no or "" for o in result.orders)
    assert [(line.sku, line.qty_base) for line in lines_of(world, first)] == [("MILK", 48), ("FORMULA", 2)]
    assert order_row(world, second).ship_to_location_code == "LOC-DB"
    assert order_row(world, first).origin == "import"
    assert_consistent(world)


def test_importing_the_same_file_again_creates_nothing_new(world: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    first = import_orders(world, path, settings=settings(), order_date=DAY)
    again = import_orders(world, path, settings=settings(), order_date=DAY)
    assert [o.order_no for o in again.orders] == [o.order_no for o in first.orders]
    assert all(o.replayed for o in again.orders)
    assert count_orders(world) == 2


def test_shape_errors_are_reported_per_row_and_nothing_is_stored(world: Engine, tmp_path: Path) -> None:
    text = (
        HEADER
        + "DA,PO-1,MILK,2,CS,330106\n"
        + "DA,PO-1,,2,CS,330106\n"  # row 3: no sku
        + "DA,PO-1,MILK,two,CS,330106\n"  # row 4: qty not a number
        + "DA,PO-1,MILK,1,CS,330102\n"  # row 5: another ship-to for PO-1
        + ",,,,,\n"  # blank: skipped
        + "DB,PO-2,MILK,-1,CS,330102\n"  # row 7: negative
    )
    result = import_orders(world, write(tmp_path, text), settings=settings(), order_date=DAY)
    assert not result.ok and not result.committed
    assert [(e.row, e.field) for e in result.errors] == [(3, "sku"), (4, "qty"), (5, "ship_to"), (7, "qty")]
    assert count_orders(world) == 0


def test_a_rejected_order_rolls_back_the_whole_file(world: Engine, tmp_path: Path) -> None:
    text = GOOD + "DA,PO-3,MILK,24,EA,330106\nDA,PO-3,BUTTER,1,EA,330106\n"  # row 6: not authorised
    result = import_orders(world, write(tmp_path, text), settings=settings(), order_date=DAY)
    assert not result.committed
    assert [(e.row, e.order_ref, e.reason_code) for e in result.errors] == [
        (6, "PO-3", ReasonCode.NOT_AUTHORIZED_IN_TERRITORY)
    ]
    assert count_orders(world) == 0
    assert_consistent(world)


def test_order_level_failures_point_at_the_first_row_of_the_order(world: Engine, tmp_path: Path) -> None:
    text = HEADER + "DA,PO-1,MILK,24,EA,330106\nNOBODY,PO-9,MILK,24,EA,330106\n"
    result = import_orders(world, write(tmp_path, text), settings=settings(), order_date=DAY)
    assert [(e.row, e.reason_code) for e in result.errors] == [(3, ReasonCode.DEALER_NOT_FOUND)]
    assert count_orders(world) == 0


def test_a_dry_run_reports_but_stores_nothing(world: Engine, tmp_path: Path) -> None:
    result = import_orders(world, write(tmp_path, GOOD), settings=settings(), order_date=DAY, dry_run=True)
    assert result.ok and not result.committed and len(result.orders) == 2
    assert count_orders(world) == 0
    assert_consistent(world)


def test_missing_columns_and_empty_files_are_row_one_errors(world: Engine, tmp_path: Path) -> None:
    missing = import_orders(
        world, write(tmp_path, "dealer_code,sku,qty\nDA,MILK,1\n"), settings=settings(), order_date=DAY
    )
    assert [(e.row, e.field) for e in missing.errors] == [(1, "order_ref"), (1, "ship_to")]
    empty = import_orders(world, write(tmp_path, "", "empty.csv"), settings=settings(), order_date=DAY)
    assert [e.row for e in empty.errors] == [1]


def test_xlsx_files_import_like_csv(world: Engine, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Dealer_Code", "Order_Ref", "SKU", "Qty", "Unit", "Ship_To"])
    sheet.append(["DA", "PO-1", "MILK", 2, "CS", 330106])  # Excel keeps the region as a number
    sheet.append(["DA", "PO-1", "FORMULA", 2.0, None, 330106])
    path = tmp_path / "orders.xlsx"
    workbook.save(path)
    result = import_orders(world, path, settings=settings(), order_date=DAY)
    assert result.ok and result.committed
    [outcome] = result.orders
    assert [(line.sku, line.qty_base) for line in lines_of(world, outcome.order_no or "")] == [
        ("MILK", Decimal(48)),
        ("FORMULA", Decimal(2)),
    ]


def test_a_file_object_needs_its_format_named(world: Engine) -> None:
    with pytest.raises(ConfigError, match="cannot tell the import format"):
        import_orders(world, io.BytesIO(GOOD.encode()), settings=settings(), order_date=DAY)
    result = import_orders(
        world, io.BytesIO(GOOD.encode("utf-8-sig")), settings=settings(), order_date=DAY, file_format="csv"
    )
    assert result.committed
