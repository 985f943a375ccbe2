"""``python -m connectors.tms spec|check|discover|read ...``."""

from __future__ import annotations

import sys

from connectors.runner import run_source_cli
from connectors.tms.source import TmsSource

if __name__ == "__main__":
    raise SystemExit(run_source_cli(TmsSource, sys.argv[1:]))
