"""Peer (c), the straightforward path: airbyte-cdk records + SQLAlchemy ``executemany``.

Run by the product's venv (airbyte-cdk is a product dependency) as its own process:
``python airbyte_executemany.py FILE PG_URL ROWS``. What a first integration typically does:
the source emits one Airbyte RECORD message per CSV row, serialised to JSON as it crosses to
the destination, which parses it back, converts the fields and upserts them into the
canonical ``stock_levels`` table with ``INSERT … ON CONFLICT DO UPDATE`` through SQLAlchemy
``executemany``, 1,000 rows per call, committing at the end. Prints ``{"seconds": …, "rows": …}``.
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
from airbyte_cdk.models import (  # type: ignore[attr-defined]
    AirbyteMessage,
    AirbyteMessageSerializer,
    AirbyteRecordMessage,
    Type,
)
from sqlalchemy.dialects.postgresql import insert

from canonical_model.store.database import create_engine
from canonical_model.tables import metadata, stock_levels


def source(path: str, rows: int) -> Iterator[bytes]:
    """The source side: one serialised RECORD message per row."""
    emitted = int(time.time() * 1000)
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for data in itertools.islice(csv.DictReader(handle), rows):
            message = AirbyteMessage(
                type=Type.RECORD,
                record=AirbyteRecordMessage(stream="inventory", data=data, emitted_at=emitted),
            )
            yield orjson.dumps(AirbyteMessageSerializer.dump(message))


def destination_row(line: bytes) -> dict[str, Any]:
    """The destination side: parse the message, convert the fields."""
    record = AirbyteMessageSerializer.load(orjson.loads(line)).record
    assert record is not None
    data = record.data
    return {
        "location_code": data["warehouse_code"],
        "sku": data["sku"],
        "lot": data["lot"],
        "on_hand": int(data["on_hand"]),
        "in_transit": int(data["in_transit"]),
        "expiry_date": date.fromisoformat(data["expiry_date"]),
        "as_of": datetime.fromisoformat(data["updated_at"]),
        "source_system": "wms",
    }


def main(path: str, url: str, rows: int) -> None:
    engine = create_engine(url)
    metadata.create_all(engine, tables=[stock_levels])
    statement = insert(stock_levels)
    statement = statement.on_conflict_do_update(
        index_elements=["location_code", "sku", "lot"],
        set_={c: statement.excluded[c] for c in ("on_hand", "in_transit", "expiry_date", "as_of")},
    )
    started = time.perf_counter()
    loaded = 0
    messages = source(path, rows)
    with engine.begin() as conn:
        while batch := [destination_row(line) for line in itertools.islice(messages, 1000)]:
            conn.execute(statement, batch)
            loaded += len(batch)
    seconds = time.perf_counter() - started
    engine.dispose()
    print(json.dumps({"seconds": seconds, "rows": loaded}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
