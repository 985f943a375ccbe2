"""``python -m connectors.logistics_sf spec|check|discover|read ...``."""

from __future__ import annotations

import sys

from connectors.logistics_sf.source import SfSource
from connectors.runner import run_source_cli

if __name__ == "__main__":
    raise SystemExit(run_source_cli(SfSource, sys.argv[1:]))
