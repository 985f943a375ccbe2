"""wms-sftp through the sync engine with its packaged mappings, over a real sshd, on both databases."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import (
    dealers,
    locations,
    products,
    quarantine,
    shipment_lines,
    shipments,
    stock_levels,
    trace_codes,
)
from connectors.wms_sftp.sandbox import inventory_lines, shipment_rows, write_drop_file
from connectors.wms_sftp.source import WmsSftpSource
from flows.sync.engine import SyncRequest, run_sync
from mappings.registry import load_spec_for
from mappings.schema_check import check_spec_against_schema
from tests.connectors.wms_sftp.conftest import SETTLED
from tests.connectors.wms_sftp.test_streams import INVENTORY, SHP_COLUMNS

GOOD_ROWS = 200


def seed(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(dealers), [{"code": f"D-00{i}", "name": f"经销商{i}", "level": 2} for i in (1, 2)]
        )
        conn.execute(
            sa.insert(locations),
            [{"code": code, "name": code, "kind": "brand_warehouse"} for code in ("WH-SH", "WH-BJ")],
        )
        skus = [f"SKU-{i:05d}" for i in range(GOOD_ROWS)] + ["SKU-A", "SKU-B"]
        conn.execute(sa.insert(products), [{"sku": sku, "name": sku} for sku in skus])


def sync(engine: Engine, config: dict[str, Any], *streams: str) -> dict[str, Any]:
    result = run_sync(
        engine,
        SyncRequest("wms-sftp", config, streams=list(streams)),
        source=WmsSftpSource(sleep=lambda _s: None),
    )
    return {s.stream: s for s in result.streams} | {"status": result.status}


def test_a_snapshot_with_broken_rows_loads_the_rest_and_quarantines_them(
    engine: Engine, sftp_config: dict[str, Any], drop: Path
) -> None:
    seed(engine)
    good = [line.rstrip("\n").split(",")[:7] for line in inventory_lines(GOOD_ROWS)]
    broken = [
        ["WH-SH", "SKU-99999", "L1", "120", "0", "2027-06-30", "2026-05-01T08:00:00+08:00"],  # unknown SKU
        ["WH-SH", "SKU-A", "L1", "12箱", "0", "2027-06-30", "2026-05-01T08:00:00+08:00"],  # not a number
        ["WH-SH", "SKU-B", "L1", "-24", "0", "2027-06-30", "2026-05-01T08:00:00+08:00"],  # negative
        ["WH-SH", "SKU-A"],  # a line cut short
    ]
    rows = good[:3] + broken[:1] + good[3:10] + broken[1:2] + good[10:] + broken[2:]
    write_drop_file(drop / "out", "inv_WH-SH_20260501.csv", INVENTORY, rows, encoding="gbk", mtime=SETTLED)
    config = {**sftp_config, "chunk_rows": 64}

    first = sync(engine, config, "inventory")
    inventory = first["inventory"]
    assert first["status"] == "succeeded"
    assert (inventory.read, inventory.loaded, inventory.rejected) == (GOOD_ROWS + 4, GOOD_ROWS, 4)
    assert inventory.batches == 4 and inventory.reconciles
    with engine.connect() as conn:
        loaded = conn.execute(sa.select(sa.func.count()).select_from(stock_levels)).scalar()
        quarantined = conn.execute(
            sa.select(quarantine.c.rule, quarantine.c.reason, quarantine.c.source_offset)
        ).all()
        sample = conn.execute(
            sa.select(stock_levels.c.on_hand, stock_levels.c.source_key).where(
                stock_levels.c.sku == "SKU-00007"
            )
        ).one()
    assert loaded == GOOD_ROWS
    assert sorted(rule for rule, _, _ in quarantined) == [
        "cast:on_hand",
        "check:on_hand",
        "lookup:sku",
        "required:on_hand",
    ]
    assert any("does not split into the header" in reason for _, reason, _ in quarantined)
    assert all(offset.startswith("inv_WH-SH_20260501.csv:lines=") for _, _, offset in quarantined)
    assert sample == (Decimal(49), "inv_WH-SH_20260501.csv")

    again = sync(engine, config, "inventory")
    assert again["inventory"].read == 0  # read once; archived now that its done mark is committed
    assert [p.name for p in (drop / "out" / "archive").iterdir()] == ["inv_WH-SH_20260501.csv"]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(quarantine)).scalar() == 4


def test_a_shipment_confirmation_loads_shipments_lines_and_trace_code_bindings(
    engine: Engine, sftp_config: dict[str, Any], drop: Path
) -> None:
    seed(engine)
    rows = shipment_rows(
        "SHP-0001", order_no="SO-1", dealer_code="D-001", warehouse_code="WH-SH",
        lines=[("SKU-00001", "L000000", 7), ("SKU-00002", "", 3)],
    )  # fmt: skip
    rows.append([*rows[0][:7], "3", "SKU-A", "", "1", rows[0][11], "20-digit-drug-code-1"])
    rows.append(
        [
            "SHP-0002",
            "SO-2",
            "D-001",
            "WH-XX",
            "SF",
            "SF9",
            "2026-05-01 16:00:00",
            "1",
            "SKU-B",
            "",
            "2",
            "",
            "",
        ]
    )
    write_drop_file(drop / "out", "shp_20260501.csv", SHP_COLUMNS, rows, mtime=SETTLED)

    result = sync(engine, sftp_config, "shipments", "shipment_lines", "trace_codes")
    assert result["status"] == "succeeded"
    assert (result["shipments"].loaded, result["shipments"].rejected) == (1, 1)  # WH-XX is no warehouse
    assert (result["shipment_lines"].loaded, result["shipment_lines"].rejected) == (3, 1)  # SHP-0002's line
    # 10 items in 3 cartons (7 of line 1 in two, 3 of line 2 in one); the drug code is rejected
    assert (result["trace_codes"].loaded, result["trace_codes"].rejected) == (13, 1)
    with engine.connect() as conn:
        shipment = conn.execute(sa.select(shipments).where(shipments.c.shipment_no == "SHP-0001")).one()
        lines = conn.execute(
            sa.select(shipment_lines.c.line_no, shipment_lines.c.qty).order_by("line_no")
        ).all()
        items = conn.execute(sa.select(trace_codes).where(trace_codes.c.kind == "item")).all()
        cases = (
            conn.execute(sa.select(trace_codes.c.code).where(trace_codes.c.kind == "case")).scalars().all()
        )
        rules = sorted(conn.execute(sa.select(quarantine.c.rule)).scalars())
    assert (shipment.location_code, shipment.carrier_code, shipment.status) == ("WH-SH", "SF", "picked_up")
    assert shipment.shipped_at.isoformat() == "2026-05-01T07:30:00+00:00"
    assert [tuple(line) for line in lines] == [(1, Decimal(7)), (2, Decimal(3)), (3, Decimal(1))]
    assert len(items) == 10 and {i.parent_code for i in items} == set(cases) and len(cases) == 3
    assert {(i.owner_dealer_code, i.order_no, i.status) for i in items} == {("D-001", "SO-1", "shipped")}
    assert all(i.code.startswith("urn:epc:id:sgtin:6901234.") for i in items)
    assert rules == ["check:readable_trace_code", "lookup:location_code", "lookup:shipment_no"]

    sync(engine, sftp_config, "shipments", "shipment_lines", "trace_codes")
    assert [p.name for p in (drop / "out" / "archive").iterdir()] == ["shp_20260501.csv"]


def test_the_packaged_mappings_fit_the_streams_schemas(local_config: dict[str, Any]) -> None:
    source = WmsSftpSource()
    for stream in source.hub_streams(source.parse_config(local_config)):
        if stream.name == "receipts":
            continue  # no canonical receipts entity yet
        spec = load_spec_for("wms-sftp", stream.name)
        assert check_spec_against_schema(spec, stream.json_schema) == [], stream.name
