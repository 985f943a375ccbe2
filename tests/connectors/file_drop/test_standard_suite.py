"""airbyte-cdk's standard source test suite over the ``file-drop`` connector, offline.

Reads the small drop in ``fixtures/drop`` (one file per stream: CSV stock, XLSX products,
JSON-lines dealers); ``settle_seconds: 0`` because the suite builds its own source.
"""

from __future__ import annotations

from pathlib import Path

import connectors.file_drop
from connectors.file_drop.source import FileDropSource
from connectors.testing import Scenario, pytest_generate_tests, standard_source_suite

__all__ = ["TestFileDropSource", "pytest_generate_tests"]  # the hook parametrizes `scenario`

DROP = Path(__file__).parent / "fixtures" / "drop"

TestFileDropSource = standard_source_suite(
    FileDropSource,
    connector_root=Path(connectors.file_drop.__file__).parent,
    scenarios={
        "folder": Scenario({"path": str(DROP), "settle_seconds": 0, "chunk_rows": 2}, "succeed"),
        "missing_folder": Scenario(
            {"path": str(DROP / "no-such-folder"), "settle_seconds": 0}, "failed", sections=("connection",)
        ),
    },
)
