"""``python -m bench.inbox_worker URL RECEIVERS``: an always-on inbox worker for the push benchmark.

Runs :func:`flows.inbox.process_inbox` in a loop, sleeping ``POLL`` seconds whenever the
inbox had nothing pending: the always-on deployment of the inbox flow that a push latency
budget of 200 ms needs (a scheduled flow every minute would be ~30 s on average).
"""

from __future__ import annotations

import sys
import time

from canonical_model.store.database import create_engine
from flows.inbox import process_inbox
from flows.webhooks import load_receivers

POLL = 0.01


def main(argv: list[str]) -> None:
    """Drain the inbox until terminated."""
    engine = create_engine(argv[0])
    receivers = load_receivers(argv[1])
    while True:
        result = process_inbox(engine, receivers, limit=200)
        if not (result.processed or result.failed):
            time.sleep(POLL)


if __name__ == "__main__":
    main(sys.argv[1:])
