"""``wms-flux``: 富勒 FLUX WMS through its method API (``FluxWmsJsonApi``).

Every call is a form POST (``method``, ``client_customerid``, ``client_db``, ``messageid``,
``appkey``, ``apptoken``, ``timestamp``, ``format=json``, ``v``, ``data``, ``sign``) with
``sign = base64(md5(appSecret + data + appSecret))`` (URL-encoded by the form encoding) and an
answer ``{"Response": {"return": {"returnCode", "returnDesc", "returnFlag", "resultInfo"}}}``
whose codes (``0000``, ``0001``, ``S001``..``S007``) map to typed errors
(:mod:`connectors.wms_flux.errors`).

- Source streams: ``inventory`` (``queryINVData`` or ``inventoryReport``, paged, per
  warehouse; → stock_levels), ``shipments`` and ``shipment_lines`` (shipment confirmations,
  incremental by ship time; → shipments, shipment_lines).
- Sink: :class:`connectors.wms_flux.sink.FluxOrderSink` sends orders with ``putSOData``, our
  order reference as ``OrderNo``, and looks an order up (``queryOrderProcess``) before any retry.

:mod:`connectors.wms_flux.sandbox` is a stateful fake of that API (a sandbox, not 富勒's
service). Run with ``python -m connectors.wms_flux spec|check|discover|read``.
"""
