"""wms-sftp streams over a real sshd and over a local folder: each file once, resumable, archived late."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from canonical_model.errors import ConfigError
from connectors.contract import Batch, HubStream
from connectors.errors import FatalConnectorError, RetriableConnectorError
from connectors.wms_sftp.sandbox import (
    SNAPSHOT_COLUMNS,
    inventory_lines,
    write_drop_file,
    write_inventory_file,
)
from connectors.wms_sftp.source import WmsSftpSource
from tests.connectors.sshd import SshdServer
from tests.connectors.wms_sftp.conftest import SETTLED

INVENTORY = ("warehouse_code", "sku", "lot", "on_hand", "in_transit", "expiry_date", "updated_at")


def streams(config: Mapping[str, Any], source: WmsSftpSource | None = None) -> dict[str, HubStream]:
    source = source or WmsSftpSource(sleep=lambda _s: None)
    return {s.name: s for s in source.hub_streams(source.parse_config(config))}


def read(config: Mapping[str, Any], name: str, state: Mapping[str, Any] | None = None) -> list[Batch]:
    return list(streams(config)[name].read_batches(state))


def rows(batches: list[Batch]) -> pd.DataFrame:
    return pd.concat([b.frame for b in batches], ignore_index=True)


def inventory_file(
    folder: Path, name: str, count: int, *, mtime: float = SETTLED, encoding: str = "utf-8"
) -> Path:
    lines = [line.rstrip("\n").split(",")[:7] for line in inventory_lines(count)]
    return write_drop_file(folder, name, INVENTORY, lines, mtime=mtime, encoding=encoding)


def test_a_gbk_snapshot_streams_over_sftp_in_chunks_numbered_by_line(
    sftp_config: dict[str, Any], drop: Path
) -> None:
    write_inventory_file(drop / "out" / "inv_WH_0501.csv", 2_500, encoding="gbk", mtime=SETTLED)
    config = {**sftp_config, "chunk_rows": 1_000, "block_bytes": 32_768}
    batches = read(config, "inventory")
    frame = rows(batches)
    assert [len(b.frame) for b in batches] == [1_000, 1_000, 500]
    assert frame["_line"].tolist() == list(range(2, 2_502))
    assert set(frame["item_name"]) == {
        "矿泉水 550ml",
        "绿茶 500ml",
        "乌龙茶 500ml",
        "苏打水 350ml",
        "果汁 1L",
    }
    assert (frame["_malformed"] == "").all() and (frame["_file"] == "inv_WH_0501.csv").all()
    assert batches[0].state["reading"]["codec"] == "gb18030"  # auto: decided at the first Chinese text
    assert batches[-1].state == {
        "done": {"inv_WH_0501.csv": [(drop / "out" / "inv_WH_0501.csv").stat().st_size, int(SETTLED)]}
    }
    assert [c for c in frame.columns if not c.startswith("_")] == list(SNAPSHOT_COLUMNS)


@pytest.mark.parametrize("mode", ["sftp", "local"])
def test_each_file_is_read_once_and_archived_only_after_its_committed_state_says_done(
    mode: str, request: pytest.FixtureRequest, drop: Path
) -> None:
    config = request.getfixturevalue(f"{mode}_config")
    inventory_file(drop / "out", "inv_A_0501.csv", 30)
    inventory_file(drop / "out", "inv_B_0501.csv", 20)
    first = read(config, "inventory")
    assert sum(len(b.frame) for b in first) == 50
    assert sorted(p.name for p in (drop / "out").iterdir()) == ["inv_A_0501.csv", "inv_B_0501.csv"]  # not yet

    inventory_file(drop / "out", "inv_C_0502.csv", 5)
    second = read(config, "inventory", first[-1].state)
    assert set(rows(second)["_file"]) == {"inv_C_0502.csv"}  # A and B are not read again
    assert sorted(p.name for p in (drop / "out" / "archive").iterdir()) == [
        "inv_A_0501.csv",
        "inv_B_0501.csv",
    ]
    assert second[-1].state["done"] == {
        "inv_C_0502.csv": [(drop / "out" / "inv_C_0502.csv").stat().st_size, int(SETTLED)]
    }

    assert read(config, "inventory", second[-1].state) == []
    assert sorted(p.name for p in (drop / "out" / "archive").iterdir()) == [
        "inv_A_0501.csv",
        "inv_B_0501.csv",
        "inv_C_0502.csv",
    ]


def test_files_still_being_written_are_left_alone(sftp_config: dict[str, Any], drop: Path) -> None:
    out = drop / "out"
    inventory_file(out, "inv_A.csv", 3)
    (out / "inv_B.csv.part").write_text("warehouse_code,sku\nWH-SH,SKU-1\n")  # an upload in progress
    growing = out / "inv_C.csv"
    growing.write_text(
        ",".join(INVENTORY) + "\nWH-SH,SKU-00001,L1,1,0,2027-06-30,2026-05-01T08:00:00+08:00\n"
    )

    def writer_still_writing(seconds: float) -> None:  # the settle wait: the WMS appends meanwhile
        with growing.open("a") as handle:
            handle.write("WH-SH,SKU-00002,L1,2,0,2027-06-30,2026-05-01T08:00:00+08:00\n")
        os.utime(growing, (time.time() + 1, time.time() + 1))

    source = WmsSftpSource(sleep=writer_still_writing)
    config = {**sftp_config, "settle_seconds": 5}
    batches = list(streams(config, source)["inventory"].read_batches(None))
    assert set(rows(batches)["_file"]) == {"inv_A.csv"}

    (out / "inv_B.csv.part").replace(out / "inv_B.csv")  # the uploads finish
    for path in (out / "inv_B.csv", growing):
        os.utime(path, (SETTLED, SETTLED))
    later = list(streams(config, source)["inventory"].read_batches(batches[-1].state))
    assert sorted(set(rows(later)["_file"])) == ["inv_B.csv", "inv_C.csv"]
    assert len(rows(later)) == 1 + 2  # inv_C has the row it grew by, too


def test_a_file_appearing_during_a_read_is_read_next_run_even_if_it_is_older(
    sftp_config: dict[str, Any], drop: Path
) -> None:
    inventory_file(drop / "out", "inv_B_0502.csv", 5_000)
    config = {**sftp_config, "chunk_rows": 1_000}
    reading = streams(config)["inventory"].read_batches(None)
    batches = [next(reading)]
    # Written long ago, renamed into the folder just now: its mtime is older than the file being read.
    inventory_file(drop / "out", "inv_A_0501.csv", 7, mtime=SETTLED - 86_400)
    batches += list(reading)
    assert set(rows(batches)["_file"]) == {"inv_B_0502.csv"}
    later = read(config, "inventory", batches[-1].state)
    assert set(rows(later)["_file"]) == {"inv_A_0501.csv"} and len(rows(later)) == 7


def test_a_dropped_connection_mid_file_resumes_without_duplicates(
    sshd: SshdServer, sftp_config: dict[str, Any], drop: Path
) -> None:
    inventory_file(drop / "out", "inv_WH_0501.csv", 20_000)
    config = {**sftp_config, "chunk_rows": 2_000, "block_bytes": 32_768}
    reading = streams(config)["inventory"].read_batches(None)
    batches = [next(reading), next(reading)]
    assert sshd.kill_sessions() > 0  # the process serving this connection dies mid-download
    batches += list(reading)
    frame = rows(batches)
    assert frame["_line"].tolist() == list(range(2, 20_002))  # every row once, in order
    assert sshd.log().count("Accepted publickey") == 2  # it reconnected once


def test_a_read_that_fails_mid_file_resumes_after_the_last_committed_batch(
    sshd: SshdServer, sftp_config: dict[str, Any], drop: Path
) -> None:
    inventory_file(drop / "out", "inv_WH_0501.csv", 10_000)
    config = {**sftp_config, "chunk_rows": 1_500, "block_bytes": 32_768, "reconnects": 0}
    reading = streams(config)["inventory"].read_batches(None)
    committed = [next(reading), next(reading)]
    sshd.kill_sessions()
    with pytest.raises(RetriableConnectorError):
        list(reading)
    state = committed[-1].state
    assert state["reading"]["line"] == 1 + 3_000
    resumed = read(config, "inventory", state)
    assert resumed[0].frame["_line"].iloc[0] == 3_002  # nothing committed is read again
    assert rows(committed + resumed)["_line"].tolist() == list(range(2, 10_002))


def test_a_shipment_file_feeds_three_streams_and_leaves_only_when_all_three_have_it(
    local_config: dict[str, Any], drop: Path
) -> None:
    write_drop_file(drop / "out", "shp_0501.csv", SHP_COLUMNS, SHP_ROWS, mtime=SETTLED)
    states = {
        name: read(local_config, name)[-1].state for name in ("shipments", "shipment_lines", "trace_codes")
    }
    read(local_config, "shipments", states["shipments"])
    read(local_config, "shipment_lines", states["shipment_lines"])
    assert (drop / "out" / "shp_0501.csv").exists()  # trace_codes has not committed it yet

    source_streams = streams(local_config)  # one sync run: every stream starts from its committed state
    for name, state in states.items():
        assert list(source_streams[name].read_batches(state)) == []
    assert [p.name for p in (drop / "out" / "archive").iterdir()] == ["shp_0501.csv"]


SHP_COLUMNS = (
    "shipment_no", "order_no", "dealer_code", "warehouse_code", "carrier_code", "waybill_no", "shipped_at",
    "line_no", "sku", "lot", "qty", "sscc", "item_code",
)  # fmt: skip
_SHP_HEAD = ["S1", "O1", "D-001", "WH-SH", "SF", "SF1000000001", "2026-05-01 15:30:00"]
SHP_ROWS = [
    [*_SHP_HEAD, "1", "SKU-1", "L1", "2", "069012340000000016", "https://id.gs1.org/01/06901234100013/21/A1"],
    [*_SHP_HEAD, "1", "SKU-1", "L1", "2", "069012340000000016", "(01)06901234100013(21)A2"],
    [*_SHP_HEAD, "2", "SKU-2", "", "1", "(00)069012340000000023", "urn:epc:id:sgtin:6901234.010002.B1"],
    [*_SHP_HEAD, "3", "SKU-3", "", "5", "", ""],
    [*_SHP_HEAD, "4", "SKU-4", "", "1", "069012340000000023", "20-digit-drug-code-1"],
    ["S2", "O2", "D-002", "WH-SH", "SF"],
]


def test_a_shipment_confirmation_becomes_shipments_lines_and_trace_code_bindings(
    local_config: dict[str, Any], drop: Path
) -> None:
    write_drop_file(drop / "out", "shp_0501.csv", SHP_COLUMNS, SHP_ROWS, mtime=SETTLED)
    shipments = rows(read(local_config, "shipments"))
    assert shipments["shipment_no"].tolist() == ["S1", "S2"]
    assert shipments["_malformed"].iloc[1].startswith("5 fields where the header has 13")
    lines = rows(read(local_config, "shipment_lines"))
    assert lines[["shipment_no", "line_no", "qty"]].values.tolist()[:4] == [
        ["S1", "1", "2"],
        ["S1", "2", "1"],
        ["S1", "3", "5"],
        ["S1", "4", "1"],
    ]
    codes = rows(read(local_config, "trace_codes")).to_dict("records")
    scanned = {str(r["scanned"]): r for r in codes}
    carton = "urn:epc:id:sscc:6901234.0000000001"
    assert (scanned["069012340000000016"]["code"], scanned["069012340000000016"]["kind"]) == (carton, "case")
    item = scanned["https://id.gs1.org/01/06901234100013/21/A1"]
    fields = ("code", "kind", "parent_code", "owner_dealer_code", "order_no", "sku", "lot")
    assert [item[k] for k in fields] == [
        "urn:epc:id:sgtin:6901234.010001.A1", "item", carton, "D-001", "O1", "SKU-1", "L1",
    ]  # fmt: skip
    assert scanned["(01)06901234100013(21)A2"]["code"] == "urn:epc:id:sgtin:6901234.010001.A2"
    second_carton = "urn:epc:id:sscc:6901234.0000000002"
    assert scanned["urn:epc:id:sgtin:6901234.010002.B1"]["parent_code"] == second_carton
    assert "invalid SGTIN" in str(scanned["20-digit-drug-code-1"]["code_error"])
    malformed = [r for r in codes if r["_malformed"]]
    assert [(r["code"], r["_line"]) for r in malformed] == [("", 7)]  # kept, for quarantine


def test_a_header_only_file_is_marked_done_by_an_empty_batch(
    local_config: dict[str, Any], drop: Path
) -> None:
    write_drop_file(drop / "out", "inv_EMPTY.csv", INVENTORY, [], mtime=SETTLED)
    [batch] = read(local_config, "inventory")
    assert batch.frame.empty and list(batch.frame.columns)[:7] == list(INVENTORY)
    assert list(batch.state["done"]) == ["inv_EMPTY.csv"]
    assert read(local_config, "inventory", batch.state) == []


def test_utf8_with_bom_and_gbk_files_are_both_read_in_auto_mode(
    local_config: dict[str, Any], drop: Path
) -> None:
    text = ",".join(INVENTORY) + "\nWH-SH,SKU-1,批次一,1,0,,2026-05-01\n"
    (drop / "out" / "inv_U.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (drop / "out" / "inv_G.csv").write_bytes(text.encode("gbk"))
    for name in ("inv_U.csv", "inv_G.csv"):
        os.utime(drop / "out" / name, (SETTLED, SETTLED))
    frame = rows(read(local_config, "inventory"))
    assert frame["lot"].tolist() == ["批次一", "批次一"]
    assert frame["warehouse_code"].tolist() == ["WH-SH", "WH-SH"]  # the BOM is not part of the first name


def test_a_file_in_neither_encoding_fails_naming_the_file_and_line(
    local_config: dict[str, Any], drop: Path
) -> None:
    (drop / "out" / "inv_X.csv").write_bytes(",".join(INVENTORY).encode() + b"\nWH,\xff\xfe\xff,1\n")
    os.utime(drop / "out" / "inv_X.csv", (SETTLED, SETTLED))
    with pytest.raises(FatalConnectorError, match=r"cannot decode inv_X.csv: byte 0xff at line 2"):
        read(local_config, "inventory")


def test_a_lookback_has_no_meaning_for_files(local_config: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="lookback does not apply"):
        list(streams(local_config)["inventory"].read_batches(None, lookback=60))


def test_check_finds_the_out_folder_or_says_it_is_missing(sftp_config: dict[str, Any], drop: Path) -> None:
    source = WmsSftpSource()
    assert source.check_connection(None, sftp_config) == (True, None)
    ok, message = source.check_connection(None, {**sftp_config, "out_dir": str(drop / "nope")})
    assert not ok and message is not None and "is not a folder" in message
