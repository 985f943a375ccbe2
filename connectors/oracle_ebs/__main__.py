"""``python -m connectors.oracle_ebs spec|check|discover|read ...``."""

from __future__ import annotations

import sys

from connectors.oracle_ebs.source import OracleEbsSource
from connectors.runner import run_source_cli

if __name__ == "__main__":
    raise SystemExit(run_source_cli(OracleEbsSource, sys.argv[1:]))
