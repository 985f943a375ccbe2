"""``oracle-ebs``: Oracle E-Business Suite over SOAP through Integrated SOA Gateway (zeep).

Source streams ``customers`` and ``items`` (incremental by ``LAST_UPDATE_DATE``) from the
read service ``XX_DMSHUB_QUERY_PUB``; the order sink
(:class:`~connectors.oracle_ebs.sink.EbsOrderSink`) calls ``OE_ORDER_PUB.PROCESS_ORDER``
exactly once, keyed by ``ORIG_SYS_DOCUMENT_REF``. The WSDLs ship in ``wsdl/``; every call
goes through :mod:`connectors.soap` (no DTDs, no entities, no external fetches, WS-Security
``UsernameToken``). :mod:`connectors.oracle_ebs.sandbox` is a fake ISG endpoint for tests
and demos. Run it with ``python -m connectors.oracle_ebs spec|check|discover|read``.
"""
