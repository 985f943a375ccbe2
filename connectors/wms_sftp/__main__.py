"""``python -m connectors.wms_sftp spec|check|discover|read ...``."""

from __future__ import annotations

import sys

from connectors.runner import run_source_cli
from connectors.wms_sftp.source import WmsSftpSource

if __name__ == "__main__":
    raise SystemExit(run_source_cli(WmsSftpSource, sys.argv[1:]))
