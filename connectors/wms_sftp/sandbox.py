"""SANDBOX — the WMS's side of the drop box, for tests and the demo. Not a vendor's software.

There is no vendor API to fake for SFTP: tests run a real OpenSSH server over a local folder
and the demo uses ``mode: local``. What this module plays is the warehouse system writing and
collecting files in that folder, the way DropStream-style WMSs do:

- :func:`write_drop_file` drops a CSV into ``out/`` (``*.part`` then rename, or left growing);
- :func:`inventory_lines` / :func:`write_inventory_file` make snapshots of any size, streamed;
- :func:`shipment_rows` makes a shipment confirmation with valid GS1 carton and item codes;
- :class:`OrderPickup` collects ``ord_*.csv`` from ``in/`` the moment they land (moves them
  to ``in/archive/``), as WMSs that poll their inbox do.
"""

from __future__ import annotations

import csv
import io
import os
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from canonical_model.identifiers import gs1_check_digit, sgtin_digital_link
from connectors.wms_sftp.shapes import INVENTORY_COLUMNS, SHIPMENT_FILE_COLUMNS

__all__ = [
    "SHIPMENT_FILE_COLUMNS",
    "SNAPSHOT_COLUMNS",
    "OrderPickup",
    "gtin",
    "inventory_lines",
    "shipment_rows",
    "sscc",
    "write_drop_file",
    "write_inventory_file",
]

_ITEM_NAMES = ("矿泉水 550ml", "绿茶 500ml", "乌龙茶 500ml", "苏打水 350ml", "果汁 1L")
SNAPSHOT_COLUMNS = (*INVENTORY_COLUMNS, "item_name")


def gtin(company_prefix: str, item_reference: int, indicator: int = 0) -> str:
    """A GTIN-14 with a valid check digit."""
    body = f"{indicator}{company_prefix}{item_reference:0{12 - len(company_prefix)}d}"
    return body + gs1_check_digit(body)


def sscc(company_prefix: str, serial: int, extension: int = 0) -> str:
    """An 18-digit SSCC with a valid check digit."""
    body = f"{extension}{company_prefix}{serial:0{16 - len(company_prefix)}d}"
    return body + gs1_check_digit(body)


def _csv_text(rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def write_drop_file(
    folder: Path,
    name: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    encoding: str = "utf-8",
    mtime: float | None = None,
    atomic: bool = True,
) -> Path:
    """Write a CSV as the WMS does: to ``name.part``, then renamed (``atomic=False``: in place).

    ``mtime`` back-dates the file (a file older than the reader's settle time).
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    path = target.with_name(name + ".part") if atomic else target
    path.write_bytes(_csv_text([columns, *rows]).encode(encoding))
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    if atomic:
        path.replace(target)
    return target


def inventory_lines(
    count: int, *, warehouses: Sequence[str] = ("WH-SH", "WH-BJ"), skus: int = 5000
) -> Iterator[str]:
    """``count`` snapshot rows (CSV text lines, Chinese item names), unique by warehouse × SKU × lot."""
    for i in range(count):
        sku_no, rest = i % skus, i // skus
        warehouse = warehouses[rest % len(warehouses)]
        lot = f"L{rest // len(warehouses):06d}"
        yield (
            f"{warehouse},SKU-{sku_no:05d},{lot},{(i * 7) % 1000},{i % 13},2027-06-30,"
            f"2026-05-01T08:00:00+08:00,{_ITEM_NAMES[i % len(_ITEM_NAMES)]}\n"
        )


def write_inventory_file(
    path: Path, count: int, *, encoding: str = "gbk", mtime: float | None = None, block_rows: int = 50_000
) -> Path:
    """A snapshot of ``count`` rows (plus an ``item_name`` column), written in blocks (bounded memory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    with part.open("wb") as handle:
        handle.write((",".join(SNAPSHOT_COLUMNS) + "\n").encode(encoding))
        block: list[str] = []
        for line in inventory_lines(count):
            block.append(line)
            if len(block) >= block_rows:
                handle.write("".join(block).encode(encoding))
                block = []
        handle.write("".join(block).encode(encoding))
    if mtime is not None:
        os.utime(part, (mtime, mtime))
    part.replace(path)
    return path


def shipment_rows(
    shipment_no: str,
    *,
    order_no: str,
    dealer_code: str,
    warehouse_code: str,
    lines: Sequence[tuple[str, str, int]],
    company_prefix: str = "6901234",
    carrier_code: str = "SF",
    shipped_at: str = "2026-05-01 15:30:00",
    items_per_carton: int = 6,
    first_serial: int = 1,
) -> list[list[str]]:
    """One ``shp_*.csv`` row per item: ``lines`` are (sku, lot, qty); items packed into cartons."""
    rows: list[list[str]] = []
    serial = first_serial
    carton = 0
    for line_no, (sku, lot, qty) in enumerate(lines, start=1):
        item_gtin = gtin(company_prefix, 10_000 + line_no)
        for index in range(qty):
            if index % items_per_carton == 0:
                carton += 1
            rows.append(
                [
                    shipment_no,
                    order_no,
                    dealer_code,
                    warehouse_code,
                    carrier_code,
                    f"{carrier_code}{zlib.crc32(shipment_no.encode()):010d}",
                    shipped_at,
                    str(line_no),
                    sku,
                    lot,
                    str(qty),
                    sscc(company_prefix, int(f"{zlib.crc32(shipment_no.encode()) % 10_000:04d}{carton:04d}")),
                    sgtin_digital_link(item_gtin, f"{shipment_no}-{serial}"),
                ]
            )
            serial += 1
    return rows


class OrderPickup:
    """Moves ``ord_*.csv`` out of ``in_dir`` into ``in_dir/archive`` as soon as they appear."""

    def __init__(self, in_dir: Path, *, poll_seconds: float = 0.001) -> None:
        self.in_dir = in_dir
        self.archive = in_dir / "archive"
        self.picked: list[str] = []
        self._poll = poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wms-order-pickup", daemon=True)

    def __enter__(self) -> OrderPickup:
        self.archive.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            for entry in os.scandir(self.in_dir):
                if entry.is_file() and entry.name.startswith("ord_") and entry.name.endswith(".csv"):
                    try:
                        Path(entry.path).replace(self.archive / entry.name)
                    except FileNotFoundError:
                        continue
                    self.picked.append(entry.name)
            time.sleep(self._poll)
