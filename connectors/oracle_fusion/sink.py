"""Sales orders into Fusion, exactly once.

The idempotency key is the order's ``SourceTransactionNumber`` (and ``SourceTransactionId``)
under the configured ``SourceTransactionSystem``: together they identify an order in
Fusion (its ``OrderKey`` is ``SYSTEM:ID``). :meth:`FusionOrderSink.lookup` finds an order by
``q=SourceTransactionNumber='X';SourceTransactionSystem='DMSHUB'``, which
:func:`connectors.sink.submit_order_once` calls before every retry: a create that timed
out after Fusion committed it is found, not created twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from canonical_model.errors import ConfigError
from connectors.errors import FatalConnectorError
from connectors.oracle_fusion.client import SYSTEM, FusionClient, order_key, q_text
from connectors.oracle_fusion.payload import parse_order_document, sales_order_payload
from connectors.oracle_fusion.spec import OracleFusionConfig
from connectors.sink import submit_order_once
from connectors.spec import parse_config

__all__ = ["FusionOrderSink"]


class FusionOrderSink:
    """The :class:`~connectors.sink.Sink` for Fusion sales orders; returns Fusion's ``OrderNumber``."""

    def __init__(
        self,
        config: OracleFusionConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not config.business_unit_name:
            raise ConfigError(f"{SYSTEM}: business_unit_name is required to create sales orders")
        self.config = config
        self.client = FusionClient(config, transport=transport, sleep=sleep)
        self._sleep = sleep

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FusionOrderSink:
        """The registry's sink factory: a validated config mapping in, a sink out."""
        parsed: OracleFusionConfig = parse_config(OracleFusionConfig, config, connector=SYSTEM)
        return cls(parsed)

    def submit_order(self, document: Mapping[str, Any]) -> str:
        """Create the order at most once, keyed by its ``order_no`` (looked up first); return OrderNumber."""
        return submit_order_once(self, document, system=SYSTEM, sleep=self._sleep)

    def submit(self, document: Mapping[str, Any], *, idempotency_key: str) -> str:
        """Create the order; the idempotency key becomes its SourceTransactionNumber/Id."""
        _check_key(idempotency_key)
        order = parse_order_document(document, system=SYSTEM)
        payload = sales_order_payload(
            order,
            source_system=self.config.source_transaction_system,
            source_number=idempotency_key,
            business_unit_name=str(self.config.business_unit_name),
            uom_codes=self.config.uom_codes,
        )
        return _reference(self.client.create_order(payload), idempotency_key)

    def lookup(self, idempotency_key: str) -> str | None:
        """Fusion's ``OrderNumber`` of the order created under this key, or None."""
        _check_key(idempotency_key)
        found = self.client.find_order(idempotency_key)
        return None if found is None else _reference(found, idempotency_key)

    def order_key(self, idempotency_key: str) -> str:
        """The ``OrderKey`` (``SYSTEM:ID``) of the order created under this key."""
        return order_key(self.config.source_transaction_system, idempotency_key)

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()


def _check_key(key: str) -> None:
    try:
        q_text(key)
    except ValueError as exc:
        raise ConfigError(f"{SYSTEM}: idempotency key {exc}") from exc


def _reference(order: Mapping[str, Any], key: str) -> str:
    number = order.get("OrderNumber")
    if number in (None, ""):
        number = order.get("HeaderId")
    if number in (None, ""):
        raise FatalConnectorError(
            f"{SYSTEM}: order {key} came back without OrderNumber or HeaderId", system=SYSTEM
        )
    return str(number)
