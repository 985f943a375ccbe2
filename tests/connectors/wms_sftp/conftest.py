"""Fixtures for the wms-sftp tests: a real OpenSSH sshd over a local drop folder.

``sshd``: a started :class:`~tests.connectors.sshd.SshdServer` (skipped without sshd locally,
failing under CI). ``drop``: the folder the server serves, with ``out/`` and ``in/``.
``sftp_config`` / ``local_config``: wms-sftp configs reaching that folder over SFTP / directly.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.connectors.sshd import SshdServer, running_sshd

#: A modification time well in the past: files written with it are complete and settled.
SETTLED = time.time() - 3600


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[SshdServer]:
    """A real sshd on a loopback port, SFTP only, keys generated for this test."""
    with running_sshd(tmp_path / "sshd") as server:
        yield server


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    """The drop box folder: ``out/`` (the WMS's files) and ``in/`` (our orders)."""
    root = tmp_path / "drop"
    (root / "out").mkdir(parents=True)
    (root / "in").mkdir()
    return root


def sftp_config_for(server: SshdServer, root: Path, **overrides: Any) -> dict[str, Any]:
    """A wms-sftp config reaching ``root`` through ``server`` (absolute paths: no chroot)."""
    return {
        "host": server.host,
        "port": server.port,
        "username": server.user,
        "private_key": server.client_private_key,
        "known_hosts": server.known_hosts,
        "out_dir": str(root / "out"),
        "in_dir": str(root / "in"),
        "settle_seconds": 0,
        "connect_timeout": 10,
        "timeout": 10,
        **overrides,
    }


@pytest.fixture
def sftp_config(sshd: SshdServer, drop: Path) -> dict[str, Any]:
    """wms-sftp over the real sshd, logging in with the generated client key."""
    return sftp_config_for(sshd, drop)


@pytest.fixture
def local_config(drop: Path) -> dict[str, Any]:
    """wms-sftp in local mode over the same folder."""
    return {"mode": "local", "local_root": str(drop), "settle_seconds": 0}
