"""SANDBOX: a fake Oracle E-Business Suite Integrated SOA Gateway endpoint.

Not Oracle software and never presented as it: a stand-in for tests and demos that answers
the two services of the shipped WSDLs like ISG would. Plug it in as an httpx transport::

    sandbox = EbsSandbox.seeded()
    source = OracleEbsSource(transport=sandbox.transport())

It parses each request with a hardened lxml parser (no DTD, no entities, no network),
checks the WS-Security ``UsernameToken`` (``wsse:FailedAuthentication`` fault otherwise),
serves the WSDLs at ``...?wsdl``, pages customers and items by ``LAST_UPDATE_DATE``, runs
``PROCESS_ORDER`` with validation (``x_return_status`` ``E`` with EBS-style messages, one per
line in ``x_msg_data``) and ``FIND_ORDER``. It does *not* refuse a second order with the same
``ORIG_SYS_DOCUMENT_REF``: tests prove the sink never sends one. Failures on demand:
:meth:`fail_next` (HTTP status, ``Retry-After``), :meth:`fault_next` (SOAP fault),
:meth:`return_status_next`, :meth:`time_out_after_commit` and :meth:`reply_next` (any raw
body, e.g. one carrying a DTD).
"""

from __future__ import annotations

from connectors.oracle_ebs.sandbox.app import EbsSandbox
from connectors.oracle_ebs.sandbox.data import (
    BASE_TIME,
    SANDBOX_PASSWORD,
    SANDBOX_URL,
    SANDBOX_USER,
    SEED_CUSTOMERS,
    SEED_ITEMS,
)
from connectors.oracle_ebs.sandbox.envelopes import SOAP_ENV, WSSE

__all__ = [
    "BASE_TIME",
    "SANDBOX_PASSWORD",
    "SANDBOX_URL",
    "SANDBOX_USER",
    "SEED_CUSTOMERS",
    "SEED_ITEMS",
    "SOAP_ENV",
    "WSSE",
    "EbsSandbox",
]
