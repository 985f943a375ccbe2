"""The peers' own virtual environment (bench/peers/.venv): created on first use, never the product's."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["PEERS", "peers_python", "peers_ready"]

PEERS = Path(__file__).resolve().parent / "peers"


def _stamp() -> tuple[Path, Path, str]:
    venv = PEERS / ".venv"
    digest = hashlib.sha256((PEERS / "requirements.txt").read_bytes()).hexdigest()
    return venv / "bin" / "python", venv / ".requirements.sha256", digest


def peers_ready() -> bool:
    """Whether the peers' venv is built for the current requirements (nothing to install)."""
    python, stamp, digest = _stamp()
    return python.exists() and stamp.exists() and stamp.read_text() == digest


def peers_python(log: Callable[[str], None] = print) -> Path:
    """The peers' interpreter, after ``python -m venv`` + ``pip install -r requirements.txt`` if needed.

    A stamp holding the requirements' hash makes a changed requirements file reinstall.
    """
    python, stamp, digest = _stamp()
    venv = python.parent.parent
    if peers_ready():
        return python
    log(f"  creating the peers' venv at {venv} (dlt, pyarrow, pyinstrument from the package index)")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(PEERS / "requirements.txt")], check=True)
    stamp.write_text(digest)
    return python
