"""SANDBOX: a stateful fake of Oracle Fusion's ``salesOrdersForOrderHub`` REST resource.

Not Oracle software and never presented as it: a stand-in that behaves like the resource as
interfaces.md 2.1 describes it, for tests and demos. Plug it in as an httpx transport::

    sandbox = FusionSandbox.seeded()
    source = OracleFusionSource(transport=sandbox.transport())

It keeps orders in memory and really implements what the connector relies on: basic and
bearer auth (401 otherwise), ``q`` filters (``Attr=value;Attr>='...'``), ``orderBy``,
``limit``/``offset``/``hasMore``, ``onlyData``, ``fields``, ``expand=lines``,
``totalResults``, ``GET /{OrderKey}`` (``SYSTEM:ID`` or ``HeaderId``), ``/child/lines`` and
``POST`` creates with validation (HTTP 400 with a message). It does *not* refuse a second
order with the same source number: tests prove the sink never sends one. Failures on demand:
:meth:`fail_next` (e.g. 429/503 with ``Retry-After``) and :meth:`time_out_after_commit`.
The clock starts at :data:`BASE_TIME` and moves one second per write.
"""

from __future__ import annotations

from connectors.oracle_fusion.sandbox.app import FusionSandbox
from connectors.oracle_fusion.sandbox.data import (
    BASE_TIME,
    SANDBOX_PASSWORD,
    SANDBOX_URL,
    SANDBOX_USER,
    SEED_ITEMS,
    SEED_PARTIES,
)

__all__ = [
    "BASE_TIME",
    "SANDBOX_PASSWORD",
    "SANDBOX_URL",
    "SANDBOX_USER",
    "SEED_ITEMS",
    "SEED_PARTIES",
    "FusionSandbox",
]
