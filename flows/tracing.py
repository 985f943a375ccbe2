"""Tracing steps the flows run: WMS-shipped codes become EPCIS shipping events.

A plain function (the orchestration wraps it): the ``wms-sftp`` sync writes ``trace_codes``
rows with status ``shipped``, the dealer and the order; :func:`bind_shipped_codes` records the
shipping (and implied packing) events for the ones that have none yet, in one transaction.
Running it again records nothing new.
"""

from __future__ import annotations

import sqlalchemy as sa

from canonical_model.store.database import database_errors
from dms_core.tracing import Event
from dms_core.tracing import bind_shipped_codes as _bind

__all__ = ["bind_shipped_codes"]


def bind_shipped_codes(engine: sa.Engine) -> list[Event]:
    """Record shipping events for WMS-shipped codes without one; returns the events recorded."""
    with database_errors(engine.url), engine.begin() as conn:
        return _bind(conn)
