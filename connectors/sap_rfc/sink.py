"""Canonical orders → SAP sales orders via ``BAPI_SALESORDER_CREATEFROMDAT2``, exactly once.

One session per attempt: create, read ``RETURN``, then on the *same* connection either
``BAPI_TRANSACTION_ROLLBACK`` (any E/A/X message: :class:`BapiRejected` with SAP's messages)
or ``BAPI_TRANSACTION_COMMIT`` with ``WAIT = 'X'`` (a commit on another session would not
take effect). Our order reference travels in ``PURCH_NO_C`` (stored as VBAK-BSTNK), which is
how :meth:`SapRfcSink.lookup` finds an order again.

What a failure means for a retry:

- connection lost during the create call: the session died with its uncommitted LUW, so
  nothing was saved: retriable;
- connection lost during the commit: SAP may have committed: :class:`AmbiguousOutcome`,
  so :func:`~connectors.sink.submit_order_once` looks the order up before trying again;
- logon refused: :class:`AuthenticationError`, fatal, never retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from connectors.errors import AmbiguousOutcome, FatalConnectorError, RetriableConnectorError
from connectors.sap_rfc.abap import alpha_output, quote
from connectors.sap_rfc.client import SYSTEM, SapRfcClient
from connectors.sap_rfc.errors import BapiRejected, parse_return
from connectors.sap_rfc.payload import order_parameters
from connectors.sap_rfc.rfc import ConnectionFactory
from connectors.sap_rfc.spec import SapRfcConfig
from connectors.sink import submit_order_once
from connectors.spec import parse_config

__all__ = ["CREATE", "SapRfcSink"]

logger = logging.getLogger(__name__)

CREATE = "BAPI_SALESORDER_CREATEFROMDAT2"


class SapRfcSink:
    """Creates SAP sales orders (the :class:`~connectors.sink.Sink` protocol, plus
    :meth:`submit_order`). ``config`` is a :class:`SapRfcConfig` or its mapping."""

    def __init__(
        self,
        config: SapRfcConfig | Mapping[str, Any],
        *,
        connection_factory: ConnectionFactory | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config: SapRfcConfig = (
            config
            if isinstance(config, SapRfcConfig)
            else parse_config(SapRfcConfig, config, connector=SYSTEM)
        )
        self.client = SapRfcClient(self.config, connection_factory=connection_factory)
        self._sleep = sleep

    def submit_order(self, document: Mapping[str, Any]) -> str:
        """Create the order for ``document`` at most once; return the SAP document number.

        The idempotency key is ``document["order_no"]``; an order SAP already holds under it
        (from an earlier run that died before recording the answer) is returned, not created.
        """
        return submit_order_once(
            self, document, system=SYSTEM, retries=self.config.orders.retries, sleep=self._sleep
        )

    def submit(self, document: Mapping[str, Any], *, idempotency_key: str) -> str:
        """Create one sales order with ``PURCH_NO_C = idempotency_key``; return its number (``12345``)."""
        try:
            params = order_parameters(document, idempotency_key, self.config.orders)
        except ValueError as exc:
            raise FatalConnectorError(f"{SYSTEM}: order {idempotency_key}: {exc}", system=SYSTEM) from exc
        with self.client.session() as session:
            result = session.call(CREATE, **params)
            messages = parse_return(result.get("RETURN"))
            document_number = str(result.get("SALESDOCUMENT") or "").strip()
            if any(m.is_error for m in messages) or not document_number:
                session.call("BAPI_TRANSACTION_ROLLBACK")
                errors = [m for m in messages if m.is_error] or messages
                summary = "; ".join(str(m) for m in errors) or "no document number and no message"
                raise BapiRejected(
                    f"{SYSTEM}: SAP refused order {idempotency_key}: {summary}",
                    system=SYSTEM,
                    function=CREATE,
                    messages=messages,
                )
            try:
                commit = session.call("BAPI_TRANSACTION_COMMIT", WAIT="X")
            except RetriableConnectorError as exc:
                raise AmbiguousOutcome(
                    f"{SYSTEM}: order {idempotency_key} (document {alpha_output(document_number)}) may have "
                    f"been committed: {exc}",
                    system=SYSTEM,
                ) from exc
            failed = [m for m in parse_return(commit.get("RETURN")) if m.is_error]
            if failed:
                # The update task reported an error: whether anything was written is not known.
                raise AmbiguousOutcome(
                    f"{SYSTEM}: commit of order {idempotency_key} reported {'; '.join(map(str, failed))}",
                    system=SYSTEM,
                )
        for message in messages:
            if message.type == "W":
                logger.warning("SAP order %s: %s", idempotency_key, message)
        return alpha_output(document_number)

    def lookup(self, idempotency_key: str) -> str | None:
        """The number of the order carrying ``idempotency_key`` in VBAK-BSTNK in our sales
        organization (the lowest, if several), or None."""
        options = self.config.orders
        where = f"BSTNK = {quote(idempotency_key)} AND VKORG = {quote(options.sales_org)}"
        rows = self.client.read_all("VBAK", ["VBELN", "BSTNK", "VKORG"], key_fields=["VBELN"], where=where)
        numbers = sorted(row["VBELN"] for row in rows if row["BSTNK"] == idempotency_key)
        if len(numbers) > 1:
            logger.warning(
                "SAP holds %d orders for %s (%s); using the first",
                len(numbers),
                idempotency_key,
                ", ".join(alpha_output(n) for n in numbers),
            )
        return alpha_output(numbers[0]) if numbers else None
