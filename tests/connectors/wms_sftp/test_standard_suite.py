"""airbyte-cdk's standard source suite over wms-sftp in local mode (a committed sample drop folder).

The same reads run against a real sshd in the conformance suite's case for ``wms-sftp``.
Full-refresh reads never archive anything, so the sample folder stays as committed.
"""

from __future__ import annotations

from pathlib import Path

import connectors.wms_sftp
from connectors.testing import Scenario, pytest_generate_tests, standard_source_suite
from connectors.wms_sftp.source import WmsSftpSource

__all__ = ["TestWmsSftpSource", "pytest_generate_tests"]  # the hook parametrizes `scenario`

DROP = Path(__file__).parent / "data" / "drop"

TestWmsSftpSource = standard_source_suite(
    WmsSftpSource,
    connector_root=Path(connectors.wms_sftp.__file__).parent,
    scenarios={
        "local_drop": Scenario({"mode": "local", "local_root": str(DROP), "settle_seconds": 0}, "succeed"),
        "missing_folder": Scenario(
            {"mode": "local", "local_root": str(DROP / "missing"), "settle_seconds": 0},
            "failed",
            sections=("connection",),
        ),
    },
)
