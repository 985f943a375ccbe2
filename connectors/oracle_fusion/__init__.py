"""``oracle-fusion``: Oracle Fusion Cloud SCM over REST (``salesOrdersForOrderHub``).

Source streams ``sales_orders`` and ``sales_order_lines`` (incremental by ``LastUpdateDate``);
the order sink (:class:`~connectors.oracle_fusion.sink.FusionOrderSink`) creates sales orders
exactly once, keyed by ``SourceTransactionSystem`` + ``SourceTransactionNumber``.
:mod:`connectors.oracle_fusion.sandbox` is a stateful fake of that resource for tests and
demos. Run it with ``python -m connectors.oracle_fusion spec|check|discover|read``.
"""
