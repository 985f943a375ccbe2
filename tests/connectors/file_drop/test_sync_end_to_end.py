"""``file-drop`` end to end through ``run_sync`` with the shipped mappings, on SQLite and PostgreSQL.

The demo's WMS snapshot (``flows.demo.stock_files``) is written to a folder and synced: good
rows load, the three deliberately bad rows land in quarantine at their file:line, counts
reconcile, reruns read nothing, new files are picked up, a full refresh soft-deletes the rows
of a removed file, and a sync killed half-way through a file resumes without losing or
doubling a row.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import dealers, products, quarantine, stock_levels, sync_runs
from connectors.file_drop.source import FileDropSource
from flows.demo.load import load_sample_network
from flows.demo.sample_network import SampleNetwork, build_sample_network
from flows.demo.stock_files import bad_rows_in_snapshot, snapshot_file_name, write_stock_snapshot
from flows.sync.engine import SyncRequest, run_sync
from flows.sync.result import StreamResult

StockKey = tuple[str, str, str]


class Killed(Exception):
    """The process dying right after a batch was committed."""


@pytest.fixture(scope="module")
def network() -> SampleNetwork:
    return build_sample_network()


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "wms-out"
    folder.mkdir()
    return folder


def reference_only(network: SampleNetwork, *, keep: tuple[str, ...]) -> SampleNetwork:
    """The network with only the tables in ``keep`` (the rest come from the files)."""
    emptied = {name: [] for name in network.counts() if name not in keep}
    return dataclasses.replace(network, **emptied)


def load_reference(engine: Engine, network: SampleNetwork) -> None:
    """Catalogue, warehouses and dealers in the store; stock comes from the WMS files."""
    load_sample_network(engine, dataclasses.replace(network, stock_levels=[]))


def sync(engine: Engine, drop: Path, *, full_refresh: bool = False, **config: Any) -> StreamResult:
    request = SyncRequest(
        "file-drop", {"path": str(drop), **config}, streams=["stock"], full_refresh=full_refresh
    )
    result = run_sync(engine, request, source=FileDropSource(sleep=lambda seconds: None))
    [stream] = result.streams
    assert stream.error is None and stream.reconciles
    return stream


def good_stock(network: SampleNetwork, *, without: str | None = None) -> dict[StockKey, Decimal]:
    return {
        (r["location_code"], r["sku"], r["lot"]): r["on_hand"]
        for r in network.stock_levels
        if r["location_code"] != without
    }


def live_stock(engine: Engine) -> dict[StockKey, Decimal]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                stock_levels.c.location_code, stock_levels.c.sku, stock_levels.c.lot, stock_levels.c.on_hand
            ).where(stock_levels.c.deleted_at.is_(None))
        )
        return {(loc, sku, lot): on_hand for loc, sku, lot, on_hand in rows}


def quarantined(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(quarantine.c.rule, quarantine.c.source_offset, quarantine.c.raw, quarantine.c.reason)
        )
        return sorted((dict(row._mapping) for row in rows), key=lambda row: int(row["raw"]["_line"]))


def test_the_snapshot_loads_its_good_rows_and_quarantines_the_three_bad_ones_at_their_lines(
    engine: Engine, network: SampleNetwork, drop: Path
) -> None:
    load_reference(engine, network)
    write_stock_snapshot(network, drop)
    stream = sync(engine, drop)
    good = good_stock(network)
    assert (stream.read, stream.loaded, stream.rejected) == (len(good) + 3, len(good), 3)
    assert live_stock(engine) == good
    bad = bad_rows_in_snapshot(network)
    first_line = 2  # the bad rows' file is read in one page: lines 2..last
    expected = [
        (
            {
                "unknown_sku": "lookup:sku",
                "not_a_number": "cast:on_hand",
                "negative_quantity": "check:on_hand",
            }[row.reason],
            f"{row.file_name}:lines={first_line}-{bad[-1].line_no}#{row.line_no - first_line + 1}",
            row.line_no,
            row.value,
        )
        for row in bad
    ]
    found = [
        (q["rule"], q["source_offset"], int(q["raw"]["_line"]), q["raw"][row.field])
        for q, row in zip(quarantined(engine), bad, strict=True)
    ]
    assert found == expected
    with engine.connect() as conn:
        run = conn.execute(
            sa.select(
                sync_runs.c.status,
                sync_runs.c.records_read,
                sync_runs.c.records_loaded,
                sync_runs.c.records_rejected,
            )
        ).one()
    assert tuple(run) == ("succeeded", len(good) + 3, len(good), 3)


def test_an_incremental_rerun_reads_nothing_and_a_new_file_is_picked_up(
    engine: Engine, network: SampleNetwork, drop: Path
) -> None:
    load_reference(engine, network)
    write_stock_snapshot(network, drop)
    sync(engine, drop)
    assert sync(engine, drop).read == 0
    sku = next(r for r in network.stock_levels if r["location_code"] == "WH-GZ")
    (drop / "inv_WH-GZ_20261101_recount.csv").write_text(
        "warehouse_code,sku,lot,on_hand,in_transit,expiry_date,updated_at\n"
        f"WH-GZ,{sku['sku']},{sku['lot']},4242,0,,2026-11-01T12:00:00+08:00\n",
        encoding="utf-8",
    )
    again = sync(engine, drop)
    assert (again.read, again.loaded, again.updated) == (1, 1, 1)
    assert live_stock(engine)[("WH-GZ", sku["sku"], sku["lot"])] == Decimal(4242)
    assert len(quarantined(engine)) == 3  # the snapshot's bad rows were not read again


def test_a_full_refresh_soft_deletes_the_rows_of_a_removed_file(
    engine: Engine, network: SampleNetwork, drop: Path
) -> None:
    load_reference(engine, network)
    write_stock_snapshot(network, drop)
    sync(engine, drop)
    (drop / snapshot_file_name("WH-GZ", network.today)).unlink()
    refreshed = sync(engine, drop, full_refresh=True)
    removed = good_stock(network).keys() - good_stock(network, without="WH-GZ").keys()
    assert refreshed.deleted == len(removed) > 0
    assert live_stock(engine) == good_stock(network, without="WH-GZ")


def test_a_sync_killed_half_way_through_a_file_resumes_without_losing_or_doubling_a_row(
    engine: Engine, network: SampleNetwork, drop: Path
) -> None:
    load_reference(engine, network)
    write_stock_snapshot(network, drop)

    def die_after_two_batches(outcome: StreamResult) -> None:
        if outcome.batches == 2:
            raise Killed

    request = SyncRequest("file-drop", {"path": str(drop), "chunk_rows": 50}, streams=["stock"])
    with pytest.raises(Killed):
        run_sync(engine, request, source=FileDropSource(sleep=lambda s: None), progress=die_after_two_batches)
    assert len(live_stock(engine)) == 100 - 2  # lines 2..101 of the first file, two bad rows among them
    resumed = sync(engine, drop, chunk_rows=50)
    good = good_stock(network)
    assert resumed.read == len(good) + 3 - 100
    assert live_stock(engine) == good
    assert len(quarantined(engine)) == 3


def test_malformed_and_truncated_lines_are_quarantined_and_counts_still_reconcile(
    engine: Engine, network: SampleNetwork, drop: Path
) -> None:
    load_reference(engine, network)
    row = "WH-SH,{sku},L-{n},{n},0,2027-01-01,2026-11-01T06:00:00+08:00"
    skus = [p["sku"] for p in network.products[:4]]
    lines = [
        "warehouse_code,sku,lot,on_hand,in_transit,expiry_date,updated_at",
        row.format(sku=skus[0], n=1),
        row.format(sku=skus[1], n=2) + ",overflow",  # line 3: one field too many
        row.format(sku=skus[2], n=3) + ',"2"x',  # line 4: broken quoting
        row.format(sku=skus[3], n=4),
        "WH-SH," + skus[0] + ",L-5,1",  # line 6: cut off mid-record (the file's last line)
    ]
    (drop / "inv_WH-SH_20261101.csv").write_text("\n".join(lines), encoding="utf-8")
    stream = sync(engine, drop)
    assert (stream.read, stream.loaded, stream.rejected) == (5, 2, 3)
    rejects = quarantined(engine)
    assert [int(q["raw"]["_line"]) for q in rejects] == [3, 4, 6]
    assert rejects[0]["rule"] == "check:well_formed_line"
    assert all("the line does not split into the header's columns" in q["reason"] for q in rejects)
    assert rejects[0]["raw"]["_malformed"].startswith("8 fields where the header has 7: ")


def test_a_gbk_encoded_snapshot_loads_like_a_utf8_one(
    engine: Engine, network: SampleNetwork, drop: Path
) -> None:
    load_reference(engine, network)
    write_stock_snapshot(network, drop, encoding="gbk")
    stream = sync(engine, drop, encoding="auto")
    assert (stream.loaded, stream.rejected) == (len(good_stock(network)), 3)
    assert any(q["raw"]["on_hand"] == "12箱" for q in quarantined(engine))  # decoded, not mojibake


def test_products_from_xlsx_and_dealers_from_json_lines_load_through_their_mappings(
    engine: Engine, network: SampleNetwork, drop: Path
) -> None:
    import json

    import openpyxl

    load_sample_network(engine, reference_only(network, keep=("regions", "product_lines")))
    columns = [
        "sku",
        "gtin",
        "name",
        "brand",
        "product_line_code",
        "base_unit",
        "case_pack",
        "order_multiple",
        "min_order_qty",
        "shelf_life_days",
        "guide_price",
        "price_floor",
        "currency",
        "status",
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(columns)
    for product in network.products:
        sheet.append([str(product[c]) if isinstance(product[c], Decimal) else product[c] for c in columns])
    sheet.cell(row=3, column=2, value="06923456100016")  # SKU-10002 with a wrong check digit
    book.save(drop / "products_20261101.xlsx")
    with (drop / "dealers_20261101.jsonl").open("w", encoding="utf-8") as handle:
        for dealer in network.dealers:
            handle.write(
                json.dumps(
                    {k: str(v) if isinstance(v, Decimal) else v for k, v in dealer.items()},
                    ensure_ascii=False,
                )
                + "\n"
            )
        handle.write('{"code": "T-BROKEN", "name": \n')
    request = SyncRequest("file-drop", {"path": str(drop)}, streams=["products", "dealers"])
    result = run_sync(engine, request, source=FileDropSource(sleep=lambda s: None))
    by_name = {s.stream: s for s in result.streams}
    assert result.status == "succeeded" and all(s.reconciles for s in result.streams)
    assert (by_name["products"].loaded, by_name["products"].rejected) == (len(network.products) - 1, 1)
    assert (by_name["dealers"].loaded, by_name["dealers"].rejected) == (len(network.dealers), 1)
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(products)).scalar()
            == len(network.products) - 1
        )
        levels = dict(conn.execute(sa.select(dealers.c.code, dealers.c.level)).all())
        rules = sorted(conn.execute(sa.select(quarantine.c.stream, quarantine.c.rule)).all())
    assert levels == {d["code"]: d["level"] for d in network.dealers}
    assert rules == [("dealers", "required:code"), ("products", "check:gtin_check_digit")]
