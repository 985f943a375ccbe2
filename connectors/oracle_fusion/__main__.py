"""``python -m connectors.oracle_fusion spec|check|discover|read ...``."""

from __future__ import annotations

import sys

from connectors.oracle_fusion.source import OracleFusionSource
from connectors.runner import run_source_cli

if __name__ == "__main__":
    raise SystemExit(run_source_cli(OracleFusionSource, sys.argv[1:]))
