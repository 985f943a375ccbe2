"""``python -m bench.hub_cli ARGS…``: ``dmshub ARGS…``, timing the command apart from start-up.

The command is the console script's own ``main``; the modules a sync needs are imported
before the clock starts (as the peers' timings exclude their imports too), and the time of
the command alone is printed on stderr as ``bench-seconds <s>``. The process's wall time
and peak RSS are measured from outside as for any child.
"""

from __future__ import annotations

import sys
import time

import connectors.wms_sftp.source  # noqa: F401 - imported before the clock, as said above
import flows.sync.engine  # noqa: F401
from flows.cli.app import main as dmshub


def main(argv: list[str]) -> int:
    """Run ``dmshub argv`` and report its seconds."""
    started = time.perf_counter()
    code = dmshub(argv)
    sys.stderr.write(f"bench-seconds {time.perf_counter() - started:.6f}\n")
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
