"""``python -m connectors.logistics_kuaidi100 spec|check|discover|read ...``."""

from __future__ import annotations

import sys

from connectors.logistics_kuaidi100.source import Kuaidi100Source
from connectors.runner import run_source_cli

if __name__ == "__main__":
    raise SystemExit(run_source_cli(Kuaidi100Source, sys.argv[1:]))
