"""``python -m connectors.rest spec|check|discover|read ...``."""

from __future__ import annotations

import sys

from connectors.rest.source import RestSource
from connectors.runner import run_source_cli

if __name__ == "__main__":
    raise SystemExit(run_source_cli(RestSource, sys.argv[1:]))
