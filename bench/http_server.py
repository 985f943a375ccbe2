"""``python -m bench.http_server URL PORT [RECEIVERS]``: the hub's API for the HTTP benchmarks.

The app ``dmshub serve`` runs (:func:`flows.api.build_app`), on one uvicorn worker, with the
order benchmarks' settings (every grade auto-approves, so each order takes the full path)
and the webhook receivers of the JSON file RECEIVERS. Access logging is off, as in a
production deployment behind a proxy that logs; errors go to the log file the caller gives
(``BENCH_SERVER_LOG``), not to the benchmark's console.
"""

from __future__ import annotations

import sys

import uvicorn

from bench.order_world import settings
from canonical_model.store.database import create_engine
from flows.api import build_app
from flows.webhooks import load_receivers

LIMIT = 60  # no more requests in flight than pooled connections: taking one never blocks


def main(argv: list[str]) -> None:
    """Serve until terminated."""
    url, port = argv[0], int(argv[1])
    receivers = load_receivers(argv[2]) if len(argv) > 2 else {}
    engine = create_engine(url, pool_size=20, max_overflow=LIMIT - 20)
    app = build_app(engine, receivers=receivers, ordering_settings=settings())
    # Beyond LIMIT requests in flight uvicorn answers 503 at once: an overloaded API sheds load
    # (counted as failures by the load generator) instead of queueing into the pool timeout.
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, limit_concurrency=LIMIT
    )


if __name__ == "__main__":
    main(sys.argv[1:])
