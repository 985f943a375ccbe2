"""Sales orders into EBS through ``OE_ORDER_PUB.PROCESS_ORDER``, exactly once.

The idempotency key travels as ``ORIG_SYS_DOCUMENT_REF`` (our order reference).
:meth:`EbsOrderSink.lookup` asks ``XX_DMSHUB_QUERY_PUB.FIND_ORDER`` for it, which
:func:`connectors.sink.submit_order_once` calls before every retry: a call that timed out
after EBS committed the order is found, not sent twice. ``x_return_status`` other than
``S`` raises :class:`~connectors.oracle_ebs.errors.EbsApiError` carrying EBS's messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from canonical_model.errors import ConfigError
from connectors.errors import FatalConnectorError
from connectors.oracle_ebs.client import EbsClient
from connectors.oracle_ebs.errors import SYSTEM
from connectors.oracle_ebs.payload import process_order_arguments
from connectors.oracle_ebs.spec import OracleEbsConfig
from connectors.oracle_fusion.payload import parse_order_document
from connectors.sink import submit_order_once
from connectors.spec import parse_config

__all__ = ["EbsOrderSink"]

_MAX_REFERENCE = 50  # OE_ORDER_HEADERS_ALL.ORIG_SYS_DOCUMENT_REF is VARCHAR2(50)


class EbsOrderSink:
    """The :class:`~connectors.sink.Sink` for EBS sales orders; returns the EBS ``ORDER_NUMBER``."""

    def __init__(
        self,
        config: OracleEbsConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if config.order_type_id is None or config.org_id is None:
            raise ConfigError(f"{SYSTEM}: org_id and order_type_id are required to create sales orders")
        self.config = config
        self.client = EbsClient(config, transport=transport, sleep=sleep)
        self._sleep = sleep

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> EbsOrderSink:
        """The registry's sink factory: a validated config mapping in, a sink out."""
        parsed: OracleEbsConfig = parse_config(OracleEbsConfig, config, connector=SYSTEM)
        return cls(parsed)

    def submit_order(self, document: Mapping[str, Any]) -> str:
        """Create the order at most once, keyed by its ``order_no`` (looked up first); return ORDER_NUMBER."""
        return submit_order_once(self, document, system=SYSTEM, sleep=self._sleep)

    def submit(self, document: Mapping[str, Any], *, idempotency_key: str) -> str:
        """Create the order with ``ORIG_SYS_DOCUMENT_REF = idempotency_key``."""
        _check_reference(idempotency_key)
        order = parse_order_document(document, system=SYSTEM)
        result = self.client.process_order(
            process_order_arguments(order, reference=idempotency_key, config=self.config)
        )
        header = result.get("X_HEADER_REC") or {}
        number = header.get("ORDER_NUMBER") if isinstance(header, Mapping) else None
        if number is None:
            raise FatalConnectorError(
                f"{SYSTEM}: PROCESS_ORDER succeeded for {idempotency_key} but returned no ORDER_NUMBER "
                "(is P_RETURN_VALUES honoured?)",
                system=SYSTEM,
            )
        return _number_text(number)

    def lookup(self, idempotency_key: str) -> str | None:
        """The EBS ``ORDER_NUMBER`` of the order created under this key, or None."""
        _check_reference(idempotency_key)
        found = self.client.find_order(idempotency_key)
        return None if found is None else found.order_number

    def close(self) -> None:
        """Close the SOAP clients."""
        self.client.close()


def _check_reference(key: str) -> None:
    if not key or len(key) > _MAX_REFERENCE:
        raise ConfigError(f"{SYSTEM}: an idempotency key must be 1 to {_MAX_REFERENCE} characters")


def _number_text(value: Any) -> str:
    text = str(value)
    return text[:-2] if text.endswith(".0") else text
