"""Nothing opens a database, reads the store's environment or touches the network at import time."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent(
    """
    import importlib, os, pkgutil, socket, sys

    def refuse(*args, **kwargs):
        raise AssertionError("network or database touched at import time")

    socket.socket.connect = refuse
    socket.create_connection = refuse
    os.environ["DMSHUB_DATABASE_URL"] = "postgresql://nobody@192.0.2.1:1/none"
    failures = []
    for package in ("canonical_model", "mappings", "connectors", "dms_core", "flows", "deployments"):
        pkg = importlib.import_module(package)
        for info in pkgutil.walk_packages(pkg.__path__, package + "."):
            if ".migrations.versions" in info.name or info.name.endswith(".__main__") \
                    or info.name == "canonical_model.migrations.env":
                continue
            try:
                importlib.import_module(info.name)
            except AssertionError as exc:
                failures.append(f"{info.name}: {exc}")
    print("FAILURES:", failures)
    print("AIRBYTE_LOADED_BY_CLI:", "airbyte_cdk" in sys.modules)
    """
)


def test_importing_every_module_touches_no_network_and_creates_no_store(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "FAILURES: []" in result.stdout, result.stdout
    assert not (tmp_path / ".dmshub").exists(), "an import created the embedded store"


def test_the_cli_module_does_not_import_airbyte_cdk(tmp_path: Path) -> None:
    # airbyte_cdk reconfigures the root logger on import; the CLI must stay clear of it.
    code = "import sys, flows.cli.app, flows.cli.commands; print('airbyte_cdk' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "False"
