"""``python -m connectors.file_drop spec|check|discover|read ...``."""

from __future__ import annotations

import sys

from connectors.file_drop.source import FileDropSource
from connectors.runner import run_source_cli

if __name__ == "__main__":
    raise SystemExit(run_source_cli(FileDropSource, sys.argv[1:]))
