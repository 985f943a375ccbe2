"""Peer (b): dlt loads a WMS stock CSV into PostgreSQL, merging on (warehouse, SKU, lot).

Run by the peers' venv: ``python dlt_stock.py FILE PG_URL DATASET WORKDIR``. dlt's fastest
path for this shape: the file read as Arrow record batches (pyarrow's multithreaded CSV
reader, typed columns), ``write_disposition="merge"`` with the natural key as primary key,
and the ``csv`` loader file format (PostgreSQL ``COPY``) into a staging table merged by dlt.
Prints ``{"seconds": …, "rows": …}`` — extract, normalize and load, import time excluded.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from typing import Any

import dlt  # type: ignore[import-not-found,unused-ignore]
import pyarrow as pa
import pyarrow.csv as pacsv

KEY = ("warehouse_code", "sku", "lot")
TYPES = {
    "warehouse_code": pa.string(),
    "sku": pa.string(),
    "lot": pa.string(),
    "on_hand": pa.int64(),
    "in_transit": pa.int64(),
    "expiry_date": pa.date32(),
    "updated_at": pa.timestamp("us", tz="UTC"),
}


def _credentials(url: str) -> str:
    """dlt insists on a password; a trust-authenticated local server ignores this placeholder."""
    url = url.replace("+psycopg", "")
    scheme, rest = url.split("://", 1)
    user, at, host = rest.partition("@")
    if at and ":" not in user:
        rest = f"{user}:unused@{host}"
    return f"{scheme}://{rest}"


def main(path: str, url: str, dataset: str, workdir: str) -> None:
    @dlt.resource(name="stock_levels", write_disposition="merge", primary_key=KEY)  # type: ignore[untyped-decorator,misc,unused-ignore]
    def stock() -> Iterator[Any]:
        options = pacsv.ConvertOptions(column_types=TYPES, strings_can_be_null=False)
        with pacsv.open_csv(path, convert_options=options) as reader:
            for batch in reader:
                yield pa.Table.from_batches([batch])

    started = time.perf_counter()
    pipeline = dlt.pipeline(
        pipeline_name=f"bench_{dataset}",
        pipelines_dir=workdir,
        destination=dlt.destinations.postgres(credentials=_credentials(url)),
        dataset_name=dataset,
    )
    info = pipeline.run(stock(), loader_file_format="csv")
    info.raise_on_failed_jobs()
    seconds = time.perf_counter() - started
    with pipeline.sql_client() as client:
        [[rows]] = client.execute_sql(f"SELECT count(*) FROM {dataset}.stock_levels")
    print(json.dumps({"seconds": seconds, "rows": rows}))


if __name__ == "__main__":
    main(*sys.argv[1:5])
