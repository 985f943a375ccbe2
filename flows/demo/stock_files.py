"""WMS-style stock snapshot files of the sample network, for the demo's SFTP/folder stock sync.

:func:`write_stock_snapshot` drops one ``inv_<WAREHOUSE>_<YYYYMMDD>.csv`` per brand
warehouse, columns ``warehouse_code,sku,lot,on_hand,in_transit,expiry_date,updated_at``
(quantities in base units, ``lot`` empty when the SKU is not lot-tracked, ``updated_at``
ISO 8601 in Beijing time as a Chinese WMS writes it). Each file is written to ``*.part``
and renamed, so a poller never picks up half a file.

The first warehouse's file (``inv_WH-SH_…``) deliberately holds three bad rows, so the
demo can show them landing in quarantine while the good rows load:

1. after the 3rd good row, SKU ``SKU-99999``: a SKU the catalogue does not know;
2. after the 10th good row, ``on_hand`` = ``12箱``: a quantity that is not a number (an
   operator typed the unit into the field);
3. at the end of the file, ``on_hand`` = ``-24``: a negative stock on hand.

Rows 2 and 3 use real SKUs with lot codes of their own (``L<YYYY-MM>-Z`` / ``-Y``), so
they never clash with a good row's key. :func:`bad_rows_in_snapshot` says exactly where
they are.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from flows.demo._stock import snapshot_time
from flows.demo.sample_network import BRAND_WAREHOUSE_CODES, SampleNetwork

__all__ = [
    "BAD_ROWS_WAREHOUSE",
    "COLUMNS",
    "BadStockRow",
    "bad_rows_in_snapshot",
    "read_snapshot",
    "snapshot_file_name",
    "write_stock_snapshot",
]

COLUMNS: Final = ("warehouse_code", "sku", "lot", "on_hand", "in_transit", "expiry_date", "updated_at")
#: The warehouse whose file carries the deliberately bad rows.
BAD_ROWS_WAREHOUSE: Final = BRAND_WAREHOUSE_CODES[0]
UNKNOWN_SKU: Final = "SKU-99999"
_BEIJING: Final = timezone(timedelta(hours=8), "CST")
#: (insert after this many good rows, or None for the end of the file; reason)
_BAD_PLACES: Final = ((3, "unknown_sku"), (10, "not_a_number"), (None, "negative_quantity"))


@dataclass(frozen=True, slots=True)
class BadStockRow:
    """One deliberately bad row: where it is and what is wrong with it."""

    file_name: str
    line_no: int  # physical line in the file; the header is line 1
    warehouse_code: str
    sku: str
    lot: str
    reason: str  # unknown_sku | not_a_number | negative_quantity
    field: str
    value: str

    @property
    def record_no(self) -> int:
        """1-based position among the data rows (the header not counted)."""
        return self.line_no - 1


def snapshot_file_name(warehouse_code: str, today: date) -> str:
    """``inv_<WAREHOUSE>_<YYYYMMDD>.csv``."""
    return f"inv_{warehouse_code}_{today:%Y%m%d}.csv"


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _good_rows(network: SampleNetwork, warehouse: str, updated_at: str) -> list[list[str]]:
    rows = [r for r in network.stock_levels if r["location_code"] == warehouse]
    return [
        [
            warehouse,
            str(r["sku"]),
            str(r["lot"]),
            _quantity(r["on_hand"]),
            _quantity(r["in_transit"]),
            "" if r["expiry_date"] is None else r["expiry_date"].isoformat(),
            updated_at,
        ]
        for r in rows
    ]


def _bad_row(
    reason: str, network: SampleNetwork, good: list[list[str]], updated_at: str, today: date
) -> tuple[list[str], str, str]:
    """A bad row for ``reason`` and the (field, value) that makes it bad."""
    warehouse = good[0][0]
    lot = f"L{today:%Y-%m}"
    if reason == "unknown_sku":
        expiry = (today + timedelta(days=180)).isoformat()
        return [warehouse, UNKNOWN_SKU, f"{lot}-A", "120", "0", expiry, updated_at], "sku", UNKNOWN_SKU
    skus = list(dict.fromkeys(row[1] for row in good))
    sku = skus[0] if reason == "not_a_number" else skus[1]
    shelf = next(int(p["shelf_life_days"]) for p in network.products if p["sku"] == sku)
    expiry = (today + timedelta(days=shelf)).isoformat()
    if reason == "not_a_number":
        return [warehouse, sku, f"{lot}-Z", "12箱", "0", expiry, updated_at], "on_hand", "12箱"
    return [warehouse, sku, f"{lot}-Y", "-24", "0", expiry, updated_at], "on_hand", "-24"


def _file_rows(
    network: SampleNetwork, warehouse: str, today: date
) -> tuple[list[list[str]], list[BadStockRow]]:
    updated_at = snapshot_time(today).astimezone(_BEIJING).isoformat()
    good = _good_rows(network, warehouse, updated_at)
    if warehouse != BAD_ROWS_WAREHOUSE or len({row[1] for row in good}) < 2:
        return good, []
    rows: list[list[str]] = []
    bad: list[BadStockRow] = []
    places = {after: reason for after, reason in _BAD_PLACES if after is not None}
    name = snapshot_file_name(warehouse, today)

    def add_bad(reason: str) -> None:
        row, field, value = _bad_row(reason, network, good, updated_at, today)
        rows.append(row)
        bad.append(BadStockRow(name, len(rows) + 1, warehouse, row[1], row[2], reason, field, value))

    for index, row in enumerate(good, start=1):
        rows.append(row)
        if index in places:
            add_bad(places[index])
    add_bad(next(reason for after, reason in _BAD_PLACES if after is None))
    return rows, bad


def write_stock_snapshot(
    network: SampleNetwork, folder: Path, *, encoding: str = "utf-8", today: date | None = None
) -> list[Path]:
    """Write one snapshot file per brand warehouse into ``folder``; the paths, in warehouse order.

    ``today`` (default: the network's) dates the file names and the ``updated_at`` stamps.
    """
    day = network.today if today is None else today
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for warehouse in BRAND_WAREHOUSE_CODES:
        rows, _bad = _file_rows(network, warehouse, day)
        path = folder / snapshot_file_name(warehouse, day)
        part = path.with_name(path.name + ".part")
        with part.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
        part.replace(path)
        paths.append(path)
    return paths


def bad_rows_in_snapshot(network: SampleNetwork, *, today: date | None = None) -> list[BadStockRow]:
    """The deliberately bad rows :func:`write_stock_snapshot` writes for the same arguments."""
    day = network.today if today is None else today
    return _file_rows(network, BAD_ROWS_WAREHOUSE, day)[1]


def read_snapshot(path: Path, *, encoding: str = "utf-8") -> list[dict[str, Any]]:
    """The rows of a snapshot file as dicts of text (for tests and the demo's preview)."""
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))
