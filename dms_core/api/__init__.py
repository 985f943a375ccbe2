"""The DMS core's HTTP API (FastAPI): authenticated, every dealer scoped to its own subtree."""

from __future__ import annotations

from dms_core.api.app import create_app
from dms_core.api.auth import Principal, create_api_key

__all__ = ["Principal", "create_api_key", "create_app"]
