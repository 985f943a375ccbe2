"""``python -m connectors.sample spec|check|discover|read ...``."""

from __future__ import annotations

import sys

from connectors.runner import run_source_cli
from connectors.sample.source import SampleSource

if __name__ == "__main__":
    raise SystemExit(run_source_cli(SampleSource, sys.argv[1:]))
