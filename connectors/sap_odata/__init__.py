"""``sap-odata``: S/4HANA's ``API_SALES_ORDER_SRV`` (OData V2) over httpx.

Source stream ``sales_orders`` (``A_SalesOrder``, incremental on ``LastChangeDateTime``,
``$top``/``$skip`` paging, ``/Date(...)/`` values parsed). Sink: deep insert with ``to_Item``
after fetching an ``x-csrf-token`` (one refresh on a stale token), exactly once by
``PurchaseOrderByCustomer`` (:class:`~connectors.sap_odata.sink.SapODataSink`).
:mod:`connectors.sap_odata.sandbox` is a stateful fake of the service for tests and the demo.
Run ``python -m connectors.sap_odata spec|check|discover|read``.
"""
