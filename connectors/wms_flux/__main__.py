"""``python -m connectors.wms_flux spec|check|discover|read ...``."""

from __future__ import annotations

import sys

from connectors.runner import run_source_cli
from connectors.wms_flux.source import FluxSource

if __name__ == "__main__":
    raise SystemExit(run_source_cli(FluxSource, sys.argv[1:]))
