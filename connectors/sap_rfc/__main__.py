"""``python -m connectors.sap_rfc spec|check|discover|read ...``."""

from __future__ import annotations

import sys

from connectors.runner import run_source_cli
from connectors.sap_rfc.source import SapRfcSource

if __name__ == "__main__":
    raise SystemExit(run_source_cli(SapRfcSource, sys.argv[1:]))
