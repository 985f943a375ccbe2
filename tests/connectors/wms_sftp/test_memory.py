"""A 1,000,000-row GBK snapshot streams over a real sshd in bounded memory (peak RSS measured).

The read runs in a fresh subprocess: after imports and a warm-up read, its peak-RSS mark is
reset (``/proc/self/clear_refs``), then the whole file is read batch by batch (each batch
dropped, as the sync engine does after committing it). The growth of the peak over the
resting RSS is what streaming costs. It is measured at two chunk sizes: it follows the rows
per chunk, not the file (the file's 1M rows as one DataFrame of text would take ~10x more).
Last measured: 75 MiB file, ~83 MiB at 50,000 rows per chunk, ~22 MiB at 10,000.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from connectors.wms_sftp.sandbox import write_inventory_file
from tests.connectors.wms_sftp.conftest import SETTLED

ROWS = 1_000_000
#: Peak RSS above the resting process, by rows per chunk: the chunk sets the cost, not the file.
PEAK_GROWTH_LIMITS = {50_000: 128 << 20, 10_000: 40 << 20}

_READER = r"""
import json, sys
from pathlib import Path
from connectors.wms_sftp.source import WmsSftpSource

def kib(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise SystemExit(f"no {field} in /proc/self/status")

config = json.loads(sys.stdin.read())
source = WmsSftpSource(sleep=lambda _s: None)

def read(pattern, chunk_rows):
    stream = {s.name: s for s in source.hub_streams(source.parse_config(
        {**config, "chunk_rows": chunk_rows, "patterns": {"inventory": pattern}}))}["inventory"]
    rows = batches = lines = 0
    for batch in stream.read_batches(None):
        rows += len(batch.frame)
        batches += 1
        lines = int(batch.frame["_line"].iloc[-1]) if len(batch.frame) else lines
        del batch
    return rows, batches, lines

read("warmup_*.csv", 50_000)  # imports, first connection, pandas' lazy parts
results = {}
for chunk_rows in json.loads(sys.argv[1]):
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak-RSS mark (VmHWM) to the current RSS
    resting = kib("VmRSS")
    rows, batches, last_line = read("inv_*.csv", chunk_rows)
    results[chunk_rows] = {"rows": rows, "batches": batches, "last_line": last_line,
                           "growth_kib": kib("VmHWM") - resting, "resting_kib": resting}
print(json.dumps(results))
"""


@pytest.mark.slow
def test_a_million_row_gbk_snapshot_streams_in_bounded_memory(
    sftp_config: dict[str, Any], drop: Path
) -> None:
    snapshot = write_inventory_file(
        drop / "out" / "inv_ALL_20260501.csv", ROWS, encoding="gbk", mtime=SETTLED
    )
    write_inventory_file(drop / "out" / "warmup_20260501.csv", 60_000, encoding="gbk", mtime=SETTLED)
    size = snapshot.stat().st_size
    for chunk_rows, limit in PEAK_GROWTH_LIMITS.items():  # one fresh process each: no memory reused
        done = subprocess.run(
            [sys.executable, "-c", _READER, json.dumps([chunk_rows])],
            input=json.dumps(sftp_config),
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).parents[3],
            timeout=900,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        run = json.loads(done.stdout.strip().splitlines()[-1])[str(chunk_rows)]
        growth = run["growth_kib"] * 1024
        print(
            f"\n1M-row GBK snapshot ({size / 2**20:.1f} MiB) over SFTP, {chunk_rows} rows per chunk: "
            f"peak RSS growth {growth / 2**20:.1f} MiB (resting RSS {run['resting_kib'] / 1024:.1f} MiB)"
        )
        assert (run["rows"], run["batches"], run["last_line"]) == (ROWS, ROWS // chunk_rows, ROWS + 1)
        assert growth < limit
