"""``python -m connectors.sap_odata spec|check|discover|read ...``."""

from __future__ import annotations

import sys

from connectors.runner import run_source_cli
from connectors.sap_odata.source import SapODataSource

if __name__ == "__main__":
    raise SystemExit(run_source_cli(SapODataSource, sys.argv[1:]))
